import { batteryResponse, regulationSignal, seededRandom } from "@voltstack/synthetic";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ScoringInputError, scoreRegulation } from "../src/index.js";

const stepSeconds = 2;
const committedW = 1_000_000;
const hour = (seed: number) => regulationSignal(seededRandom(seed), { seconds: 3_600, stepSeconds });
const asWatts = (signal: readonly number[]) => signal.map((bps) => (bps * committedW) / 10_000);

function respond(signal: number[], kind: "good" | "delayed" | "noisy" | "failing", extra: object = {}) {
  return batteryResponse(seededRandom(99), { kind, requiredW: asWatts(signal), stepSeconds, ...extra });
}

describe("scoreRegulation: worked examples", () => {
  const signal = hour(1);

  it("a perfect response scores 1.0 on accuracy, delay, precision and overall, with no delay", () => {
    const result = scoreRegulation({ signal, responseW: asWatts(signal), committedW, stepSeconds });
    expect(result.accuracy).toBeCloseTo(1, 9);
    expect(result.delay).toBe(1);
    expect(result.precision).toBeCloseTo(1, 9);
    expect(result.score).toBeCloseTo(1, 9);
    expect(result.delaySeconds).toBe(0);
    expect(result.passed).toBe(true);
    expect(result.samples).toBe(360);
  });

  it("a response delayed by 60 s is found at 60 s, loses a fifth of the delay score and keeps its accuracy", () => {
    const result = scoreRegulation({
      signal,
      responseW: respond(signal, "delayed", { delaySeconds: 60, noiseFraction: 0 }),
      committedW,
      stepSeconds,
    });
    expect(result.delaySeconds).toBe(60);
    expect(result.delay).toBeCloseTo(0.8, 9);
    expect(result.accuracy).toBeGreaterThan(0.95);
    expect(result.precision).toBeLessThan(0.9);
  });

  it("a noisy response keeps its accuracy and delay but loses precision", () => {
    const result = scoreRegulation({ signal, responseW: respond(signal, "noisy"), committedW, stepSeconds });
    expect(result.delaySeconds).toBe(0);
    expect(result.accuracy).toBeGreaterThan(0.9);
    expect(result.precision).toBeLessThan(0.9);
    expect(result.precision).toBeGreaterThan(0.5);
  });

  it("a failing (zero) response scores 0 on every component and fails the threshold", () => {
    const result = scoreRegulation({ signal, responseW: respond(signal, "failing"), committedW, stepSeconds });
    expect(result).toMatchObject({ score: 0, accuracy: 0, delay: 0, precision: 0, passed: false });
  });

  it("a response that answers only half the signal passes accuracy and delay but scores half on precision", () => {
    const half = signal.map((bps) => (bps * committedW) / 20_000);
    const result = scoreRegulation({ signal, responseW: half, committedW, stepSeconds });
    expect(result.accuracy).toBeCloseTo(1, 9);
    expect(result.precision).toBeCloseTo(0.5, 9);
    expect(result.score).toBeCloseTo(2.5 / 3, 9);
  });

  it("missing response telemetry counts as zero delivery and is reported; missing signal steps are skipped", () => {
    const responseW: (number | null)[] = asWatts(signal);
    const withGaps = responseW.map((watts, index) => (index % 10 === 0 ? null : watts));
    const signalWithGaps = signal.map((bps, index) => (index % 50 === 1 ? null : bps));
    const result = scoreRegulation({ signal: signalWithGaps, responseW: withGaps, committedW, stepSeconds });
    expect(result.missingSamples).toBe(180);
    expect(result.skippedSamples).toBe(36);
    expect(result.precision).toBeLessThan(0.99);
    expect(result.score).toBeLessThan(1);
  });

  it("the series holds one point per 10 s, in watts, with the mean of each interval", () => {
    const result = scoreRegulation({ signal, responseW: asWatts(signal), committedW, stepSeconds });
    expect(result.series).toHaveLength(360);
    const first = signal.slice(0, 5).reduce((sum, bps) => sum + bps, 0) / 5;
    expect(result.series[0]).toEqual({
      offsetSeconds: 0,
      signalW: Math.round(first * 100),
      responseW: Math.round(first * 100),
    });
    expect(result.series[359]!.offsetSeconds).toBe(3_590);
  });

  it("mileage is the sum of the signal's moves in basis points", () => {
    const result = scoreRegulation({
      signal: [0, 5_000, -5_000, null, 0],
      responseW: [0, 0, 0, 0, 0],
      committedW,
      stepSeconds,
    });
    expect(result.mileageBps).toBe(20_000);
    expect(result.periodSeconds).toBe(10);
  });

  it("a signal and response of different lengths are refused naming both lengths", () => {
    expect(() => scoreRegulation({ signal: [1, 2, 3], responseW: [1, 2], committedW, stepSeconds })).toThrow(
      expect.objectContaining({ code: "SERIES_LENGTHS_DIFFER", message: expect.stringContaining("3 samples") }),
    );
  });

  it("a step that does not divide the 10 s scoring interval is refused", () => {
    expect(() => scoreRegulation({ signal: [1], responseW: [1], committedW, stepSeconds: 3 })).toThrow(
      ScoringInputError,
    );
  });
});

