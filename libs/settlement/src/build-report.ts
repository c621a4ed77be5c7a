import { computeLineAmount, type LineInputs } from "./line-amount.js";
import { assertReportFieldsValid, validateReport } from "./report-validation.js";
import type { SettlementLine, SettlementReport } from "./settlement-report.js";

export type ReportInput = Omit<SettlementReport, "lines"> & {
  /** One per slot of the cohort, in slot order (line i is slot i). */
  lines: readonly (LineInputs & { facilityId: bigint })[];
};

/** A report with each line's slot and amount filled in by the contract's rule. Validated. */
export function buildReport(input: ReportInput): SettlementReport {
  const lines: SettlementLine[] = input.lines.map((line, index) => ({
    slot: BigInt(index),
    facilityId: line.facilityId,
    committedKw: line.committedKw,
    performanceBps: line.performanceBps,
    deliveredKwh: line.deliveredKwh,
    amountUstx: 0n,
  }));
  const report: SettlementReport = { ...input, lines };
  // Ranges first, so the amount rule only ever sees non-negative integers.
  assertReportFieldsValid(report);
  for (const line of lines) line.amountUstx = computeLineAmount(line, input);
  validateReport(report);
  return report;
}
