import { describe, expect, it } from "vitest";
import { encodeHeader, encodeLine, leafHash, reportHeader, reportRoot, inclusionProof } from "../src/index.js";
import { exampleReport, reportOfSize } from "./example-report.js";

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");
const uint = (value: number): string => "01" + value.toString(16).padStart(32, "0");
const name = (text: string): string => text.length.toString(16).padStart(2, "0") + Buffer.from(text).toString("hex");

// The bytes written out by hand from SIP-005, independently of the serialiser the library uses.
const SLOT_0_BYTES =
  "0c00000006" +
  name("amount") +
  uint(361_050) +
  name("committed-kw") +
  uint(250) +
  name("delivered-kwh") +
  uint(240) +
  name("facility-id") +
  uint(7) +
  name("performance-bps") +
  uint(9500) +
  name("slot") +
  uint(0);

const HEADER_BYTES =
  "0c00000008" +
  name("capacity-price") +
  uint(1500) +
  name("cohort") +
  uint(0) +
  name("contract") +
  "061a6d78de7b0625dfbfc16c3a8a5735f6dc3dc3f2ce" +
  name("grid-services") +
  name("energy-price") +
  uint(20) +
  name("line-count") +
  uint(3) +
  name("period") +
  uint(3) +
  name("product") +
  "0d00000014" +
  Buffer.from("frequency-regulation").toString("hex") +
  name("program-id") +
  uint(1);

describe("the worked example of docs/settlement-reports.md", () => {
  const report = exampleReport();

  it("fills the amounts by the contract's rule, floor of the capacity part", () => {
    expect(report.lines.map((line) => line.amountUstx)).toEqual([361_050n, 150_000n, 20_797n]);
  });

  it("encodes a line as the Clarity tuple's consensus bytes, fields in name order", () => {
    expect(hex(encodeLine(report.lines[0]!))).toBe(SLOT_0_BYTES);
  });

  it("encodes the header as the Clarity tuple's consensus bytes, the contract as a contract principal", () => {
    expect(hex(encodeHeader(reportHeader(report)))).toBe(HEADER_BYTES);
  });

  it("hashes leaves with the 0x00 prefix", () => {
    expect(report.lines.map((line) => hex(leafHash(line)))).toEqual([
      "432de642c7cf538850e745d092e7d64f09f7d27540c31256a18daa7c44d2b56b",
      "0f7a1ec6d6d09023f2e448b620817fc82091a3c51ada294ee243dbe52eaf397a",
      "a97de3162ecfad697a531f48122f4b05f1a5dbdd9aa26f24e552eff929510f80",
    ]);
  });

  it("has the root written in the document", () => {
    expect(reportRoot(report)).toBe("6f9353616f8d19d7535a580388fcaf5d1320cb7a908c3b9a77eb46803e23b7cc");
  });

  it("promotes the odd third leaf: its proof is the one node of the first two", () => {
    expect(inclusionProof(report, 31n)).toEqual({
      leaf: "a97de3162ecfad697a531f48122f4b05f1a5dbdd9aa26f24e552eff929510f80",
      index: 2,
      siblings: ["08b33cd94dbdefe55f43c4fb0e7775398635dc8444ae9b38ec79cf7055d230b0"],
    });
  });

  it("does not hash the network label", () => {
    const unlabelled = { ...report };
    delete unlabelled.network;
    expect(reportRoot(unlabelled)).toBe(reportRoot(report));
  });
});

// Recomputed by the Python re-hash of docs/settlement-reports.md, not only by this library.
describe("known roots of larger reports", () => {
  it.each([
    [1, "89fce9007fd2cdc6ed45d5b9204d42b875e1b9c8375d1e620c05f15c03a8b152"],
    [2, "da2588452d62a2d64289d0949728dc2db2f721a3842d7e7421ddc956e65b7138"],
    [7, "0d1866079f809a2d56356c6530fdaf98b084c0e31b78a0319f47ba7234117c0f"],
    [100, "3f57cd40588d66b00488752b3ccb1bfe8ee6afccf216a34c4995339eef22b49f"],
  ])("a report of %i lines", (size, root) => {
    expect(reportRoot(reportOfSize(size))).toBe(root);
  });
});
