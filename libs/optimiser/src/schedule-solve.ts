import { assetLimits } from "./asset-limits.js";
import { InfeasibleScheduleError } from "./errors.js";
import { checkFeasibility } from "./feasibility.js";
import type { ModelRun } from "./highs-run.mjs";
import { type BuiltModel, buildModel } from "./linear-model.js";
import type { AssetSchedule, OptimisedSchedule, ScheduleProblem } from "./problem.js";
import { scheduleRevenue } from "./schedule-revenue.js";
import { validateProblem } from "./validate-problem.js";

/** HiGHS model status codes (highs.constants.modelStatus). */
const OPTIMAL = 7;
const INFEASIBLE = 8;
const UNBOUNDED_OR_INFEASIBLE = 9;

/** Solver values are snapped to a micro-kW so that 99.9999999 reads as 100. */
const SNAP = 1e6;

/** Validates, refuses what is decidably infeasible, and builds the LP: everything before HiGHS. */
export function prepareModel(problem: ScheduleProblem): BuiltModel {
  validateProblem(problem);
  checkFeasibility(problem);
  return buildModel(problem, false);
}

/**
 * The MILP with binaries on negative-price steps, when the LP's answer charges and discharges at
 * once on one of them; undefined when the LP's answer is already a schedule a battery can run
 * (and so optimal for the MILP too, whose feasible set lies inside the LP's).
 */
export function mixedIntegerModelIfNeeded(
  problem: ScheduleProblem,
  built: BuiltModel,
  run: ModelRun,
): BuiltModel | undefined {
  if (run.modelStatus !== OPTIMAL) return undefined;
  const simultaneous = built.columns.some((asset) =>
    problem.energyPrices.some(
      (price, step) =>
        price < 0 && Math.min(run.colValue[asset.charge[step]!]!, run.colValue[asset.discharge[step]!]!) * SNAP >= 1,
    ),
  );
  return simultaneous ? buildModel(problem, true) : undefined;
}

/** Turns HiGHS' answer into per-asset schedules, or into the error that explains why there is none. */
export function scheduleFromRun(problem: ScheduleProblem, built: BuiltModel, run: ModelRun): OptimisedSchedule {
  if (run.modelStatus === INFEASIBLE || run.modelStatus === UNBOUNDED_OR_INFEASIBLE) {
    throw new InfeasibleScheduleError(
      "combined-limits",
      "no schedule meets all limits together (state of charge, power, reserves, end targets, cycles, fleet limits)",
    );
  }
  if (run.modelStatus !== OPTIMAL) {
    throw new Error(`the solver stopped without an optimal schedule (HiGHS model status ${run.modelStatus})`);
  }
  const value = (column: number) => Math.round(run.colValue[column]! * SNAP) / SNAP;
  const power = (column: number) => Math.max(0, value(column));
  let revenueMicroStx = 0;
  const assets = problem.assets.map((asset, index): AssetSchedule => {
    const columns = built.columns[index]!;
    const limits = assetLimits(asset, problem.stepMinutes);
    const offeredKw = columns.offers.map(power);
    const offeredTotalKw = offeredKw.reduce((total, kw) => total + kw, 0);
    const schedule = {
      stepMinutes: problem.stepMinutes,
      chargeKw: columns.charge.map(power),
      dischargeKw: columns.discharge.map(power),
      offeredKw,
    };
    const revenue = scheduleRevenue(asset, problem.energyPrices, schedule);
    revenueMicroStx += revenue.energyMicroStx + revenue.reserveMicroStx - revenue.degradationMicroStx;
    return {
      ...schedule,
      assetId: asset.id,
      storedKwh: columns.stored.map(value),
      reserveUpKw: problem.energyPrices.map(() => limits.upCommittedKw + offeredTotalKw),
      reserveDownKw: problem.energyPrices.map(() => limits.downCommittedKw + offeredTotalKw),
      revenueMicroStx: revenue.revenueMicroStx,
    };
  });
  return {
    status: "optimal",
    mixedInteger: built.model.integrality !== undefined,
    solveMs: run.solveMs,
    expectedRevenueMicroStx: Math.floor(revenueMicroStx + 1e-6),
    assets,
  };
}
