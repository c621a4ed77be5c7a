import { loadHighsRuntime, runModel } from "./highs-run.mjs";
import type { OptimisedSchedule, ScheduleProblem } from "./problem.js";
import { prepareModel, scheduleFromRun } from "./schedule-solve.js";

export interface InProcessSolver {
  /** Solves on the calling thread and blocks it for the whole solve: for scripts and baselines. */
  solve(problem: ScheduleProblem): OptimisedSchedule;
}

/** Loads HiGHS into this thread. Services use OptimiserPool, which keeps the event loop free. */
export async function createInProcessSolver(): Promise<InProcessSolver> {
  const highs = await loadHighsRuntime();
  return {
    solve(problem) {
      const built = prepareModel(problem);
      return scheduleFromRun(problem, built, runModel(highs, built.model));
    },
  };
}
