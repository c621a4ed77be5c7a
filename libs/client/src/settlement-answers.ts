import type { Settlement } from "@voltstack/api";
import type { InclusionProofJson, SettlementLineJson, SettlementReportJson } from "@voltstack/settlement";

// The report parts of these answers are @voltstack/settlement's JSON forms (docs/settlement-reports.md);
// the API documents them only as objects, so their types come from the settlement library.

/** The header a verifier hashes with a line and its proof, figures as decimal strings. */
export type SettlementReportHeader = Omit<SettlementReportJson, "lines" | "network"> & { lineCount: number };

export interface SettlementReportAnswer {
  settlement: Settlement;
  report: SettlementReportJson;
}

export interface SettlementLineAnswer {
  settlement: Settlement;
  facilityId: number;
  line: SettlementLineJson;
  header: SettlementReportHeader;
  proof: InclusionProofJson;
}
