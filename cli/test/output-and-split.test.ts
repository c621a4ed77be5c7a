import { describe, expect, it } from "vitest";
import { expectedSplit } from "../src/demo/revenue-split.js";
import { amountFormatter, formatStx, formatUstx, parseStx } from "../src/amounts.js";
import { table } from "../src/output.js";

describe("amounts", () => {
  it("shows micro-STX as STX with thousands separators and six exact decimals", () => {
    expect(formatStx("950000006")).toBe("950.000006 STX");
    expect(formatStx("1234500000")).toBe("1,234.500000 STX");
    expect(formatStx(1n)).toBe("0.000001 STX");
    expect(formatStx("-2500000000")).toBe("-2,500.000000 STX");
    // Beyond 2^53: no float on the way.
    expect(formatStx("18446744073709551615")).toBe("18,446,744,073,709.551615 STX");
  });

  it("shows micro-STX as the integer they are with --ustx", () => {
    expect(amountFormatter("ustx")("1000000007")).toBe("1000000007 µSTX");
    expect(formatUstx(0)).toBe("0 µSTX");
    expect(amountFormatter("stx")(1_000_000_007n)).toBe("1,000.000007 STX");
  });

  it("reads STX as people type them into exact micro-STX, and refuses what is not an amount", () => {
    expect(parseStx("1,000.000007")).toBe(1_000_000_007n);
    expect(parseStx("1000.5")).toBe(1_000_500_000n);
    expect(parseStx("0.000001")).toBe(1n);
    expect(parseStx("12")).toBe(12_000_000n);
    for (const wrong of ["1.0000001", "-1", "1,00.5", "1e6", "", "STX"]) expect(parseStx(wrong), wrong).toBeNull();
  });
});

describe("table", () => {
  it("pads columns to their widest cell and marks missing values", () => {
    expect(
      table(
        ["id", "name"],
        [
          [1, "Riverside battery"],
          [12, null],
        ],
      ),
    ).toBe(["id  name", "--  -----------------", "1   Riverside battery", "12  -"].join("\n"));
  });

  it("says when there is nothing to show", () => {
    expect(table(["id"], [])).toBe("id\n(none)");
  });
});

describe("expectedSplit", () => {
  it("rounds each share down and gives the remainder to the largest share", () => {
    const split = expectedSplit(950_000_006n, [
      { stakeholder: "A", shareBps: 5_000 },
      { stakeholder: "B", shareBps: 3_000 },
      { stakeholder: "C", shareBps: 2_000 },
    ]);
    expect([...split.values()]).toEqual([475_000_004n, 285_000_001n, 190_000_001n]);
  });

  it("gives the remainder to the first listed of equal largest shares", () => {
    const split = expectedSplit(10n, [
      { stakeholder: "A", shareBps: 3_333 },
      { stakeholder: "B", shareBps: 3_334 },
      { stakeholder: "C", shareBps: 3_333 },
    ]);
    expect([split.get("A"), split.get("B"), split.get("C")]).toEqual([3n, 4n, 3n]);
    expect([...split.values()].reduce((sum, amount) => sum + amount, 0n)).toBe(10n);
    const tie = expectedSplit(3n, [
      { stakeholder: "A", shareBps: 5_000 },
      { stakeholder: "B", shareBps: 5_000 },
    ]);
    expect([tie.get("A"), tie.get("B")]).toEqual([2n, 1n]);
  });
});
