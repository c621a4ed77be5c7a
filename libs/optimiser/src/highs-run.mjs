// Runs one model on a loaded HiGHS runtime and frees it, in a worker or in the calling thread.
// Plain JavaScript so the worker loads the same file under tsx, vitest and from compiled code.

import { performance } from "node:perf_hooks";
import loadHighs from "highs";

const OPTIMAL = 7;
/** A fleet row broken by more than this many kW counts as broken (far above solver noise). */
const ROW_TOLERANCE = 1e-6;

/** Loads and instantiates the HiGHS WebAssembly runtime (tens of milliseconds, once per thread). */
export function loadHighsRuntime() {
  return loadHighs();
}

/**
 * Solves the model. Rows from `deferredRowsFrom` on (the fleet limits) are left out of a first
 * solve; when its answer already keeps them, it is optimal for the whole model (a relaxation's
 * optimum that is feasible is optimal). Otherwise they are added and HiGHS continues from the
 * first solve's basis, which took far fewer simplex iterations than solving the whole model
 * cold for a fleet behind a binding limit.
 *
 * @param {import("highs").Highs} highs
 * @param {import("highs").ModelData & import("./linear-model.js").LinearModel} model
 * @param {number} [deferredRowsFrom]
 */
export function runModel(highs, model, deferredRowsFrom = model.numRows) {
  const started = performance.now();
  const deferring = deferredRowsFrom < model.numRows && model.integrality === undefined;
  const firstModel = deferring ? withoutRowsFrom(model, deferredRowsFrom) : model;
  // withModel disposes the native model when the callback returns: no Wasm memory is kept.
  return highs.withModel(firstModel, (solver) => {
    solver.options.set({ output_flag: false });
    solver.run();
    let modelStatus = solver.getModelStatus();
    if (deferring && modelStatus === OPTIMAL) {
      if (!keepsRowsFrom(model, deferredRowsFrom, solver.getSolution().colValue)) {
        solver.addRows(rowsFrom(model, deferredRowsFrom));
        solver.run();
        modelStatus = solver.getModelStatus();
      }
    }
    const colValue = modelStatus === OPTIMAL ? solver.getSolution().colValue : new Float64Array(0);
    return { modelStatus, colValue, solveMs: performance.now() - started };
  });
}

/** @param {import("./linear-model.js").LinearModel} model @param {number} first */
function withoutRowsFrom(model, first) {
  const end = model.matrix.starts[first];
  return {
    ...model,
    numRows: first,
    rowLower: model.rowLower.subarray(0, first),
    rowUpper: model.rowUpper.subarray(0, first),
    matrix: {
      ...model.matrix,
      numRows: first,
      starts: model.matrix.starts.subarray(0, first + 1),
      indices: model.matrix.indices.subarray(0, end),
      values: model.matrix.values.subarray(0, end),
    },
  };
}

/** @param {import("./linear-model.js").LinearModel} model @param {number} first */
function rowsFrom(model, first) {
  const offset = model.matrix.starts[first];
  return {
    lower: model.rowLower.slice(first),
    upper: model.rowUpper.slice(first),
    matrix: {
      format: "csr",
      numRows: model.numRows - first,
      numCols: model.numCols,
      starts: model.matrix.starts.slice(first).map((start) => start - offset),
      indices: model.matrix.indices.slice(offset),
      values: model.matrix.values.slice(offset),
    },
  };
}

/**
 * @param {import("./linear-model.js").LinearModel} model
 * @param {number} first
 * @param {Float64Array} colValue
 */
function keepsRowsFrom(model, first, colValue) {
  const { starts, indices, values } = model.matrix;
  for (let row = first; row < model.numRows; row += 1) {
    let activity = 0;
    for (let entry = starts[row]; entry < starts[row + 1]; entry += 1) {
      activity += values[entry] * colValue[indices[entry]];
    }
    if (activity > model.rowUpper[row] + ROW_TOLERANCE || activity < model.rowLower[row] - ROW_TOLERANCE) return false;
  }
  return true;
}
