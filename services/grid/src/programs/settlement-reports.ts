import {
  buildReport,
  inclusionProof,
  type InclusionProof,
  parseSettlementReport,
  reportHeader,
  reportRoot,
  type SettlementHeader,
  type SettlementLine,
  type SettlementReport,
  type SettlementReportJson,
  settlementReportToJson,
} from "@voltstack/settlement";

/** What a report is built from: the program's terms and one line of inputs per slot, in slot order. */
export interface ReportTerms {
  network: string;
  contract: string;
  programId: number;
  cohort: number;
  period: number;
  product: string;
  capacityPriceUstx: bigint;
  energyPriceUstx: bigint;
}

export interface ReportLineInput {
  facilityId: bigint;
  committedKw: bigint;
  performanceBps: bigint;
  deliveredKwh: bigint;
}

/** A built report with the root settle-period records (64 hex digits) and its total. */
export interface BuiltReport {
  report: SettlementReport;
  reportHash: string;
  totalUstx: bigint;
}

/** The settlement report of a cohort and period by @voltstack/settlement's rule, with its root. */
export function buildSettlementReport(terms: ReportTerms, lines: readonly ReportLineInput[]): BuiltReport {
  const report = buildReport({
    network: terms.network,
    contract: terms.contract,
    programId: BigInt(terms.programId),
    cohort: BigInt(terms.cohort),
    period: BigInt(terms.period),
    product: terms.product,
    capacityPriceUstx: terms.capacityPriceUstx,
    energyPriceUstx: terms.energyPriceUstx,
    lines,
  });
  return {
    report,
    reportHash: reportRoot(report),
    totalUstx: report.lines.reduce((sum, line) => sum + line.amountUstx, 0n),
  };
}

export function reportToJson(report: SettlementReport): SettlementReportJson {
  return settlementReportToJson(report);
}

export function reportFromJson(json: unknown): SettlementReport {
  return parseSettlementReport(json);
}

/** A facility's line of `report` with what an owner needs to check it against the recorded root. */
export interface LineProof {
  line: SettlementLine;
  header: SettlementHeader;
  proof: InclusionProof;
}

export function lineProof(report: SettlementReport, facilityId: number): LineProof | undefined {
  const line = report.lines.find((candidate) => candidate.facilityId === BigInt(facilityId));
  if (!line) return undefined;
  return { line, header: reportHeader(report), proof: inclusionProof(report, BigInt(facilityId)) };
}
