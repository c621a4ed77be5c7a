import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { performanceBps } from "../src/index.js";

describe("performanceBps", () => {
  it("rounds down to whole basis points: 0.95 is 9,500, 0.123456 is 1,234", () => {
    expect(performanceBps(0.95)).toBe(9_500);
    expect(performanceBps(0.123456)).toBe(1_234);
    expect(performanceBps(1)).toBe(10_000);
    expect(performanceBps(0)).toBe(0);
  });

  it("a score that binary fractions store just below its decimal value keeps its value: 0.29 is 2,900", () => {
    expect(performanceBps(0.29)).toBe(2_900);
    expect(performanceBps(0.57)).toBe(5_700);
  });

  it("NaN is 0, and scores outside [0, 1] are clamped", () => {
    expect(performanceBps(Number.NaN)).toBe(0);
    expect(performanceBps(-0.2)).toBe(0);
    expect(performanceBps(1.7)).toBe(10_000);
    expect(performanceBps(Number.POSITIVE_INFINITY)).toBe(10_000);
  });

  it("any number maps to an integer in 0..10,000", () => {
    fc.assert(
      fc.property(fc.double(), (score) => {
        const bps = performanceBps(score);
        expect(Number.isInteger(bps)).toBe(true);
        expect(bps).toBeGreaterThanOrEqual(0);
        expect(bps).toBeLessThanOrEqual(10_000);
      }),
      { numRuns: 50, seed: 20261206 },
    );
  });

  it("a higher score never gives fewer basis points", () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (a, b) => {
        const [low, high] = a <= b ? [a, b] : [b, a];
        expect(performanceBps(low)).toBeLessThanOrEqual(performanceBps(high));
      }),
      { numRuns: 50, seed: 20261206 },
    );
  });
});
