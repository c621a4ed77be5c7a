import { describe, expect, it } from "vitest";
import { integerEnergySteps } from "../src/index.js";
import { battery } from "./battery-fixture.js";

describe("integerEnergySteps", () => {
  it("rounds each step towards the continuous running total, so rounding never accumulates", () => {
    // 0.4 kWh per step: a per-step rounding would record nothing; the running total records 2 of 2.
    const storedKwh = [0.4, 0.8, 1.2, 1.6, 2.0];
    const steps = integerEnergySteps(battery(), { stepMinutes: 60, storedKwh });
    expect(steps).toEqual([0, 1, 0, 1, 0]);
  });

  it("records discharge as negative kWh and lags where the per-step power limit bites, catching up after", () => {
    const steps = integerEnergySteps(battery({ initialKwh: 10, maxDischargeKw: 4 }), {
      stepMinutes: 60,
      storedKwh: [5, 5, 5],
    });
    expect(steps).toEqual([-4, -1, 0]);
  });
});
