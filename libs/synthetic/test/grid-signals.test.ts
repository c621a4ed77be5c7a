import { describe, expect, it } from "vitest";
import { frequencyTrace, regulationSignal, seededRandom } from "../src/index.js";

const HOUR = { seconds: 3_600, stepSeconds: 2 };

describe("regulationSignal", () => {
  it("the same seed gives the same signal and another seed a different one", () => {
    expect(regulationSignal(seededRandom(7), HOUR)).toEqual(regulationSignal(seededRandom(7), HOUR));
    expect(regulationSignal(seededRandom(8), HOUR)).not.toEqual(regulationSignal(seededRandom(7), HOUR));
  });

  it("an hour at 2 s steps is 1,800 integer values inside -10,000..10,000 that use most of the range", () => {
    const signal = regulationSignal(seededRandom(1), HOUR);
    expect(signal).toHaveLength(1_800);
    expect(signal.every((value) => Number.isInteger(value) && Math.abs(value) <= 10_000)).toBe(true);
    expect(Math.max(...signal.map(Math.abs))).toBeGreaterThan(9_000);
  });

  it("the energy asked for nets to about zero: the mean stays within 1 % of full scale", () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const signal = regulationSignal(seededRandom(seed), HOUR);
      const mean = signal.reduce((sum, value) => sum + value, 0) / signal.length;
      expect(Math.abs(mean)).toBeLessThan(100);
    }
  });

  it("the signal moves fast: its mileage over an hour is more than 20 full-scale swings", () => {
    const signal = regulationSignal(seededRandom(3), HOUR);
    const mileageBps = signal.slice(1).reduce((sum, value, index) => sum + Math.abs(value - signal[index]!), 0);
    expect(mileageBps).toBeGreaterThan(20 * 10_000);
  });
});

describe("frequencyTrace", () => {
  const shape = { seconds: 4 * 3_600, stepSeconds: 2, nominalMilliHz: 50_000 };

  it("the same seed gives the same trace", () => {
    expect(frequencyTrace(seededRandom(11), shape)).toEqual(frequencyTrace(seededRandom(11), shape));
  });

  it("the frequency wanders tens of mHz around nominal in integer mHz", () => {
    const trace = frequencyTrace(seededRandom(11), shape);
    expect(trace).toHaveLength(7_200);
    expect(trace.every(Number.isInteger)).toBe(true);
    const deviations = trace.map((value) => value - 50_000).sort((a, b) => Math.abs(a) - Math.abs(b));
    const median = Math.abs(deviations[Math.floor(deviations.length / 2)]!);
    expect(median).toBeGreaterThan(5);
    expect(median).toBeLessThan(60);
  });

  it("four hours hold at least one excursion beyond 100 mHz and none beyond 450 mHz", () => {
    for (const seed of [11, 12, 13]) {
      const largest = Math.max(...frequencyTrace(seededRandom(seed), shape).map((value) => Math.abs(value - 50_000)));
      expect(largest).toBeGreaterThan(100);
      expect(largest).toBeLessThan(450);
    }
  });
});