describe("scoreRegulation: properties", () => {
  const signals = new Map<number, number[]>();
  const signalFor = (seed: number) => {
    if (!signals.has(seed)) signals.set(seed, regulationSignal(seededRandom(seed), { seconds: 1_800, stepSeconds }));
    return signals.get(seed)!;
  };

  it("every score and component stays in [0, 1] whatever the behaviour, noise and gaps", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.constantFrom("good", "delayed", "noisy", "failing" as const),
        fc.double({ min: 0, max: 3, noNaN: true }),
        fc.double({ min: 0, max: 0.9, noNaN: true }),
        (seed, kind, noiseFraction, missingFraction) => {
          const signal = signalFor(seed);
          const responseW = batteryResponse(seededRandom(seed), {
            kind,
            requiredW: asWatts(signal),
            stepSeconds,
            noiseFraction,
            missingFraction,
          });
          const result = scoreRegulation({ signal, responseW, committedW, stepSeconds });
          for (const value of [result.score, result.accuracy, result.delay, result.precision]) {
            expect(value).toBeGreaterThanOrEqual(0);
            expect(value).toBeLessThanOrEqual(1);
          }
        },
      ),
      { numRuns: 40, seed: 20261206 },
    );
  });

  it("the same noise made larger never raises the precision score", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (seed, a, b) => {
          const [smaller, larger] = a <= b ? [a, b] : [b, a];
          const signal = signalFor(seed);
          const precisionWith = (noiseFraction: number) =>
            scoreRegulation({
              signal,
              responseW: batteryResponse(seededRandom(seed + 100), {
                kind: "noisy",
                requiredW: asWatts(signal),
                stepSeconds,
                noiseFraction,
              }),
              committedW,
              stepSeconds,
            }).precision;
          // Responses are whole watts: rounding moves the error by at most 0.5 W in 1 MW.
          expect(precisionWith(larger)).toBeLessThanOrEqual(precisionWith(smaller) + 1e-5);
        },
      ),
      { numRuns: 30, seed: 20261206 },
    );
  });

  it("delaying a perfect response by k scoring intervals moves the best shift by exactly k intervals", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 30 }), (seed, k) => {
        const signal = signalFor(seed);
        const responseW = batteryResponse(seededRandom(seed), {
          kind: "delayed",
          requiredW: asWatts(signal),
          stepSeconds,
          delaySeconds: k * 10,
          noiseFraction: 0,
        });
        const result = scoreRegulation({ signal, responseW, committedW, stepSeconds });
        expect(result.delaySeconds).toBe(k * 10);
        expect(result.delay).toBeCloseTo(1 - (k * 10) / 300, 9);
      }),
      { numRuns: 30, seed: 20261206 },
    );
  });
});
