import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import {
  type BatteryAsset,
  type InProcessSolver,
  type OptimisedSchedule,
  type ScheduleProblem,
  createInProcessSolver,
} from "../src/index.js";
import { battery } from "./battery-fixture.js";

let solver: InProcessSolver;
beforeAll(async () => {
  solver = await createInProcessSolver();
});

const RUNS = { numRuns: 25, seed: 20_261_206 };
/** kW tolerance: the solver's feasibility tolerance is far below a watt. */
const TOLERANCE = 1e-4;

/** A few kinds of battery, each repeated, some with reserves, behind a limit that often binds. */
const fleetArbitrary = fc
  .record({
    stepMinutes: fc.constantFrom(15 as const, 60 as const),
    energyPrices: fc.array(fc.integer({ min: -5_000, max: 200_000 }), { minLength: 4, maxLength: 24 }),
    kinds: fc.array(
      fc.record({
        copies: fc.integer({ min: 1, max: 4 }),
        initialKwh: fc.integer({ min: 2, max: 8 }),
        maxChargeKw: fc.integer({ min: 1, max: 6 }),
        chargeEfficiency: fc.double({ min: 0.85, max: 1, noNaN: true }),
        degradationCostPerKwh: fc.integer({ min: 0, max: 5_000 }),
        maxCyclesPerDay: fc.option(fc.constantFrom(1, 2), { nil: undefined }),
        endKwh: fc.option(fc.integer({ min: 2, max: 6 }), { nil: undefined }),
        offerPrice: fc.option(fc.integer({ min: 0, max: 20_000 }), { nil: undefined }),
      }),
      { minLength: 1, maxLength: 3 },
    ),
    limitShare: fc.option(fc.double({ min: 0.1, max: 1.2, noNaN: true }), { nil: undefined }),
  })
  .map((draw): ScheduleProblem => {
    const assets = draw.kinds.flatMap((kind, kindIndex) =>
      Array.from({ length: kind.copies }, (_, copy): BatteryAsset => {
        const { offerPrice, maxCyclesPerDay, endKwh } = kind;
        return battery({
          id: `kind-${kindIndex}-${copy}`,
          initialKwh: kind.initialKwh,
          maxChargeKw: kind.maxChargeKw,
          chargeEfficiency: kind.chargeEfficiency,
          degradationCostPerKwh: kind.degradationCostPerKwh,
          minKwh: 1,
          maxKwh: 9,
          selfDischargePerHour: 0.001,
          ...(maxCyclesPerDay === undefined ? {} : { maxCyclesPerDay }),
          ...(endKwh === undefined ? {} : { endKwh }),
          ...(offerPrice === undefined
            ? {}
            : { reserveOffers: [{ product: "fcr", maxKw: 1, pricePerKwHour: offerPrice, durationMinutes: 15 }] }),
        });
      }),
    );
    const totalKw = assets.reduce((total, asset) => total + asset.maxChargeKw, 0);
    return {
      stepMinutes: draw.stepMinutes,
      energyPrices: draw.energyPrices,
      assets,
      ...(draw.limitShare === undefined
        ? {}
        : { fleetLimits: { maxImportKw: totalKw * draw.limitShare, maxExportKw: totalKw * draw.limitShare } }),
    };
  });

