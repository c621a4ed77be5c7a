import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { regulationPayment } from "../src/index.js";

const prices = { capabilityUstxPerMwHour: 40_000_000n, performanceUstxPerMw: 3_000_000n };

describe("regulationPayment", () => {
  it("2 MW for an hour at a score of 0.95 with a mileage of 25 pays 76 STX capability and 142.5 STX performance", () => {
    const payment = regulationPayment(
      { committedW: 2_000_000, performanceBps: 9_500, mileageBps: 250_000, periodSeconds: 3_600 },
      prices,
    );
    // 2 MW x 0.95 x 40 STX/MW-h x 1 h = 76 STX; 2 MW x 0.95 x 25 x 3 STX/MW = 142.5 STX.
    expect(payment).toEqual({
      capabilityUstx: 76_000_000n,
      performanceUstx: 142_500_000n,
      totalUstx: 218_500_000n,
    });
  });

  it("each part is rounded down to whole micro-STX on its own", () => {
    const payment = regulationPayment(
      { committedW: 1, performanceBps: 1, mileageBps: 1, periodSeconds: 1 },
      { capabilityUstxPerMwHour: 36_000_000_000_000n, performanceUstxPerMw: 1_500_000_000_000_000n },
    );
    // 1 W x 0.0001 x 36e12 uSTX/MW-h / 3600 = 0.01 MW... = 1 uSTX; 1 W x 0.0001 x 0.0001 x 1.5e15 uSTX/MW = 15 uSTX.
    expect(payment).toEqual({ capabilityUstx: 1n, performanceUstx: 15n, totalUstx: 16n });
  });

  it("a score of 0 pays nothing", () => {
    const payment = regulationPayment(
      { committedW: 2_000_000, performanceBps: 0, mileageBps: 250_000, periodSeconds: 3_600 },
      prices,
    );
    expect(payment.totalUstx).toBe(0n);
  });

  it("amounts are exact integers: the sum of the parts, each at most the unrounded amount and within 1 of it", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 500_000_000 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: 0, max: 86_400 }),
        (committedW, performanceBps, mileageBps, periodSeconds) => {
          const payment = regulationPayment({ committedW, performanceBps, mileageBps, periodSeconds }, prices);
          expect(payment.totalUstx).toBe(payment.capabilityUstx + payment.performanceUstx);
          const exactCapability = (committedW / 1e6) * (performanceBps / 1e4) * 40_000_000 * (periodSeconds / 3_600);
          expect(Number(payment.capabilityUstx)).toBeLessThanOrEqual(exactCapability * (1 + 1e-12) + 1e-6);
          expect(Number(payment.capabilityUstx)).toBeGreaterThan(exactCapability * (1 - 1e-12) - 1);
        },
      ),
      { numRuns: 50, seed: 20261206 },
    );
  });

  it("a performance above 10,000 bps or a fractional watt is refused naming the field", () => {
    expect(() =>
      regulationPayment({ committedW: 1, performanceBps: 10_001, mileageBps: 0, periodSeconds: 0 }, prices),
    ).toThrow(expect.objectContaining({ code: "PAYMENT_INPUT_INVALID" }));
    expect(() =>
      regulationPayment({ committedW: 1.5, performanceBps: 1, mileageBps: 0, periodSeconds: 0 }, prices),
    ).toThrow(expect.objectContaining({ message: expect.stringContaining("committedW") }));
  });
});
