import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  encodeHeader,
  encodeLine,
  inclusionProof,
  leafHash,
  parseSettlementReport,
  reportHeader,
  reportRoot,
} from "../src/index.js";
import { exampleReport } from "./example-report.js";

// docs/settlement-reports.md is the specification others re-implement: its figures must be this library's.
const doc = readFileSync(new URL("../../../docs/settlement-reports.md", import.meta.url), "utf8");
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");

function codeBlock(language: string): string {
  const match = new RegExp("```" + language + "\\n([\\s\\S]*?)```").exec(doc);
  if (!match?.[1]) throw new Error(`docs/settlement-reports.md has no ${language} block`);
  return match[1];
}

describe("docs/settlement-reports.md", () => {
  const report = exampleReport();

  it("shows the example report as the library writes and reads it", () => {
    expect(parseSettlementReport(JSON.parse(codeBlock("json")))).toEqual(report);
  });

  it("states the example's bytes, leaf hashes, first node and root", () => {
    const proof = inclusionProof(report, 31n);
    const figures = [
      `line 0 bytes: ${hex(encodeLine(report.lines[0]!))}`,
      hex(encodeHeader(reportHeader(report))),
      ...report.lines.map((line, slot) => `leaf ${slot}: ${hex(leafHash(line))}`),
      `node(leaf 0, leaf 1): ${proof.siblings[0]}`,
      `root: ${reportRoot(report)}`,
    ];
    for (const figure of figures) expect(doc).toContain(figure);
  });

  it("gives the same Clarity functions the simnet check runs", () => {
    const contract = readFileSync(new URL("./clarity/settlement-hash.clar", import.meta.url), "utf8");
    expect(contract).toContain(codeBlock("clarity").trim());
  });
});
