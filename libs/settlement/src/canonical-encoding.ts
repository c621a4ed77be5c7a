import { Cl, serializeCVBytes, type TupleCV } from "@stacks/transactions";
import type { SettlementHeader, SettlementLine } from "./settlement-report.js";
import { headerIssues, lineIssues, throwIfAny } from "./report-validation.js";

// The bytes hashed are Clarity consensus serialisations (SIP-005) of these tuples, so a contract
// can rebuild them with (to-consensus-buff? ...) and any language with a few lines of code:
// a tuple is 0x0c, a u32 field count, then per field in ascending byte order of its name a u8
// name length, the name and the value; a uint is 0x01 and 16 bytes big-endian; a string-ascii is
// 0x0d, a u32 length and the bytes; a contract principal is 0x06, the address version byte, the
// 20-byte hash160, a u8 name length and the name. docs/settlement-reports.md has a worked example.

export function lineClarityValue(line: SettlementLine): TupleCV {
  return Cl.tuple({
    slot: Cl.uint(line.slot),
    "facility-id": Cl.uint(line.facilityId),
    "committed-kw": Cl.uint(line.committedKw),
    "performance-bps": Cl.uint(line.performanceBps),
    "delivered-kwh": Cl.uint(line.deliveredKwh),
    amount: Cl.uint(line.amountUstx),
  });
}

export function headerClarityValue(header: SettlementHeader): TupleCV {
  const [address, name] = header.contract.split(".") as [string, string];
  return Cl.tuple({
    contract: Cl.contractPrincipal(address, name),
    "program-id": Cl.uint(header.programId),
    cohort: Cl.uint(header.cohort),
    period: Cl.uint(header.period),
    product: Cl.stringAscii(header.product),
    "capacity-price": Cl.uint(header.capacityPriceUstx),
    "energy-price": Cl.uint(header.energyPriceUstx),
    "line-count": Cl.uint(header.lineCount),
  });
}

/** A line's canonical bytes (the leaf). Throws REPORT_INVALID for a field out of range. */
export function encodeLine(line: SettlementLine): Uint8Array {
  throwIfAny(lineIssues(line, "line"));
  return serializeCVBytes(lineClarityValue(line));
}

/** The header's canonical bytes. Throws REPORT_INVALID for a field out of range. */
export function encodeHeader(header: SettlementHeader): Uint8Array {
  const issues = headerIssues(header);
  if (!Number.isSafeInteger(header.lineCount) || header.lineCount < 0) {
    issues.push({ path: "lineCount", message: "must be a non-negative integer" });
  }
  throwIfAny(issues);
  return serializeCVBytes(headerClarityValue(header));
}
