import type { Highs } from "highs";
import type { LinearModel } from "./linear-model.js";

/** HiGHS' answer to one model: its model status code (7 is optimal) and, when optimal, the column values. */
export interface ModelRun {
  modelStatus: number;
  colValue: Float64Array;
  solveMs: number;
}

export function loadHighsRuntime(): Promise<Highs>;

/** Rows from `deferredRowsFrom` on are added only if the answer without them breaks them (LP only). */
export function runModel(highs: Highs, model: LinearModel, deferredRowsFrom?: number): ModelRun;
