import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import {
  type BatteryAsset,
  type InProcessSolver,
  type ScheduleProblem,
  createInProcessSolver,
  integerEnergySteps,
  scheduleRevenue,
  thresholdSchedule,
} from "../src/index.js";

let solver: InProcessSolver;
beforeAll(async () => {
  solver = await createInProcessSolver();
});

const RUNS = { numRuns: 25, seed: 20_261_206 };
/** kW and kWh tolerance: the solver's feasibility tolerance is far below a watt. */
const TOLERANCE = 1e-4;

const assetArbitrary = fc
  .record({
    capacityKwh: fc.integer({ min: 10, max: 200 }),
    minFraction: fc.double({ min: 0, max: 0.2, noNaN: true }),
    maxFraction: fc.double({ min: 0.8, max: 1, noNaN: true }),
    initialFraction: fc.double({ min: 0, max: 1, noNaN: true }),
    maxChargeKw: fc.integer({ min: 1, max: 100 }),
    maxDischargeKw: fc.integer({ min: 1, max: 100 }),
    chargeEfficiency: fc.double({ min: 0.8, max: 1, noNaN: true }),
    dischargeEfficiency: fc.double({ min: 0.8, max: 1, noNaN: true }),
    selfDischargePerHour: fc.double({ min: 0, max: 0.005, noNaN: true }),
    degradationCostPerKwh: fc.integer({ min: 0, max: 5_000 }),
    maxCyclesPerDay: fc.option(fc.double({ min: 0.5, max: 3, noNaN: true }), { nil: undefined }),
    reserveFraction: fc.option(fc.double({ min: 0, max: 0.3, noNaN: true }), { nil: undefined }),
    offerPrice: fc.option(fc.integer({ min: 0, max: 20_000 }), { nil: undefined }),
  })
  .map((draw): BatteryAsset => {
    const minKwh = draw.capacityKwh * draw.minFraction;
    const maxKwh = draw.capacityKwh * draw.maxFraction;
    const reserveKw = (draw.reserveFraction ?? 0) * Math.min(draw.maxChargeKw, draw.maxDischargeKw);
    const durationMinutes = 15;
    // Start where the committed reserve is deliverable, so every drawn problem is feasible.
    const lowest = minKwh + (reserveKw * durationMinutes) / 60 / draw.dischargeEfficiency;
    const highest = maxKwh - ((reserveKw * durationMinutes) / 60) * draw.chargeEfficiency;
    return {
      id: "asset",
      capacityKwh: draw.capacityKwh,
      minKwh,
      maxKwh,
      initialKwh: lowest + (highest - lowest) * draw.initialFraction,
      maxChargeKw: draw.maxChargeKw,
      maxDischargeKw: draw.maxDischargeKw,
      chargeEfficiency: draw.chargeEfficiency,
      dischargeEfficiency: draw.dischargeEfficiency,
      selfDischargePerHour: draw.selfDischargePerHour,
      degradationCostPerKwh: draw.degradationCostPerKwh,
      ...(draw.maxCyclesPerDay === undefined ? {} : { maxCyclesPerDay: draw.maxCyclesPerDay }),
      reserveCommitments:
        reserveKw > 0 ? [{ product: "ffr", upKw: reserveKw, downKw: reserveKw, durationMinutes }] : [],
      reserveOffers:
        draw.offerPrice === undefined
          ? []
          : [{ product: "fcr", maxKw: 5, pricePerKwHour: draw.offerPrice, durationMinutes: 30 }],
    };
  });

const problemArbitrary = fc
  .record({
    stepMinutes: fc.constantFrom(15 as const, 60 as const),
    energyPrices: fc.array(fc.integer({ min: -10_000, max: 250_000 }), { minLength: 4, maxLength: 24 }),
    assets: fc.array(assetArbitrary, { minLength: 1, maxLength: 2 }),
  })
  .map((draw): ScheduleProblem => ({
    ...draw,
    assets: draw.assets.map((asset, index) => ({ ...asset, id: `asset-${index}` })),
  }));