function outcome(solve: () => OptimisedSchedule): OptimisedSchedule | string {
  try {
    return solve();
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

describe("the decomposed fleet solve", () => {
  it("earns what the monolithic solve earns on seeded fleets, or refuses the same fleets with the same code", () => {
    fc.assert(
      fc.property(fleetArbitrary, (problem) => {
        const decomposed = outcome(() => solver.solve(problem));
        const monolithic = outcome(() => solver.solve(problem, { fleetStrategy: "monolithic" }));
        if (typeof monolithic === "string" || typeof decomposed === "string") {
          expect(decomposed).toEqual(monolithic);
          return;
        }
        // Both are optimal: the revenues differ only by solver tolerance and the final flooring.
        const gap = Math.abs(decomposed.expectedRevenueMicroStx - monolithic.expectedRevenueMicroStx);
        expect(gap).toBeLessThanOrEqual(Math.max(2, 1e-7 * Math.abs(monolithic.expectedRevenueMicroStx)));
      }),
      RUNS,
    );
  });

  it("never lets the fleet's net import or export, held reserve included, pass the shared limit", () => {
    fc.assert(
      fc.property(fleetArbitrary, (problem) => {
        const result = outcome(() => solver.solve(problem));
        if (typeof result === "string" || problem.fleetLimits === undefined) return;
        problem.energyPrices.forEach((_, step) => {
          const netImportKw = result.assets.reduce(
            (net, asset) => net + asset.chargeKw[step]! - asset.dischargeKw[step]!,
            0,
          );
          const downKw = result.assets.reduce((total, asset) => total + asset.reserveDownKw[step]!, 0);
          const upKw = result.assets.reduce((total, asset) => total + asset.reserveUpKw[step]!, 0);
          expect(netImportKw + downKw).toBeLessThanOrEqual(problem.fleetLimits!.maxImportKw! + TOLERANCE);
          expect(upKw - netImportKw).toBeLessThanOrEqual(problem.fleetLimits!.maxExportKw! + TOLERANCE);
        });
      }),
      RUNS,
    );
  });

  it("gives identical batteries equal shares, each within its own limits", () => {
    const twins = [battery({ id: "a", initialKwh: 4 }), battery({ id: "b", initialKwh: 4 })];
    const result = solver.solve({
      stepMinutes: 60,
      energyPrices: [20_000, 20_000, 100_000, 100_000],
      assets: [...twins, battery({ id: "c", initialKwh: 0 })],
      fleetLimits: { maxImportKw: 6, maxExportKw: 6 },
    });
    const [first, second] = result.assets;
    expect(first!.chargeKw).toEqual(second!.chargeKw);
    expect(first!.dischargeKw).toEqual(second!.dischargeKw);
    expect(first!.storedKwh).toEqual(second!.storedKwh);
    for (const asset of result.assets) {
      for (const stored of asset.storedKwh) expect(stored).toBeLessThanOrEqual(10 + TOLERANCE);
      for (const kw of [...asset.chargeKw, ...asset.dischargeKw]) expect(kw).toBeLessThanOrEqual(5 + TOLERANCE);
    }
    // The 6 kW limit lets 12 kWh out at 100,000: the twins' 8 kWh plus 4 kWh bought at 20,000.
    expect(result.expectedRevenueMicroStx).toBe(1_120_000);
  });

  it("solves identical batteries as separate ones when a negative price needs the MILP, where sharing is not exact", () => {
    // Full, lossy and without wear: burning energy at the negative price pays, so the LP charges and
    // discharges at once and the MILP runs.
    const lossy = (id: string) =>
      battery({ id, initialKwh: 10, chargeEfficiency: 0.8, dischargeEfficiency: 0.8, degradationCostPerKwh: 0 });
    const problem: ScheduleProblem = {
      stepMinutes: 60,
      energyPrices: [-50_000, -50_000, 10_000],
      assets: [lossy("a"), lossy("b"), lossy("c")],
      fleetLimits: { maxImportKw: 8, maxExportKw: 8 },
    };
    const decomposed = solver.solve(problem);
    const monolithic = solver.solve(problem, { fleetStrategy: "monolithic" });
    expect(decomposed.mixedInteger).toBe(true);
    expect(decomposed.expectedRevenueMicroStx).toBe(monolithic.expectedRevenueMicroStx);
    for (const asset of decomposed.assets) {
      asset.chargeKw.forEach((charge, step) => {
        if (problem.energyPrices[step]! < 0) expect(Math.min(charge, asset.dischargeKw[step]!)).toBe(0);
      });
    }
  });
});
