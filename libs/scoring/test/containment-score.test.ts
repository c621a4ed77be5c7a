import { batteryResponse, frequencyTrace, seededRandom } from "@voltstack/synthetic";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DYNAMIC_CONTAINMENT, droopW, FCR, scoreContainment } from "../src/index.js";

const stepSeconds = 2;
const committedW = 1_000_000;

/** Ten minutes at nominal, a 200 mHz drop that arrives at once and holds for five minutes, then nominal again. */
const excursion = Array.from({ length: 900 }, (_, index) => (index >= 300 && index < 450 ? 49_800 : 50_000));

describe("droopW", () => {
  it("asks nothing inside the deadband, discharge below nominal, charge above, full from the full activation deviation", () => {
    expect(droopW(49_990, committedW, FCR)).toBe(0);
    expect(droopW(50_010, committedW, FCR)).toBe(-0);
    expect(droopW(49_895, committedW, FCR)).toBe(500_000);
    expect(droopW(50_105, committedW, FCR)).toBe(-500_000);
    expect(droopW(49_800, committedW, FCR)).toBe(committedW);
    expect(droopW(49_500, committedW, FCR)).toBe(committedW);
    expect(droopW(49_985, committedW, DYNAMIC_CONTAINMENT)).toBe(0);
    expect(droopW(49_500, committedW, DYNAMIC_CONTAINMENT)).toBe(committedW);
  });
});

describe("scoreContainment: worked examples", () => {
  it("a droop response while the frequency stays inside the deadband earns full marks", () => {
    const frequencyMilliHz = Array.from({ length: 1_800 }, (_, index) => 50_000 + ((index * 7) % 19) - 9);
    const responseW = frequencyMilliHz.map((frequency) => droopW(frequency, committedW, FCR));
    const result = scoreContainment({ frequencyMilliHz, responseW, committedW, stepSeconds }, FCR);
    expect(result).toMatchObject({ score: 1, requiredWh: 0, deliveredWh: 0, errorWh: 0 });
  });

  it("a battery that discharges while nothing is required is scored against the floor, not against zero", () => {
    const frequencyMilliHz = Array<number>(1_800).fill(50_000);
    const responseW = Array<number>(1_800).fill(25_000);
    const result = scoreContainment({ frequencyMilliHz, responseW, committedW, stepSeconds }, FCR);
    // 25 kW for an hour against a floor of 5 % of 1 MW for an hour.
    expect(result.errorWh).toBe(25_000);
    expect(result.score).toBeCloseTo(0.5, 9);
  });

  it("an instant droop response to a 200 mHz excursion scores at least 0.99", () => {
    const responseW = excursion.map((frequency) => droopW(frequency, committedW, FCR));
    const result = scoreContainment({ frequencyMilliHz: excursion, responseW, committedW, stepSeconds }, FCR);
    expect(result.score).toBeGreaterThanOrEqual(0.99);
    expect(result.requiredWh).toBe(83_333);
    expect(result.deliveredWh).toBe(83_333);
  });

  it("a response that ramps to full in 30 s, as slowly as FCR allows, is not penalised", () => {
    let rampedW = 0;
    const responseW = excursion.map((frequency) => {
      const targetW = droopW(frequency, committedW, FCR);
      rampedW += Math.max(-committedW / 15, Math.min(committedW / 15, targetW - rampedW));
      return Math.round(rampedW);
    });
    const result = scoreContainment({ frequencyMilliHz: excursion, responseW, committedW, stepSeconds }, FCR);
    expect(result.score).toBeGreaterThanOrEqual(0.99);
  });

  it("the same 30 s ramp fails Dynamic Containment's 1 s activation", () => {
    const deep = excursion.map((frequency) => (frequency === 50_000 ? 50_000 : 49_500));
    let rampedW = 0;
    const responseW = deep.map((frequency) => {
      const targetW = droopW(frequency, committedW, DYNAMIC_CONTAINMENT);
      rampedW += Math.max(-committedW / 15, Math.min(committedW / 15, targetW - rampedW));
      return Math.round(rampedW);
    });
    const result = scoreContainment(
      { frequencyMilliHz: deep, responseW, committedW, stepSeconds },
      DYNAMIC_CONTAINMENT,
    );
    // 7 step-MW short while ramping up (14 steps of 1 - k/15) and 7 over while ramping down, out of 150 step-MW.
    expect(result.score).toBeCloseTo(1 - 14 / 150, 9);
  });

  it("delivering half of what an excursion asks scores about 0.5", () => {
    const responseW = excursion.map((frequency) => droopW(frequency, committedW, FCR) / 2);
    const result = scoreContainment({ frequencyMilliHz: excursion, responseW, committedW, stepSeconds }, FCR);
    // While the slowest allowed ramp is below half (7 of its 15 steps) half costs nothing; above it, the
    // shortfall is the ramp's lead (2.13 step-MW), then 0.5 MW for 135 steps: 1 - 69.63 / 150.
    expect(result.score).toBeCloseTo(1 - (92 / 15 - 4 + 67.5) / 150, 9);
  });

  it("delivering half of what a noisy frequency trace asks scores about 0.5, a little more where the allowed ramp lags", () => {
    const frequencyMilliHz = frequencyTrace(seededRandom(4), { seconds: 3_600, stepSeconds, nominalMilliHz: 50_000 });
    const responseW = frequencyMilliHz.map((frequency) => Math.round(droopW(frequency, committedW, FCR) / 2));
    const result = scoreContainment({ frequencyMilliHz, responseW, committedW, stepSeconds }, FCR);
    expect(result.score).toBeGreaterThan(0.45);
    expect(result.score).toBeLessThan(0.6);
  });

  it("missing response telemetry counts as zero delivery; missing frequency steps are skipped and reported", () => {
    const responseW: (number | null)[] = excursion.map((frequency) => droopW(frequency, committedW, FCR));
    responseW.fill(null, 350, 360);
    const frequencyMilliHz: (number | null)[] = [...excursion];
    frequencyMilliHz.fill(null, 400, 410);
    const result = scoreContainment({ frequencyMilliHz, responseW, committedW, stepSeconds }, FCR);
    expect(result).toMatchObject({ samples: 890, missingSamples: 10, skippedSamples: 10 });
    // Ten missing 2 s steps at full power: 1 MW x 20 s.
    expect(result.errorWh).toBe(Math.round(20_000_000 / 3_600));
    expect(result.score).toBeLessThan(1);
  });

  it("a period with no frequency at all scores 0: there is nothing to show the service was given", () => {
    const result = scoreContainment(
      { frequencyMilliHz: [null, null], responseW: [0, 0], committedW, stepSeconds },
      FCR,
    );
    expect(result).toMatchObject({ score: 0, samples: 0, skippedSamples: 2 });
  });

  it("the series holds one point per 10 s with the mean frequency, requirement and response", () => {
    const responseW = excursion.map((frequency) => droopW(frequency, committedW, FCR));
    const { series } = scoreContainment({ frequencyMilliHz: excursion, responseW, committedW, stepSeconds }, FCR);
    expect(series).toHaveLength(180);
    expect(series[60]).toEqual({
      offsetSeconds: 600,
      frequencyMilliHz: 49_800,
      requiredW: committedW,
      responseW: committedW,
    });
  });
});

