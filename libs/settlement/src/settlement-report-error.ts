export type SettlementReportErrorCode =
  /** A field is missing, of the wrong type, or out of range (details.issues names each). */
  | "REPORT_INVALID"
  /** Line i is not slot i. */
  | "SLOT_OUT_OF_ORDER"
  /** The same facility on two lines: a proof per facility would be ambiguous. */
  | "DUPLICATE_FACILITY"
  /** A stated amount is not what the amount rule gives. */
  | "AMOUNT_MISMATCH"
  /** The amount rule, or the report's total, would exceed Clarity's uint (the contract would abort). */
  | "AMOUNT_OVERFLOW"
  | "FACILITY_NOT_IN_REPORT";

export interface ReportIssue {
  /** Where, as a dotted path into the report: "lines.3.amountUstx". */
  path: string;
  message: string;
}

/** A report that cannot be encoded, parsed or proved. Never worth retrying. */
export class SettlementReportError extends Error {
  constructor(
    readonly code: SettlementReportErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "SettlementReportError";
  }
}
