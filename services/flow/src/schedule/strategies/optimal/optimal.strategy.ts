import {
  type BatteryAsset,
  integerEnergySteps,
  type OptimiserPool,
  type ScheduleProblem,
  type StepMinutes,
} from "@voltstack/optimiser";
import type {
  Horizon,
  PlannedSchedule,
  PlanningFacility,
  PlanningInputs,
  ScheduleStep,
  SchedulingStrategy,
} from "../../scheduling-strategy.js";

/** The optimal strategy could not plan for a reason of its own (no prices ahead). */
export class StrategyUnavailableError extends Error {
  readonly code = "STRATEGY_UNAVAILABLE";
}

/**
 * Energy arbitrage co-optimised with the reserve the facilities have committed to programs, as
 * a linear programme (mixed-integer where prices go negative) solved by HiGHS on worker threads:
 * every facility given is planned in one model, so a shared connection limit binds them together.
 * Only approved facilities move; the others hold, as the contract's rule has them.
 */
export class OptimalStrategy implements SchedulingStrategy {
  readonly name = "optimal" as const;

  constructor(private readonly pool: OptimiserPool) {}

  async plan(facilities: PlanningFacility[], inputs: PlanningInputs, horizon: Horizon): Promise<PlannedSchedule[]> {
    if (!inputs.prices) throw new StrategyUnavailableError("no price curve covers the steps ahead");
    const active = facilities.filter(({ state }) => state.status === "approved");
    const holding = facilities.filter(({ state }) => state.status !== "approved");
    const stepMinutes = horizon.stepMinutes as StepMinutes;
    const assets = active.map(batteryAsset);
    const problem: ScheduleProblem = {
      stepMinutes,
      energyPrices: inputs.prices,
      assets,
      ...(inputs.fleetLimit && {
        fleetLimits: {
          ...(inputs.fleetLimit.importKw !== null && { maxImportKw: inputs.fleetLimit.importKw }),
          ...(inputs.fleetLimit.exportKw !== null && { maxExportKw: inputs.fleetLimit.exportKw }),
        },
      }),
    };
    const solved = assets.length > 0 ? await this.pool.solve(problem) : { assets: [] };
    const planned = solved.assets.map((schedule, index): PlannedSchedule => {
      const kwh = integerEnergySteps(assets[index]!, schedule);
      return {
        facilityId: active[index]!.state.facilityId,
        strategy: this.name,
        stepMinutes,
        steps: kwh.map((moved, step) => stepOf(horizon, step, moved)),
        expectedRevenueMicroStx: BigInt(Math.floor(schedule.revenueMicroStx)),
      };
    });
    const held = holding.map(({ state }): PlannedSchedule => ({
      facilityId: state.facilityId,
      strategy: this.name,
      stepMinutes,
      steps: Array.from({ length: horizon.count }, (_, step) => stepOf(horizon, step, 0)),
      expectedRevenueMicroStx: 0n,
    }));
    return [...planned, ...held].sort((a, b) => a.facilityId - b.facilityId);
  }
}

function stepOf(horizon: Horizon, index: number, movedKwh: number): ScheduleStep {
  return {
    startsAt: new Date(horizon.startsAt.getTime() + index * horizon.stepMinutes * 60_000).toISOString(),
    action: movedKwh > 0 ? "charge" : movedKwh < 0 ? "discharge" : "hold",
    energyKwh: Math.abs(movedKwh),
  };
}

/** The optimiser's view of a facility: the chain's levels, the owner's battery model, the programs' reserve. */
export function batteryAsset({ state, settings, reserves }: PlanningFacility): BatteryAsset {
  const capacityKwh = Number(state.totalKwh);
  const storedKwh = Number(state.storedKwh);
  const endKwh = settings.endKwh === null ? storedKwh : Number(settings.endKwh);
  return {
    id: String(state.facilityId),
    capacityKwh,
    initialKwh: storedKwh,
    minKwh: 0,
    maxKwh: capacityKwh,
    maxChargeKw: Number(state.maxPowerKw),
    maxDischargeKw: Number(state.maxPowerKw),
    chargeEfficiency: settings.chargeEfficiencyBps / 10_000,
    dischargeEfficiency: settings.dischargeEfficiencyBps / 10_000,
    selfDischargePerHour: settings.selfDischargeBpsPerDay / 10_000 / 24,
    degradationCostPerKwh: settings.degradationMicroStxPerKwh,
    ...(settings.maxCyclesPerDay !== null && { maxCyclesPerDay: settings.maxCyclesPerDay }),
    endKwh: Math.min(endKwh, capacityKwh),
    reserveCommitments: reserves.map((reserve) => ({
      product: reserve.product,
      upKw: Number(reserve.upKw),
      downKw: Number(reserve.downKw),
      durationMinutes: reserve.durationMinutes,
    })),
  };
}