describe("scoreContainment: properties", () => {
  const traces = [1, 2, 3].map((seed) =>
    frequencyTrace(seededRandom(seed), { seconds: 1_800, stepSeconds, nominalMilliHz: 50_000 }),
  );

  it("the score stays in [0, 1] for any behaviour, noise and gaps, under both profiles", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 }),
        fc.constantFrom("good", "delayed", "noisy", "failing" as const),
        fc.double({ min: 0, max: 3, noNaN: true }),
        fc.double({ min: 0, max: 0.9, noNaN: true }),
        fc.constantFrom(FCR, DYNAMIC_CONTAINMENT),
        (trace, kind, noiseFraction, missingFraction, profile) => {
          const frequencyMilliHz = traces[trace]!;
          const responseW = batteryResponse(seededRandom(trace), {
            kind,
            requiredW: frequencyMilliHz.map((frequency) => droopW(frequency, committedW, profile)),
            stepSeconds,
            noiseFraction,
            missingFraction,
          });
          const { score } = scoreContainment({ frequencyMilliHz, responseW, committedW, stepSeconds }, profile);
          expect(score).toBeGreaterThanOrEqual(0);
          expect(score).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: 40, seed: 20261206 },
    );
  });

  it("delivering a fraction f of the droop never scores more than f plus the ramp's allowance", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 }), fc.double({ min: 0, max: 1, noNaN: true }), (trace, fraction) => {
        const frequencyMilliHz = traces[trace]!;
        const responseW = frequencyMilliHz.map((frequency) => fraction * droopW(frequency, committedW, FCR));
        const { score } = scoreContainment({ frequencyMilliHz, responseW, committedW, stepSeconds }, FCR);
        expect(score).toBeLessThanOrEqual(fraction + 0.1);
      }),
      { numRuns: 30, seed: 20261206 },
    );
  });
});
