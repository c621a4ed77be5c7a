import { loadHighsRuntime, runModel } from "./highs-run.mjs";
import type { OptimisedSchedule, ScheduleProblem } from "./problem.js";
import { type FleetStrategy, mixedIntegerModelIfNeeded, prepareModel, scheduleFromRun } from "./schedule-solve.js";

export interface InProcessSolver {
  /**
   * Solves on the calling thread and blocks it for the whole solve: for scripts and baselines.
   * `fleetStrategy` defaults to `decomposed`; `monolithic` is the old single cold solve.
   */
  solve(problem: ScheduleProblem, options?: { fleetStrategy?: FleetStrategy }): OptimisedSchedule;
}

/** Loads HiGHS into this thread. Services use OptimiserPool, which keeps the event loop free. */
export async function createInProcessSolver(): Promise<InProcessSolver> {
  const highs = await loadHighsRuntime();
  return {
    solve(problem, options = {}) {
      const relaxed = prepareModel(problem, options.fleetStrategy);
      const relaxedRun = runModel(highs, relaxed.built.model, relaxed.deferredRowsFrom);
      const mixedInteger = mixedIntegerModelIfNeeded(problem, relaxed, relaxedRun);
      if (!mixedInteger) return scheduleFromRun(problem, relaxed, relaxedRun);
      const run = runModel(highs, mixedInteger.built.model, mixedInteger.deferredRowsFrom);
      return scheduleFromRun(problem, mixedInteger, { ...run, solveMs: relaxedRun.solveMs + run.solveMs });
    },
  };
}
