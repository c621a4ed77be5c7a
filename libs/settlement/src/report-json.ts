import { z } from "zod";
import type { InclusionProof } from "./merkle-tree.js";
import { throwIfAny, validateReport } from "./report-validation.js";
import { MAX_REPORT_LINES, MAX_UINT128, type SettlementReport } from "./settlement-report.js";
import type { ReportIssue } from "./settlement-report-error.js";

// Integers travel as canonical decimal strings: no sign, no leading zero, no exponent, at most 2^128 - 1.
const uintString = z
  .string()
  .regex(/^(0|[1-9][0-9]{0,38})$/, "must be a decimal string of an unsigned integer, without leading zeros")
  .transform((text) => BigInt(text))
  .refine((value) => value <= MAX_UINT128, "must be at most 2^128 - 1");

const lineSchema = z.strictObject({
  slot: uintString,
  facilityId: uintString,
  committedKw: uintString,
  performanceBps: uintString,
  deliveredKwh: uintString,
  amountUstx: uintString,
});

const reportSchema = z.strictObject({
  network: z.string().optional(),
  contract: z.string(),
  programId: uintString,
  cohort: uintString,
  period: uintString,
  product: z.string(),
  capacityPriceUstx: uintString,
  energyPriceUstx: uintString,
  lines: z.array(lineSchema).min(1).max(MAX_REPORT_LINES),
});

const hashHex = z.string().regex(/^[0-9a-f]{64}$/, "must be 64 lower-case hex digits");

const proofSchema = z.strictObject({
  leaf: hashHex,
  index: z
    .number()
    .int()
    .min(0)
    .max(MAX_REPORT_LINES - 1),
  // A tree of 100 leaves is 7 levels deep.
  siblings: z.array(hashHex).max(7),
});

type Stringified<T> = { [K in keyof T]: T[K] extends bigint ? string : T[K] };

export type SettlementLineJson = Stringified<SettlementReport["lines"][number]>;
export type SettlementReportJson = Stringified<Omit<SettlementReport, "lines">> & { lines: SettlementLineJson[] };
export type InclusionProofJson = InclusionProof;

function issuesOf(error: z.ZodError): ReportIssue[] {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join(".") || "(root)", message: issue.message }));
}

/**
 * A report from JSON (an API answer, a NATS message), strictly: unknown fields, numbers where
 * decimal strings belong, and figures out of range are REPORT_INVALID with every issue listed;
 * then every rule of validateReport (slots in order, a facility once, amounts by the rule).
 */
export function parseSettlementReport(json: unknown): SettlementReport {
  const parsed = reportSchema.safeParse(json);
  if (!parsed.success) throwIfAny(issuesOf(parsed.error));
  const { network, ...rest } = parsed.data as z.output<typeof reportSchema>;
  const report: SettlementReport = network === undefined ? rest : { network, ...rest };
  validateReport(report);
  return report;
}

/** The report as JSON, integers as decimal strings. Validates first: only a sound report leaves. */
export function settlementReportToJson(report: SettlementReport): SettlementReportJson {
  validateReport(report);
  return {
    ...(report.network === undefined ? {} : { network: report.network }),
    contract: report.contract,
    programId: report.programId.toString(),
    cohort: report.cohort.toString(),
    period: report.period.toString(),
    product: report.product,
    capacityPriceUstx: report.capacityPriceUstx.toString(),
    energyPriceUstx: report.energyPriceUstx.toString(),
    lines: report.lines.map((line) => ({
      slot: line.slot.toString(),
      facilityId: line.facilityId.toString(),
      committedKw: line.committedKw.toString(),
      performanceBps: line.performanceBps.toString(),
      deliveredKwh: line.deliveredKwh.toString(),
      amountUstx: line.amountUstx.toString(),
    })),
  };
}

/** An inclusion proof from JSON; REPORT_INVALID with every issue listed. */
export function parseInclusionProof(json: unknown): InclusionProof {
  const parsed = proofSchema.safeParse(json);
  if (!parsed.success) throwIfAny(issuesOf(parsed.error));
  return parsed.data as InclusionProof;
}
