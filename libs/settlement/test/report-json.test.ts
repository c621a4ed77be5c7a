import { describe, expect, it } from "vitest";
import {
  inclusionProof,
  parseInclusionProof,
  parseSettlementReport,
  reportRoot,
  settlementReportToJson,
  type SettlementLineJson,
  type SettlementReportJson,
} from "../src/index.js";
import { exampleReport } from "./example-report.js";

const json = (): SettlementReportJson => settlementReportToJson(exampleReport());

function refusal(input: unknown): unknown {
  try {
    parseSettlementReport(input);
  } catch (error) {
    return error;
  }
  throw new Error("the report was accepted");
}

describe("settlementReportToJson and parseSettlementReport", () => {
  it("write integers as decimal strings and read back the same report, same root", () => {
    const text = JSON.stringify(json());
    expect(JSON.parse(text).lines[0]).toEqual({
      slot: "0",
      facilityId: "7",
      committedKw: "250",
      performanceBps: "9500",
      deliveredKwh: "240",
      amountUstx: "361050",
    });
    const parsed = parseSettlementReport(JSON.parse(text));
    expect(parsed).toEqual(exampleReport());
    expect(reportRoot(parsed)).toBe("6f9353616f8d19d7535a580388fcaf5d1320cb7a908c3b9a77eb46803e23b7cc");
  });

  it("keep a report without a network label without one", () => {
    const unlabelled: Partial<SettlementReportJson> = json();
    delete unlabelled.network;
    expect("network" in parseSettlementReport(unlabelled)).toBe(false);
  });

  it.each([
    ["a number where a decimal string belongs", { programId: 1 }, "programId"],
    ["a leading zero", { period: "03" }, "period"],
    ["a negative figure", { capacityPriceUstx: "-1" }, "capacityPriceUstx"],
    ["2^128", { energyPriceUstx: (1n << 128n).toString() }, "energyPriceUstx"],
    ["an unknown field", { reportHash: "00" }, "(root)"],
    [
      "a contract with a bad checksum",
      { contract: "ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGN.grid-services" },
      "contract",
    ],
    ["a bare address as contract", { contract: "ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM" }, "contract"],
    ["a product of 33 characters", { product: "x".repeat(33) }, "product"],
    ["a product outside ASCII", { product: "réglage" }, "product"],
    ["no lines", { lines: [] }, "lines"],
  ])("refuse %s with REPORT_INVALID naming the field", (_what, change, path) => {
    expect(refusal({ ...json(), ...change })).toMatchObject({
      code: "REPORT_INVALID",
      details: { issues: expect.arrayContaining([expect.objectContaining({ path })]) },
    });
  });

  it("list every bad field at once", () => {
    const bad = { ...json(), programId: 1, lines: [{ ...json().lines[0], committedKw: "x", extra: "1" }] };
    const error = refusal(bad) as { details: { issues: { path: string }[] } };
    expect(error.details.issues.map((issue) => issue.path).sort()).toEqual([
      "lines.0",
      "lines.0.committedKw",
      "programId",
    ]);
  });

  it("refuse a stated amount that is not the rule's, with both figures", () => {
    const report = json();
    report.lines[2]!.amountUstx = "20798";
    expect(refusal(report)).toMatchObject({
      code: "AMOUNT_MISMATCH",
      details: { slot: "2", facilityId: "31", statedUstx: "20798", expectedUstx: "20797" },
    });
  });

  it("refuse lines out of slot order", () => {
    const report = json();
    report.lines = [report.lines[1]!, report.lines[0]!, report.lines[2]!];
    expect(refusal(report)).toMatchObject({ code: "SLOT_OUT_OF_ORDER", details: { line: 0, slot: "1" } });
  });

  it("refuse a line without its amount", () => {
    const report = json();
    const line: Partial<SettlementLineJson> = { ...report.lines[0]! };
    delete line.amountUstx;
    expect(refusal({ ...report, lines: [line, ...report.lines.slice(1)] })).toMatchObject({
      code: "REPORT_INVALID",
      details: { issues: [expect.objectContaining({ path: "lines.0.amountUstx" })] },
    });
  });

  it("refuse something that is not an object", () => {
    expect(refusal("report")).toMatchObject({ code: "REPORT_INVALID" });
    expect(refusal(null)).toMatchObject({ code: "REPORT_INVALID" });
  });
});

describe("parseInclusionProof", () => {
  const proof = inclusionProof(exampleReport(), 7n);

  it("reads back a proof sent as JSON", () => {
    expect(parseInclusionProof(JSON.parse(JSON.stringify(proof)))).toEqual(proof);
  });

  it.each([
    ["an upper-case hash", { leaf: proof.leaf.toUpperCase() }, "leaf"],
    ["a short sibling", { siblings: ["00"] }, "siblings.0"],
    ["an index as a string", { index: "0" }, "index"],
    ["an index beyond a cohort", { index: 100 }, "index"],
    ["eight siblings", { siblings: Array(8).fill(proof.leaf) }, "siblings"],
    ["an unknown field", { root: proof.leaf }, "(root)"],
  ])("refuses %s, naming the field", (_what, change, path) => {
    expect(() => parseInclusionProof({ ...proof, ...change })).toThrow(
      expect.objectContaining({
        code: "REPORT_INVALID",
        details: { issues: expect.arrayContaining([expect.objectContaining({ path })]) },
      }),
    );
  });
});
