import { validateStacksAddress } from "@stacks/transactions";
import { computeLineAmount, reportTotalUstx } from "./line-amount.js";
import {
  FULL_PERFORMANCE_BPS,
  MAX_REPORT_LINES,
  MAX_UINT128,
  type SettlementHeader,
  type SettlementLine,
  type SettlementReport,
} from "./settlement-report.js";
import { SettlementReportError, type ReportIssue } from "./settlement-report-error.js";

// A standard address ("S", a version character, c32) then a Clarity contract name.
const CONTRACT_ID = /^(S[MNPT][0-9A-HJKMNP-TV-Z]{20,40})\.([a-zA-Z][a-zA-Z0-9_-]{0,39})$/;
// Clarity string-ascii holds the printable ASCII range; the product is a (string-ascii 32).
const PRODUCT = /^[\x20-\x7e]{1,32}$/;
const NETWORK = /^[a-z0-9-]{1,32}$/;

const LINE_FIELDS = ["slot", "facilityId", "committedKw", "performanceBps", "deliveredKwh", "amountUstx"] as const;
const HEADER_UINTS = ["programId", "cohort", "period", "capacityPriceUstx", "energyPriceUstx"] as const;

function uintIssue(value: unknown, path: string): ReportIssue[] {
  if (typeof value !== "bigint") return [{ path, message: "must be a bigint" }];
  if (value < 0n || value > MAX_UINT128) return [{ path, message: "must be between 0 and 2^128 - 1" }];
  return [];
}

export function contractIdIssues(contract: unknown): ReportIssue[] {
  if (typeof contract !== "string") return [{ path: "contract", message: "must be a string" }];
  const match = CONTRACT_ID.exec(contract);
  if (!match || !validateStacksAddress(match[1] ?? "")) {
    return [{ path: "contract", message: "must be a contract id, address.contract-name, with a valid address" }];
  }
  return [];
}

export function lineIssues(line: SettlementLine, path: string): ReportIssue[] {
  return LINE_FIELDS.flatMap((field) => uintIssue(line[field], `${path}.${field}`));
}

export function headerIssues(header: Omit<SettlementHeader, "lineCount">): ReportIssue[] {
  const issues = [...contractIdIssues(header.contract)];
  if (typeof header.product !== "string" || !PRODUCT.test(header.product)) {
    issues.push({ path: "product", message: "must be 1 to 32 printable ASCII characters" });
  }
  for (const field of HEADER_UINTS) issues.push(...uintIssue(header[field], field));
  return issues;
}

function lineCountIssues(count: number): ReportIssue[] {
  return Number.isInteger(count) && count >= 1 && count <= MAX_REPORT_LINES
    ? []
    : [{ path: "lines", message: `must hold 1 to ${MAX_REPORT_LINES} lines` }];
}

/** Types and ranges of every field; throws REPORT_INVALID naming each field that is wrong. */
export function assertReportFieldsValid(report: SettlementReport): void {
  const issues = [...headerIssues(report), ...lineCountIssues(report.lines.length)];
  if (report.network !== undefined && (typeof report.network !== "string" || !NETWORK.test(report.network))) {
    issues.push({ path: "network", message: "must be 1 to 32 lower-case letters, digits or dashes" });
  }
  report.lines.forEach((line, index) => {
    const fieldIssues = lineIssues(line, `lines.${index}`);
    if (fieldIssues.length === 0 && line.performanceBps > FULL_PERFORMANCE_BPS) {
      fieldIssues.push({ path: `lines.${index}.performanceBps`, message: "must be at most 10000 (100 %)" });
    }
    issues.push(...fieldIssues);
  });
  throwIfAny(issues);
}

export function throwIfAny(issues: ReportIssue[]): void {
  if (issues.length === 0) return;
  const summary = issues.map((issue) => `${issue.path} ${issue.message}`).join("; ");
  throw new SettlementReportError("REPORT_INVALID", `Invalid settlement report: ${summary}`, { issues });
}

/**
 * Everything settle-period would hold the report to that the report itself can show: fields in range
 * (performance at most 100 %), line i is slot i, a facility once, each amount the contract's rule, a
 * total that fits a uint. Enrolment in the period and delivered-kwh <= reserved-kwh need the chain.
 * Throws SettlementReportError.
 */
export function validateReport(report: SettlementReport): void {
  assertReportFieldsValid(report);
  const seen = new Map<bigint, bigint>();
  report.lines.forEach((line, index) => {
    if (line.slot !== BigInt(index)) {
      throw new SettlementReportError(
        "SLOT_OUT_OF_ORDER",
        `line ${index} is slot ${line.slot}; line i must be slot i`,
        {
          line: index,
          slot: line.slot.toString(),
        },
      );
    }
    const earlier = seen.get(line.facilityId);
    if (earlier !== undefined) {
      throw new SettlementReportError(
        "DUPLICATE_FACILITY",
        `facility ${line.facilityId} is on slots ${earlier} and ${line.slot}`,
        { facilityId: line.facilityId.toString(), slots: [earlier.toString(), line.slot.toString()] },
      );
    }
    seen.set(line.facilityId, line.slot);
    const expected = computeLineAmount(line, report);
    if (line.amountUstx !== expected) {
      throw new SettlementReportError(
        "AMOUNT_MISMATCH",
        `slot ${line.slot} (facility ${line.facilityId}) states ${line.amountUstx} uSTX; the rule gives ${expected}`,
        {
          slot: line.slot.toString(),
          facilityId: line.facilityId.toString(),
          statedUstx: line.amountUstx.toString(),
          expectedUstx: expected.toString(),
        },
      );
    }
  });
  reportTotalUstx(report);
}
