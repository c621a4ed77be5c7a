import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildReport, computeLineAmount, MAX_UINT128, reportTotalUstx, SettlementReportError } from "../src/index.js";

const prices = { capacityPriceUstx: 1500n, energyPriceUstx: 20n };

describe("computeLineAmount", () => {
  it("is committed kW times the capacity price scaled by performance, plus delivered kWh times the energy price", () => {
    expect(computeLineAmount({ committedKw: 250n, performanceBps: 9500n, deliveredKwh: 240n }, prices)).toBe(
      356_250n + 4_800n,
    );
  });

  it("floors the capacity part, not the sum", () => {
    // 41 * 1500 * 3333 / 10000 = 20497.95
    expect(computeLineAmount({ committedKw: 41n, performanceBps: 3333n, deliveredKwh: 15n }, prices)).toBe(
      20_497n + 300n,
    );
    expect(computeLineAmount({ committedKw: 1n, performanceBps: 1n, deliveredKwh: 0n }, prices)).toBe(0n);
  });

  it("refuses, naming the step, a product beyond Clarity's uint as the contract would abort", () => {
    const huge = { committedKw: 1n << 64n, performanceBps: 10_000n, deliveredKwh: 0n };
    const error = (() => {
      try {
        computeLineAmount(huge, { capacityPriceUstx: 1n << 64n, energyPriceUstx: 0n });
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(SettlementReportError);
    expect(error).toMatchObject({
      code: "AMOUNT_OVERFLOW",
      details: { step: "committed-kw * capacity-price", value: (1n << 128n).toString() },
    });
    // The same product one below the limit is fine until multiplied by performance.
    expect(() =>
      computeLineAmount(
        { committedKw: MAX_UINT128, performanceBps: 2n, deliveredKwh: 0n },
        { capacityPriceUstx: 1n, energyPriceUstx: 0n },
      ),
    ).toThrow(
      expect.objectContaining({
        details: expect.objectContaining({ step: "committed-kw * capacity-price * performance-bps" }),
      }),
    );
    expect(() =>
      computeLineAmount(
        { committedKw: 0n, performanceBps: 0n, deliveredKwh: MAX_UINT128 },
        { capacityPriceUstx: 0n, energyPriceUstx: 2n },
      ),
    ).toThrow(expect.objectContaining({ details: expect.objectContaining({ step: "delivered-kwh * energy-price" }) }));
  });

  it("matches the rule computed with the remainder taken off first (property)", () => {
    const figure = fc.bigInt({ min: 0n, max: 1n << 40n });
    fc.assert(
      fc.property(figure, figure, figure, figure, figure, (committedKw, performanceBps, deliveredKwh, cap, energy) => {
        const capacity = committedKw * cap * performanceBps;
        const expected = (capacity - (capacity % 10_000n)) / 10_000n + deliveredKwh * energy;
        expect(
          computeLineAmount(
            { committedKw, performanceBps, deliveredKwh },
            { capacityPriceUstx: cap, energyPriceUstx: energy },
          ),
        ).toBe(expected);
      }),
    );
  });
});

describe("buildReport", () => {
  const input = {
    contract: "ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM.grid-services",
    programId: 1n,
    cohort: 0n,
    period: 0n,
    product: "peak-shaving",
    ...prices,
    lines: [
      { facilityId: 3n, committedKw: 10n, performanceBps: 10_000n, deliveredKwh: 5n },
      { facilityId: 9n, committedKw: 0n, performanceBps: 0n, deliveredKwh: 0n },
    ],
  };

  it("numbers the slots in order and fills each amount", () => {
    const report = buildReport(input);
    expect(report.lines.map((line) => [line.slot, line.amountUstx])).toEqual([
      [0n, 15_100n],
      [1n, 0n],
    ]);
    expect(reportTotalUstx(report)).toBe(15_100n);
  });

  it("refuses a negative figure with REPORT_INVALID naming the field", () => {
    expect(() =>
      buildReport({ ...input, lines: [{ facilityId: 3n, committedKw: -1n, performanceBps: 0n, deliveredKwh: 0n }] }),
    ).toThrow(
      expect.objectContaining({
        code: "REPORT_INVALID",
        details: { issues: [{ path: "lines.0.committedKw", message: "must be between 0 and 2^128 - 1" }] },
      }),
    );
  });

  it("refuses a performance above 100 %, as settle-period does (ERR_INVALID_PERFORMANCE)", () => {
    const line = { facilityId: 3n, committedKw: 10n, deliveredKwh: 0n };
    expect(buildReport({ ...input, lines: [{ ...line, performanceBps: 10_000n }] }).lines[0]!.amountUstx).toBe(15_000n);
    expect(() => buildReport({ ...input, lines: [{ ...line, performanceBps: 10_001n }] })).toThrow(
      expect.objectContaining({
        code: "REPORT_INVALID",
        details: { issues: [{ path: "lines.0.performanceBps", message: "must be at most 10000 (100 %)" }] },
      }),
    );
  });

  it("refuses the same facility twice, naming both slots", () => {
    const line = { facilityId: 3n, committedKw: 1n, performanceBps: 0n, deliveredKwh: 0n };
    expect(() => buildReport({ ...input, lines: [line, line] })).toThrow(
      expect.objectContaining({ code: "DUPLICATE_FACILITY", details: { facilityId: "3", slots: ["0", "1"] } }),
    );
  });

  it("refuses an empty report and one of 101 lines", () => {
    const line = (facilityId: number) => ({
      facilityId: BigInt(facilityId),
      committedKw: 1n,
      performanceBps: 0n,
      deliveredKwh: 0n,
    });
    expect(() => buildReport({ ...input, lines: [] })).toThrow(expect.objectContaining({ code: "REPORT_INVALID" }));
    expect(() => buildReport({ ...input, lines: Array.from({ length: 101 }, (_, i) => line(i)) })).toThrow(
      expect.objectContaining({ code: "REPORT_INVALID" }),
    );
    expect(buildReport({ ...input, lines: Array.from({ length: 100 }, (_, i) => line(i)) }).lines).toHaveLength(100);
  });

  it("refuses a total beyond Clarity's uint", () => {
    const half = { committedKw: 0n, performanceBps: 0n, deliveredKwh: 1n << 127n };
    expect(() =>
      buildReport({
        ...input,
        capacityPriceUstx: 0n,
        energyPriceUstx: 1n,
        lines: [
          { facilityId: 1n, ...half },
          { facilityId: 2n, ...half },
        ],
      }),
    ).toThrow(
      expect.objectContaining({ code: "AMOUNT_OVERFLOW", details: expect.objectContaining({ step: "total" }) }),
    );
  });
});
