import { describe, expect, it } from "vitest";
import {
  nextStepStart,
  planSchedule,
  suggestedAction,
} from "../../src/schedule/strategies/contract-rule/contract-rule.js";

// The charge-discharge contract's get-suggested-action, off chain, and the schedule built
// from it. The end-to-end test compares the rule with the contract's own answer.

const battery = { totalKwh: 2000n, storedKwh: 1200n, availableKwh: 1000n, maxPowerKw: 500n, status: "approved" };
const demand = (level: number) => ({ demandLevelPercent: level, lowThresholdPercent: 30, highThresholdPercent: 70 });

describe("the contract's rule", () => {
  it("discharges what is available at or above the high threshold, at most an hour at max power", () => {
    expect(suggestedAction(battery, demand(70))).toEqual({ action: "discharge", energyKwh: 500n });
    expect(suggestedAction({ ...battery, availableKwh: 300n }, demand(100))).toEqual({
      action: "discharge",
      energyKwh: 300n,
    });
  });

  it("charges the headroom below the low threshold and holds in between or when not approved", () => {
    expect(suggestedAction({ ...battery, storedKwh: 1800n }, demand(29))).toEqual({
      action: "charge",
      energyKwh: 200n,
    });
    expect(suggestedAction(battery, demand(30))).toEqual({ action: "hold", energyKwh: 0n });
    expect(suggestedAction({ ...battery, status: "suspended" }, demand(95))).toEqual({ action: "hold", energyKwh: 0n });
  });

  it("plans hourly steps from the next full hour, each on the levels the steps before it leave", () => {
    const startsAt = nextStepStart(new Date("2026-11-24T07:12:30.000Z"));
    expect(startsAt.toISOString()).toBe("2026-11-24T08:00:00.000Z");
    const steps = planSchedule(battery, demand(10), { startsAt, count: 3 });
    expect(steps).toEqual([
      { startsAt: "2026-11-24T08:00:00.000Z", action: "charge", energyKwh: 500 },
      { startsAt: "2026-11-24T09:00:00.000Z", action: "charge", energyKwh: 300 },
      { startsAt: "2026-11-24T10:00:00.000Z", action: "hold", energyKwh: 0 },
    ]);
    // Reserved energy is never discharged: available, not stored, bounds a discharge.
    const discharges = planSchedule(battery, demand(90), { startsAt, count: 3 }).map((s) => s.energyKwh);
    expect(discharges).toEqual([500, 500, 0]);
  });
});
