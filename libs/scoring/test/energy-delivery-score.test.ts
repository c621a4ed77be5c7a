import { describe, expect, it } from "vitest";
import { scoreEnergyDelivery } from "../src/index.js";

const stepSeconds = 2;
const committedW = 1_000_000;
const hourAt = (watts: number | null) => Array<number | null>(1_800).fill(watts);

describe("scoreEnergyDelivery", () => {
  it("delivering the committed power for the whole hour scores 1 and 1,000 kWh", () => {
    expect(scoreEnergyDelivery({ responseW: hourAt(committedW), stepSeconds, committedW })).toEqual({
      score: 1,
      deliveredKwh: 1_000,
      committedWh: 1_000_000,
      missingSamples: 0,
    });
  });

  it("under-delivery by half scores 0.5", () => {
    const result = scoreEnergyDelivery({ responseW: hourAt(committedW / 2), stepSeconds, committedW });
    expect(result.score).toBe(0.5);
    expect(result.deliveredKwh).toBe(500);
  });

  it("over-delivery is capped at a score of 1 but its energy is reported", () => {
    const result = scoreEnergyDelivery({ responseW: hourAt(1_500_000), stepSeconds, committedW });
    expect(result.score).toBe(1);
    expect(result.deliveredKwh).toBe(1_500);
  });

  it("delivered kWh are rounded down: 999.99... kWh is 999", () => {
    const responseW = hourAt(committedW);
    responseW[0] = committedW - 1;
    expect(scoreEnergyDelivery({ responseW, stepSeconds, committedW }).deliveredKwh).toBe(999);
  });

  it("charging nets against discharging and a net charge delivers 0 kWh with a score of 0", () => {
    const result = scoreEnergyDelivery({ responseW: hourAt(-200_000), stepSeconds, committedW });
    expect(result).toMatchObject({ score: 0, deliveredKwh: 0 });
  });

  it("a gap delivers nothing: a tenth of the hour missing scores 0.9", () => {
    const responseW = hourAt(committedW);
    responseW.fill(null, 0, 180);
    expect(scoreEnergyDelivery({ responseW, stepSeconds, committedW })).toMatchObject({
      score: 0.9,
      deliveredKwh: 900,
      missingSamples: 180,
    });
  });

  it("a committed power of zero is refused naming the constraint", () => {
    expect(() => scoreEnergyDelivery({ responseW: [1], stepSeconds, committedW: 0 })).toThrow(
      expect.objectContaining({ code: "COMMITTED_POWER_INVALID" }),
    );
  });
});
