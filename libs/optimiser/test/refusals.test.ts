import { beforeAll, describe, expect, it } from "vitest";
import {
  type InProcessSolver,
  scheduleRevenue,
  InfeasibleScheduleError,
  InvalidScheduleInputError,
  type ScheduleProblem,
  createInProcessSolver,
} from "../src/index.js";
import { battery } from "./battery-fixture.js";

let solver: InProcessSolver;
beforeAll(async () => {
  solver = await createInProcessSolver();
});

const PRICES = [20_000, 100_000];

function refusal(problem: ScheduleProblem): InfeasibleScheduleError {
  try {
    solver.solve(problem);
  } catch (error) {
    if (error instanceof InfeasibleScheduleError) return error;
    throw error;
  }
  throw new Error("the problem was solved, not refused");
}

describe("infeasible schedules are refused naming the constraint", () => {
  it("an up-reserve larger than the battery's discharge power is refused as reserve-power", () => {
    const error = refusal({
      stepMinutes: 60,
      energyPrices: PRICES,
      assets: [battery({ reserveCommitments: [{ product: "ffr", upKw: 6, downKw: 0, durationMinutes: 15 }] })],
    });
    expect(error.code).toBe("SCHEDULE_INFEASIBLE");
    expect(error.constraint).toBe("reserve-power");
    expect(error.assetId).toBe("battery-1");
    expect(error.message).toContain("6 kW up-reserve exceeds 5 kW");
  });

  it("reserves whose energy for their duration exceeds the usable capacity are refused as reserve-energy", () => {
    const error = refusal({
      stepMinutes: 60,
      energyPrices: PRICES,
      assets: [
        battery({ initialKwh: 5, reserveCommitments: [{ product: "frr", upKw: 4, downKw: 4, durationMinutes: 90 }] }),
      ],
    });
    expect(error.constraint).toBe("reserve-energy");
  });

  it("an end target above what full-power charging reaches in the horizon is refused as end-target", () => {
    expect(refusal({ stepMinutes: 60, energyPrices: PRICES, assets: [battery({ endKwh: 10.5 })] }).constraint).toBe(
      "end-target",
    );
    const twoHoursAt4Kw = battery({ maxChargeKw: 4, endKwh: 9 });
    expect(refusal({ stepMinutes: 60, energyPrices: PRICES, assets: [twoHoursAt4Kw] }).constraint).toBe("end-target");
  });

  it("committed up-reserves summing above the fleet's export limit are refused as fleet-limit", () => {
    const reserved = {
      reserveCommitments: [{ product: "ffr", upKw: 3, downKw: 0, durationMinutes: 15 }],
      initialKwh: 5,
    };
    const error = refusal({
      stepMinutes: 60,
      energyPrices: PRICES,
      assets: [battery({ ...reserved, id: "a" }), battery({ ...reserved, id: "b" })],
      fleetLimits: { maxExportKw: 5 },
    });
    expect(error.constraint).toBe("fleet-limit");
  });

  it("end targets needing more energy than the import limit lets in are refused as fleet-limit", () => {
    const error = refusal({
      stepMinutes: 60,
      energyPrices: PRICES,
      assets: [battery({ id: "a", endKwh: 8 }), battery({ id: "b", endKwh: 8 })],
      fleetLimits: { maxImportKw: 6 },
    });
    expect(error.constraint).toBe("fleet-limit");
  });

  it("what only the limits together rule out is refused by the solver as combined-limits", () => {
    // Self-discharge pulls the battery below its floor unless it charges, and the connection imports nothing.
    const error = refusal({
      stepMinutes: 60,
      energyPrices: PRICES,
      assets: [battery({ initialKwh: 2, minKwh: 2, selfDischargePerHour: 0.1 })],
      fleetLimits: { maxImportKw: 0 },
    });
    expect(error.constraint).toBe("combined-limits");
  });
});

describe("malformed input is refused with the path of the bad field", () => {
  const valid: ScheduleProblem = { stepMinutes: 60, energyPrices: PRICES, assets: [battery()] };
  const fieldOf = (problem: ScheduleProblem) => {
    try {
      solver.solve(problem);
    } catch (error) {
      if (error instanceof InvalidScheduleInputError) return error.field;
      throw error;
    }
    return "accepted";
  };

  it("a non-integer or non-finite price, an odd step length or an empty horizon", () => {
    expect(fieldOf({ ...valid, energyPrices: [1, Number.NaN] })).toBe("energyPrices[1]");
    expect(fieldOf({ ...valid, energyPrices: [1.5] })).toBe("energyPrices[0]");
    expect(fieldOf({ ...valid, energyPrices: [] })).toBe("energyPrices");
    expect(fieldOf({ ...valid, stepMinutes: 30 as never })).toBe("stepMinutes");
    expect(fieldOf({ ...valid, energyPrices: Array.from({ length: 2_017 }, () => 1), stepMinutes: 5 })).toBe(
      "energyPrices",
    );
  });

  it("an efficiency outside (0, 1], an infinite power, limits out of order or a repeated id", () => {
    expect(fieldOf({ ...valid, assets: [battery({ chargeEfficiency: 1.1 })] })).toBe("assets[0].chargeEfficiency");
    expect(fieldOf({ ...valid, assets: [battery({ maxChargeKw: Infinity })] })).toBe("assets[0].maxChargeKw");
    expect(fieldOf({ ...valid, assets: [battery({ minKwh: 8, maxKwh: 6 })] })).toBe("assets[0].maxKwh");
    expect(fieldOf({ ...valid, assets: [battery(), battery()] })).toBe("assets[1].id");
    expect(fieldOf(valid)).toBe("accepted");
  });

  it("a schedule evaluated against prices of another length", () => {
    const schedule = { stepMinutes: 60 as const, chargeKw: [1], dischargeKw: [0, 0] };
    expect(() => scheduleRevenue(battery(), PRICES, schedule)).toThrow("schedule.chargeKw: has 1 steps for 2 prices");
  });
});
