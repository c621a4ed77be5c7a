import { loadHighsRuntime, runModel } from "./highs-run.mjs";
import type { OptimisedSchedule, ScheduleProblem } from "./problem.js";
import { mixedIntegerModelIfNeeded, prepareModel, scheduleFromRun } from "./schedule-solve.js";

export interface InProcessSolver {
  /** Solves on the calling thread and blocks it for the whole solve: for scripts and baselines. */
  solve(problem: ScheduleProblem): OptimisedSchedule;
}

/** Loads HiGHS into this thread. Services use OptimiserPool, which keeps the event loop free. */
export async function createInProcessSolver(): Promise<InProcessSolver> {
  const highs = await loadHighsRuntime();
  return {
    solve(problem) {
      const relaxed = prepareModel(problem);
      const relaxedRun = runModel(highs, relaxed.model);
      const mixedInteger = mixedIntegerModelIfNeeded(problem, relaxed, relaxedRun);
      if (!mixedInteger) return scheduleFromRun(problem, relaxed, relaxedRun);
      const run = runModel(highs, mixedInteger.model);
      return scheduleFromRun(problem, mixedInteger, { ...run, solveMs: relaxedRun.solveMs + run.solveMs });
    },
  };
}
