import { afterAll, describe, expect, it } from "vitest";
import { InfeasibleScheduleError, OptimiserPool, type ScheduleProblem, ScheduleTimeoutError } from "../src/index.js";
import { battery } from "./battery-fixture.js";

const pool = new OptimiserPool({ workers: 2, timeoutMs: 20_000 });
afterAll(() => pool.close());

const TWO_PRICE_DAY: ScheduleProblem = {
  stepMinutes: 60,
  energyPrices: [20_000, 20_000, 100_000, 100_000],
  assets: [battery()],
};

describe("OptimiserPool", () => {
  it("solves on a worker thread with the same answer as by hand", async () => {
    const result = await pool.solve(TWO_PRICE_DAY);
    expect(result.expectedRevenueMicroStx).toBe(800_000);
    expect(result.assets[0]!.dischargeKw).toEqual([0, 0, 5, 5]);
  });

  it("the fleet's net import and export, reserves included, stay within the connection limit at every step", async () => {
    const fleet = ["a", "b", "c"].map((id) =>
      battery({
        id,
        initialKwh: 5,
        reserveOffers: [{ product: "fcr", maxKw: 1, pricePerKwHour: 1_000, durationMinutes: 15 }],
      }),
    );
    const result = await pool.solve({
      ...TWO_PRICE_DAY,
      assets: fleet,
      fleetLimits: { maxImportKw: 7, maxExportKw: 6 },
    });
    for (let step = 0; step < 4; step += 1) {
      const netImportKw = result.assets.reduce((sum, a) => sum + a.chargeKw[step]! - a.dischargeKw[step]!, 0);
      const downKw = result.assets.reduce((sum, a) => sum + a.reserveDownKw[step]!, 0);
      const upKw = result.assets.reduce((sum, a) => sum + a.reserveUpKw[step]!, 0);
      expect(netImportKw + downKw).toBeLessThanOrEqual(7 + 1e-6);
      expect(-netImportKw + upKw).toBeLessThanOrEqual(6 + 1e-6);
    }
    // Without the limit the three would move 15 kW: the limit binds.
    expect(Math.max(...result.assets.map((a) => a.chargeKw[0]!)) * 3).toBeLessThan(15);
  });

  it("rejects an infeasible problem before it reaches a worker", async () => {
    const problem = { ...TWO_PRICE_DAY, assets: [battery({ endKwh: 50 })] };
    await expect(pool.solve(problem)).rejects.toBeInstanceOf(InfeasibleScheduleError);
  });

  it("a solve past its timeout rejects with SCHEDULE_TIMEOUT, its worker is replaced, and the pool solves afterwards", async () => {
    const week = Array.from({ length: 2_016 }, (_, step) => 50_000 + ((step * 7_919) % 90_000) - 30_000);
    const big: ScheduleProblem = {
      stepMinutes: 5,
      energyPrices: week,
      assets: Array.from({ length: 3 }, (_, index) => battery({ id: `b${index}`, maxKwh: 10, endKwh: 0 })),
    };
    const replacedBefore = pool.workersReplaced;
    const error = await pool.solve(big, { timeoutMs: 5 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ScheduleTimeoutError);
    expect((error as ScheduleTimeoutError).code).toBe("SCHEDULE_TIMEOUT");
    expect(pool.workersReplaced).toBe(replacedBefore + 1);
    const after = await Promise.all([pool.solve(TWO_PRICE_DAY), pool.solve(TWO_PRICE_DAY)]);
    expect(after.map((result) => result.expectedRevenueMicroStx)).toEqual([800_000, 800_000]);
  });

  it("a closed pool refuses new solves", async () => {
    const closing = new OptimiserPool({ workers: 1 });
    await closing.close();
    await expect(closing.solve(TWO_PRICE_DAY)).rejects.toThrow("closed");
  });
});
