import { describe, expect, it } from "vitest";
import { batteryResponse, seededRandom } from "../src/index.js";

const requiredW = Array.from({ length: 600 }, (_, index) => Math.round(500_000 * Math.sin(index / 20)));
const stepSeconds = 2;

function meanAbsoluteErrorW(response: (number | null)[], reference: number[]): number {
  return (
    response.reduce<number>((sum, value, index) => sum + Math.abs((value ?? 0) - reference[index]!), 0) /
    response.length
  );
}

describe("batteryResponse", () => {
  it("the same seed gives the same response", () => {
    const options = { kind: "noisy", requiredW, stepSeconds, missingFraction: 0.1 } as const;
    expect(batteryResponse(seededRandom(5), options)).toEqual(batteryResponse(seededRandom(5), options));
  });

  it("a good battery follows within a few per cent of the largest power asked for", () => {
    const response = batteryResponse(seededRandom(5), { kind: "good", requiredW, stepSeconds });
    expect(response.every((value) => Number.isInteger(value))).toBe(true);
    expect(meanAbsoluteErrorW(response, requiredW)).toBeLessThan(0.02 * 500_000);
  });

  it("a good battery without noise follows exactly", () => {
    expect(batteryResponse(seededRandom(5), { kind: "good", requiredW, stepSeconds, noiseFraction: 0 })).toEqual(
      requiredW,
    );
  });

  it("a delayed battery sits idle for the delay, then repeats what was asked that long ago", () => {
    const response = batteryResponse(seededRandom(5), {
      kind: "delayed",
      requiredW,
      stepSeconds,
      delaySeconds: 60,
      noiseFraction: 0,
    });
    expect(response.slice(0, 30)).toEqual(Array(30).fill(0));
    expect(response.slice(30)).toEqual(requiredW.slice(0, -30));
  });

  it("a noisy battery strays further than a good one", () => {
    const noisy = batteryResponse(seededRandom(5), { kind: "noisy", requiredW, stepSeconds });
    const good = batteryResponse(seededRandom(5), { kind: "good", requiredW, stepSeconds });
    expect(meanAbsoluteErrorW(noisy, requiredW)).toBeGreaterThan(5 * meanAbsoluteErrorW(good, requiredW));
  });

  it("a failing battery delivers nothing", () => {
    expect(batteryResponse(seededRandom(5), { kind: "failing", requiredW, stepSeconds })).toEqual(Array(600).fill(0));
  });

  it("missing telemetry appears as null in about the fraction asked for", () => {
    const response = batteryResponse(seededRandom(5), { kind: "good", requiredW, stepSeconds, missingFraction: 0.2 });
    const missing = response.filter((value) => value === null).length;
    expect(missing).toBeGreaterThan(0.12 * 600);
    expect(missing).toBeLessThan(0.28 * 600);
  });
});
