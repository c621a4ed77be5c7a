// Runs one model on a loaded HiGHS runtime and frees it, in a worker or in the calling thread.
// Plain JavaScript so the worker loads the same file under tsx, vitest and from compiled code.

import { performance } from "node:perf_hooks";
import loadHighs from "highs";

const OPTIMAL = 7;

/** Loads and instantiates the HiGHS WebAssembly runtime (tens of milliseconds, once per thread). */
export function loadHighsRuntime() {
  return loadHighs();
}

/**
 * @param {import("highs").Highs} highs
 * @param {import("highs").ModelData} model
 */
export function runModel(highs, model) {
  const started = performance.now();
  // withModel disposes the native model when the callback returns: no Wasm memory is kept.
  return highs.withModel(model, (solver) => {
    solver.options.set({ output_flag: false });
    solver.run();
    const modelStatus = solver.getModelStatus();
    const colValue = modelStatus === OPTIMAL ? solver.getSolution().colValue : new Float64Array(0);
    return { modelStatus, colValue, solveMs: performance.now() - started };
  });
}