describe("optimised schedules of small random problems", () => {
  it("never break a power, state-of-charge or reserve limit, and balance energy at every step", () => {
    fc.assert(
      fc.property(problemArbitrary, (problem) => {
        const result = solver.solve(problem);
        const stepHours = problem.stepMinutes / 60;
        problem.assets.forEach((asset, index) => {
          const schedule = result.assets[index]!;
          const upCommitted = (asset.reserveCommitments ?? []).reduce((sum, r) => sum + r.upKw, 0);
          const offered = schedule.offeredKw.reduce((sum, kw) => sum + kw, 0);
          const retention = (1 - asset.selfDischargePerHour) ** stepHours;
          // kWh one kW of each reserve needs stored (up) or free (down) for its duration.
          const upKwh = [
            ...(asset.reserveCommitments ?? []).map(
              (r) => (r.upKw * r.durationMinutes) / 60 / asset.dischargeEfficiency,
            ),
            ...(asset.reserveOffers ?? []).map(
              (o, o_) => (schedule.offeredKw[o_]! * o.durationMinutes) / 60 / asset.dischargeEfficiency,
            ),
          ].reduce((sum, kwh) => sum + kwh, 0);
          const downKwh = [
            ...(asset.reserveCommitments ?? []).map(
              (r) => ((r.downKw * r.durationMinutes) / 60) * asset.chargeEfficiency,
            ),
            ...(asset.reserveOffers ?? []).map(
              (o, o_) => ((schedule.offeredKw[o_]! * o.durationMinutes) / 60) * asset.chargeEfficiency,
            ),
          ].reduce((sum, kwh) => sum + kwh, 0);
          let previous = asset.initialKwh;
          schedule.storedKwh.forEach((stored, step) => {
            const charge = schedule.chargeKw[step]!;
            const discharge = schedule.dischargeKw[step]!;
            expect(charge).toBeGreaterThanOrEqual(0);
            expect(discharge + upCommitted + offered).toBeLessThanOrEqual(asset.maxDischargeKw + TOLERANCE);
            expect(charge + schedule.reserveDownKw[step]!).toBeLessThanOrEqual(asset.maxChargeKw + TOLERANCE);
            expect(stored - upKwh).toBeGreaterThanOrEqual(asset.minKwh - TOLERANCE);
            expect(stored + downKwh).toBeLessThanOrEqual(asset.maxKwh + TOLERANCE);
            const balanced =
              previous * retention +
              asset.chargeEfficiency * charge * stepHours -
              (discharge * stepHours) / asset.dischargeEfficiency;
            expect(Math.abs(stored - balanced)).toBeLessThan(TOLERANCE);
            if (problem.energyPrices[step]! < 0) expect(Math.min(charge, discharge)).toBe(0);
            previous = stored;
          });
        });
      }),
      RUNS,
    );
  });

  it("never earn less than the threshold rule evaluated under the same model", () => {
    fc.assert(
      fc.property(problemArbitrary, (problem) => {
        const result = solver.solve(problem);
        const sorted = [...problem.energyPrices].sort((a, b) => a - b);
        const lowPrice = sorted[Math.floor(sorted.length * 0.3)]!;
        const highPrice = sorted[Math.floor(sorted.length * 0.7)]!;
        const thresholdRevenue = problem.assets.reduce((total, asset) => {
          const baseline = thresholdSchedule(asset, problem.energyPrices, {
            stepMinutes: problem.stepMinutes,
            lowPrice,
            highPrice,
          });
          return total + scheduleRevenue(asset, problem.energyPrices, baseline).revenueMicroStx;
        }, 0);
        // Each asset's revenue is floored separately for the baseline: allow one micro-STX per asset.
        expect(result.expectedRevenueMicroStx).toBeGreaterThanOrEqual(thresholdRevenue - problem.assets.length);
      }),
      RUNS,
    );
  });

  it("and any continuous schedule turn into integer kWh steps within the SoC limits and per-step power limits", () => {
    fc.assert(
      fc.property(problemArbitrary, fc.boolean(), (problem, optimised) => {
        const stepHours = problem.stepMinutes / 60;
        const schedules = optimised
          ? solver.solve(problem).assets
          : problem.assets.map((asset) => {
              const rule = thresholdSchedule(asset, problem.energyPrices, {
                stepMinutes: problem.stepMinutes,
                lowPrice: 50_000,
                highPrice: 120_000,
              });
              return { ...rule, storedKwh: scheduleRevenue(asset, problem.energyPrices, rule).storedKwh };
            });
        problem.assets.forEach((asset, index) => {
          const steps = integerEnergySteps(asset, schedules[index]!);
          let recorded = asset.initialKwh;
          steps.forEach((change) => {
            expect(Number.isInteger(change)).toBe(true);
            expect(change).toBeLessThanOrEqual(Math.floor(asset.maxChargeKw * stepHours));
            expect(-change).toBeLessThanOrEqual(Math.floor(asset.maxDischargeKw * stepHours));
            recorded += change;
            expect(recorded).toBeGreaterThanOrEqual(asset.minKwh - 1e-9);
            expect(recorded).toBeLessThanOrEqual(asset.maxKwh + 1e-9);
          });
        });
      }),
      RUNS,
    );
  });
});
