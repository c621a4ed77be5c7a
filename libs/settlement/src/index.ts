export {
  FULL_PERFORMANCE_BPS,
  MAX_REPORT_LINES,
  MAX_UINT128,
  reportHeader,
  type SettlementHeader,
  type SettlementLine,
  type SettlementReport,
} from "./settlement-report.js";
export { SettlementReportError, type ReportIssue, type SettlementReportErrorCode } from "./settlement-report-error.js";
export { computeLineAmount, reportTotalUstx, type LineInputs, type Prices } from "./line-amount.js";
export { buildReport, type ReportInput } from "./build-report.js";
export { validateReport } from "./report-validation.js";
export { encodeHeader, encodeLine, headerClarityValue, lineClarityValue } from "./canonical-encoding.js";
export { inclusionProof, leafHash, reportRoot, verifyInclusion, type InclusionProof } from "./merkle-tree.js";
export {
  parseInclusionProof,
  parseSettlementReport,
  settlementReportToJson,
  type InclusionProofJson,
  type SettlementLineJson,
  type SettlementReportJson,
} from "./report-json.js";
