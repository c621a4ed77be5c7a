import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  buildReport,
  inclusionProof,
  reportHeader,
  reportRoot,
  SettlementReportError,
  verifyInclusion,
  type InclusionProof,
  type SettlementReport,
} from "../src/index.js";
import { reportOfSize } from "./example-report.js";

function flipFirstDigit(hash: string): string {
  return (hash[0] === "0" ? "1" : "0") + hash.slice(1);
}

describe.each([1, 2, 3, 7, 100])("a report of %i lines", (size) => {
  const report = reportOfSize(size);
  const root = reportRoot(report);
  const header = reportHeader(report);

  it("proves every line against the root", () => {
    for (const line of report.lines) {
      const proof = inclusionProof(report, line.facilityId);
      expect(proof.index).toBe(Number(line.slot));
      expect(verifyInclusion(line, header, proof, root)).toBe(true);
    }
  });

  it("proves no line whose amount, facility, slot or performance was changed", () => {
    for (const line of report.lines) {
      const proof = inclusionProof(report, line.facilityId);
      expect(verifyInclusion({ ...line, amountUstx: line.amountUstx + 1n }, header, proof, root)).toBe(false);
      expect(verifyInclusion({ ...line, facilityId: line.facilityId + 1n }, header, proof, root)).toBe(false);
      expect(verifyInclusion({ ...line, performanceBps: line.performanceBps + 1n }, header, proof, root)).toBe(false);
      expect(verifyInclusion({ ...line, slot: line.slot + 1n }, header, proof, root)).toBe(false);
    }
  });

  it("proves nothing against another header: period, contract, price or line count", () => {
    const line = report.lines[size - 1]!;
    const proof = inclusionProof(report, line.facilityId);
    const others = [
      { ...header, period: header.period + 1n },
      { ...header, contract: "ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5.grid-services" },
      { ...header, energyPriceUstx: header.energyPriceUstx + 1n },
      { ...header, lineCount: header.lineCount + 1 },
    ];
    for (const other of others) expect(verifyInclusion(line, other, proof, root)).toBe(false);
  });
});

describe("a tampered proof", () => {
  const report = reportOfSize(7);
  const root = reportRoot(report);
  const header = reportHeader(report);
  // Slot 6 of 7 is promoted at the leaf level, so its path has one sibling fewer than slot 4's.
  const line = report.lines[6]!;
  const proof = inclusionProof(report, line.facilityId);

  it("has the siblings a 7-leaf tree gives slots 6 and 4: two and three", () => {
    expect(proof.siblings).toHaveLength(2);
    expect(inclusionProof(report, report.lines[4]!.facilityId).siblings).toHaveLength(3);
    expect(verifyInclusion(line, header, proof, root)).toBe(true);
  });

  const tampered: [string, InclusionProof][] = [
    ["a changed sibling", { ...proof, siblings: [flipFirstDigit(proof.siblings[0]!), proof.siblings[1]!] }],
    ["swapped siblings", { ...proof, siblings: [proof.siblings[1]!, proof.siblings[0]!] }],
    ["a missing sibling", { ...proof, siblings: proof.siblings.slice(0, 1) }],
    ["an extra sibling", { ...proof, siblings: [...proof.siblings, proof.leaf] }],
    ["another leaf", { ...proof, leaf: flipFirstDigit(proof.leaf) }],
    ["another index", { ...proof, index: 5 }],
    ["a sibling that is not hex", { ...proof, siblings: ["zz".repeat(32), proof.siblings[1]!] }],
  ];
  it.each(tampered)("with %s does not verify", (_what, bad) => {
    expect(verifyInclusion(line, header, bad, root)).toBe(false);
  });

  it("answers false, without throwing, for a malformed proof or header", () => {
    const malformed = { ...proof, siblings: null } as unknown as InclusionProof;
    expect(verifyInclusion(line, header, malformed, root)).toBe(false);
    expect(verifyInclusion(line, { ...header, lineCount: Number.POSITIVE_INFINITY }, proof, root)).toBe(false);
    expect(verifyInclusion(line, { ...header, product: "é" }, proof, root)).toBe(false);
    expect(verifyInclusion({ ...line, amountUstx: -1n }, header, proof, root)).toBe(false);
  });

  it("does not verify against another root, and accepts the root with 0x as the chain returns it", () => {
    expect(verifyInclusion(line, header, proof, flipFirstDigit(root))).toBe(false);
    expect(verifyInclusion(line, header, proof, `0x${root}`)).toBe(true);
  });
});

describe("inclusionProof", () => {
  it("refuses a facility with no line, naming it and the settlement", () => {
    const report = reportOfSize(3);
    expect(() => inclusionProof(report, 99n)).toThrow(
      expect.objectContaining({
        code: "FACILITY_NOT_IN_REPORT",
        details: { facilityId: "99", programId: "4", cohort: "2", period: "0" },
      }),
    );
  });

  it("refuses a report whose stated amount is not the rule's", () => {
    const report = reportOfSize(3);
    report.lines[1]!.amountUstx += 1n;
    expect(() => inclusionProof(report, report.lines[0]!.facilityId)).toThrow(SettlementReportError);
  });
});

const lineArbitrary = fc.record({
  facilityId: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  committedKw: fc.bigInt({ min: 0n, max: 10_000_000n }),
  performanceBps: fc.bigInt({ min: 0n, max: 10_000n }),
  deliveredKwh: fc.bigInt({ min: 0n, max: 10_000_000n }),
});

const reportArbitrary = fc
  .record({
    programId: fc.bigInt({ min: 0n, max: 1n << 64n }),
    cohort: fc.bigInt({ min: 0n, max: 1000n }),
    period: fc.bigInt({ min: 0n, max: 100_000n }),
    capacityPriceUstx: fc.bigInt({ min: 0n, max: 1n << 40n }),
    energyPriceUstx: fc.bigInt({ min: 0n, max: 1n << 40n }),
    lines: fc.uniqueArray(lineArbitrary, { minLength: 1, maxLength: 100, selector: (line) => line.facilityId }),
  })
  .map((input): SettlementReport =>
    buildReport({ ...input, contract: "ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM.grid-services", product: "afrr" }),
  );

const lineFields = ["facilityId", "committedKw", "performanceBps", "deliveredKwh", "amountUstx"] as const;

describe("any report (property)", () => {
  it("proves each line, and no line with one figure changed", () => {
    fc.assert(
      fc.property(
        reportArbitrary,
        fc.nat(),
        fc.constantFrom(...lineFields),
        fc.bigInt({ min: 1n, max: 1n << 64n }),
        (report, pick, field, delta) => {
          const line = report.lines[pick % report.lines.length]!;
          const header = reportHeader(report);
          const root = reportRoot(report);
          const proof = inclusionProof(report, line.facilityId);
          expect(verifyInclusion(line, header, proof, root)).toBe(true);
          expect(verifyInclusion({ ...line, [field]: line[field] + delta }, header, proof, root)).toBe(false);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("gives two reports that differ in one line's figures two roots", () => {
    fc.assert(
      fc.property(reportArbitrary, fc.nat(), fc.bigInt({ min: 1n, max: 1000n }), (report, pick, delta) => {
        const changed = buildReport({
          ...report,
          lines: report.lines.map((line, index) =>
            index === pick % report.lines.length ? { ...line, deliveredKwh: line.deliveredKwh + delta } : line,
          ),
        });
        expect(reportRoot(changed)).not.toBe(reportRoot(report));
      }),
      { numRuns: 100 },
    );
  });
});
