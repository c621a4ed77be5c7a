// A worker thread that owns one HiGHS runtime and solves the models it is sent, one at a time,
// so a long solve never blocks the caller's event loop. Messages: { id, model, deferredRowsFrom } in,
// { id, run } or { id, error } out; the solution's buffer is transferred, not copied.
import { parentPort } from "node:worker_threads";
import { loadHighsRuntime, runModel } from "./highs-run.mjs";

const highs = await loadHighsRuntime();

parentPort.on("message", ({ id, model, deferredRowsFrom }) => {
  try {
    const run = runModel(highs, model, deferredRowsFrom);
    parentPort.postMessage({ id, run }, [run.colValue.buffer]);
  } catch (error) {
    parentPort.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
});
parentPort.postMessage({ ready: true });
