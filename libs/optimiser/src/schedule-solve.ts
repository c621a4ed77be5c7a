import { assetLimits } from "./asset-limits.js";
import { InfeasibleScheduleError } from "./errors.js";
import { checkFeasibility } from "./feasibility.js";
import type { ModelRun } from "./highs-run.mjs";
import { groupIdenticalAssets } from "./identical-assets.js";
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

/**
 * How a fleet reaches HiGHS. `decomposed` (the default): identical batteries solved as one
 * larger battery, and the fleet limits added only when the answer without them breaks them,
 * continuing from that answer's basis. `monolithic`: every battery and every row in one cold
 * solve, as before; kept as the reference the decomposed path is measured and tested against.
 */
export type FleetStrategy = "decomposed" | "monolithic";

/** The model to run and how its columns map back to the problem's assets. */
export interface PreparedModel {
  built: BuiltModel;
  /** Rows from here on are run only if needed (see runModel); `numRows` runs everything at once. */
  deferredRowsFrom: number;
  /** For each asset of the problem, the model asset whose columns hold its schedule. */
  kindOf: number[];
  /** How many of the problem's assets share each model asset, each taking an equal part. */
  members: number[];
}

/** Validates, refuses what is decidably infeasible, and builds the LP: everything before HiGHS. */
export function prepareModel(problem: ScheduleProblem, strategy: FleetStrategy = "decomposed"): PreparedModel {
  validateProblem(problem);
  checkFeasibility(problem);
  if (strategy === "monolithic") return oneAssetPerModelAsset(problem, buildModel(problem, false));
  const grouped = groupIdenticalAssets(problem);
  const built = buildModel(grouped.problem, false);
  return { built, deferredRowsFrom: built.fleetRowsFrom, kindOf: grouped.kindOf, members: grouped.members };
}

function oneAssetPerModelAsset(problem: ScheduleProblem, built: BuiltModel): PreparedModel {
  return {
    built,
    deferredRowsFrom: built.model.numRows,
    kindOf: problem.assets.map((_, index) => index),
    members: problem.assets.map(() => 1),
  };
}

/**
 * The MILP with binaries on negative-price steps, when the LP's answer charges and discharges at
 * once on one of them; undefined when the LP's answer is already a schedule a battery can run
 * (and so optimal for the MILP too, whose feasible set lies inside the LP's). The MILP keeps
 * every battery separate: grouping identical ones is exact only for the LP.
 */
export function mixedIntegerModelIfNeeded(
  problem: ScheduleProblem,
  prepared: PreparedModel,
  run: ModelRun,
): PreparedModel | undefined {
  if (run.modelStatus !== OPTIMAL) return undefined;
  const simultaneous = prepared.built.columns.some((asset, kind) =>
    problem.energyPrices.some(
      (price, step) =>
        price < 0 &&
        (Math.min(run.colValue[asset.charge[step]!]!, run.colValue[asset.discharge[step]!]!) /
          prepared.members[kind]!) *
          SNAP >=
          1,
    ),
  );
  return simultaneous ? oneAssetPerModelAsset(problem, buildModel(problem, true)) : undefined;
}

/** Turns HiGHS' answer into per-asset schedules, or into the error that explains why there is none. */
export function scheduleFromRun(problem: ScheduleProblem, prepared: PreparedModel, run: ModelRun): OptimisedSchedule {
  if (run.modelStatus === INFEASIBLE || run.modelStatus === UNBOUNDED_OR_INFEASIBLE) {
    throw new InfeasibleScheduleError(
      "combined-limits",
      "no schedule meets all limits together (state of charge, power, reserves, end targets, cycles, fleet limits)",
    );
  }
  if (run.modelStatus !== OPTIMAL) {
    throw new Error(`the solver stopped without an optimal schedule (HiGHS model status ${run.modelStatus})`);
  }
  let revenueMicroStx = 0;
  const assets = problem.assets.map((asset, index): AssetSchedule => {
    const kind = prepared.kindOf[index]!;
    const columns = prepared.built.columns[kind]!;
    const share = prepared.members[kind]!;
    const value = (column: number) => Math.round((run.colValue[column]! / share) * SNAP) / SNAP;
    const power = (column: number) => Math.max(0, value(column));
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
    mixedInteger: prepared.built.model.integrality !== undefined,
    solveMs: run.solveMs,
    expectedRevenueMicroStx: Math.floor(revenueMicroStx + 1e-6),
    assets,
  };
}
