import { createHash } from "node:crypto";
import { encodeHeader, encodeLine } from "./canonical-encoding.js";
import { validateReport } from "./report-validation.js";
import {
  MAX_REPORT_LINES,
  reportHeader,
  type SettlementHeader,
  type SettlementLine,
  type SettlementReport,
} from "./settlement-report.js";
import { SettlementReportError } from "./settlement-report-error.js";

// Domain-separation prefixes: a leaf can never be taken for a node, nor either for a report root.
const LEAF_PREFIX = 0x00;
const NODE_PREFIX = 0x01;
const ROOT_PREFIX = 0x02;

/** How line `index` reaches the lines root: its leaf hash and one sibling per level it is paired at. */
export interface InclusionProof {
  /** sha256(0x00 || line bytes), 64 lower-case hex digits. */
  leaf: string;
  /** The line's position, which is its slot. */
  index: number;
  /** Sibling hashes from the leaf level up, hex; a level where the node is promoted has none. */
  siblings: string[];
}

function sha256(prefix: number, ...parts: Uint8Array[]): Uint8Array {
  const hash = createHash("sha256").update(Uint8Array.of(prefix));
  for (const part of parts) hash.update(part);
  return new Uint8Array(hash.digest());
}

const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");
const HASH_HEX = /^[0-9a-f]{64}$/;

export function leafHash(line: SettlementLine): Uint8Array {
  return sha256(LEAF_PREFIX, encodeLine(line));
}

function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256(NODE_PREFIX, left, right);
}

/** Every level of the tree, leaves first: pairs left to right, an odd last node moves up unchanged. */
function treeLevels(leaves: Uint8Array[]): Uint8Array[][] {
  const levels = [leaves];
  for (let level = leaves; level.length > 1;) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) {
      const left = level[i] as Uint8Array;
      const right = level[i + 1];
      next.push(right === undefined ? left : nodeHash(left, right));
    }
    levels.push(next);
    level = next;
  }
  return levels;
}

function rootFrom(header: SettlementHeader, linesRoot: Uint8Array): string {
  return toHex(sha256(ROOT_PREFIX, encodeHeader(header), linesRoot));
}

/**
 * The hash settle-period records: sha256(0x02 || header bytes || lines root), hex. The report is
 * validated first (SettlementReportError), so a root always belongs to a report the contract accepts.
 */
export function reportRoot(report: SettlementReport): string {
  validateReport(report);
  const levels = treeLevels(report.lines.map(leafHash));
  return rootFrom(reportHeader(report), levels[levels.length - 1]?.[0] as Uint8Array);
}

/** The proof that the facility's line is in the report. Throws FACILITY_NOT_IN_REPORT. */
export function inclusionProof(report: SettlementReport, facilityId: bigint): InclusionProof {
  validateReport(report);
  const index = report.lines.findIndex((line) => line.facilityId === facilityId);
  if (index < 0) {
    throw new SettlementReportError("FACILITY_NOT_IN_REPORT", `facility ${facilityId} has no line in this report`, {
      facilityId: facilityId.toString(),
      programId: report.programId.toString(),
      cohort: report.cohort.toString(),
      period: report.period.toString(),
    });
  }
  const levels = treeLevels(report.lines.map(leafHash));
  const siblings: string[] = [];
  let position = index;
  for (const level of levels.slice(0, -1)) {
    const sibling = level[position ^ 1];
    if (sibling !== undefined) siblings.push(toHex(sibling));
    position >>= 1;
  }
  return { leaf: toHex(levels[0]?.[index] as Uint8Array), index, siblings };
}

/**
 * Whether `line` is line `proof.index` of the report whose header is `header` and whose root is
 * `root` (hex, with or without 0x, as get-settlement returns report-hash). False for anything
 * malformed, never a throw: the line's slot must equal the index, the leaf the line's hash, and
 * the siblings exactly those the tree of header.lineCount lines has on that path.
 */
export function verifyInclusion(
  line: SettlementLine,
  header: SettlementHeader,
  proof: InclusionProof,
  root: string,
): boolean {
  try {
    return provesInclusion(line, header, proof, root);
  } catch {
    // Whatever the input (a proof parsed by hand, a header out of range), the answer is no.
    return false;
  }
}

function provesInclusion(line: SettlementLine, header: SettlementHeader, proof: InclusionProof, root: string): boolean {
  const expectedRoot = root.toLowerCase().replace(/^0x/, "");
  if (!HASH_HEX.test(expectedRoot) || !proof.siblings.every((hash) => HASH_HEX.test(hash))) return false;
  const { index, siblings } = proof;
  if (!Number.isInteger(header.lineCount) || header.lineCount < 1 || header.lineCount > MAX_REPORT_LINES) return false;
  if (!Number.isSafeInteger(index) || index < 0 || index >= header.lineCount || line.slot !== BigInt(index)) {
    return false;
  }
  let current = leafHash(line);
  if (toHex(current) !== proof.leaf) return false;
  let position = index;
  let width = header.lineCount;
  let used = 0;
  while (width > 1) {
    const promoted = position === width - 1 && width % 2 === 1;
    if (!promoted) {
      const hex = siblings[used++];
      if (hex === undefined) return false;
      const sibling = Buffer.from(hex, "hex");
      current = position % 2 === 0 ? nodeHash(current, sibling) : nodeHash(sibling, current);
    }
    position >>= 1;
    width = Math.ceil(width / 2);
  }
  return used === siblings.length && rootFrom(header, current) === expectedRoot;
}
