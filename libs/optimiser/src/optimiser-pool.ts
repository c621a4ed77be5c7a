import { Worker } from "node:worker_threads";
import { ScheduleTimeoutError } from "./errors.js";
import type { ModelRun } from "./highs-run.mjs";
import type { OptimisedSchedule, ScheduleProblem } from "./problem.js";
import {
  type FleetStrategy,
  type PreparedModel,
  mixedIntegerModelIfNeeded,
  prepareModel,
  scheduleFromRun,
} from "./schedule-solve.js";

export interface OptimiserPoolOptions {
  /** Worker threads, each with its own HiGHS runtime (default 1). */
  workers?: number;
  /** A solve still running after this is stopped by terminating its worker (default 10,000 ms). */
  timeoutMs?: number;
}

/** One model to run on a worker. */
interface Job {
  id: number;
  timeoutMs: number;
  prepared: PreparedModel;
  resolve: (run: ModelRun) => void;
  reject: (error: unknown) => void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  job?: Job;
  timer?: NodeJS.Timeout;
}

type WorkerMessage = { ready: true } | { id: number; run: ModelRun } | { id: number; error: string };

/**
 * Solves schedules on worker threads, since HiGHS blocks the thread it runs on. Jobs queue in
 * arrival order; each worker solves one at a time. A worker whose solve outlives the timeout is
 * terminated (HiGHS cannot be interrupted from outside) and replaced by a fresh one.
 */
export class OptimiserPool {
  readonly #timeoutMs: number;
  readonly #slots: Slot[] = [];
  readonly #queue: Job[] = [];
  #nextId = 0;
  #closed = false;
  #workersReplaced = 0;
  /** Set when a worker failed before it was ready: starting another would fail the same way. */
  #startFailure: Error | undefined;

  constructor(options: OptimiserPoolOptions = {}) {
    const workers = options.workers ?? 1;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`workers must be >= 1, got ${workers}`);
    if (!(this.#timeoutMs > 0)) throw new RangeError(`timeoutMs must be > 0, got ${this.#timeoutMs}`);
    for (let index = 0; index < workers; index += 1) this.#slots.push(this.#startSlot());
  }

  /** Workers terminated after a timeout or a crash and started again, since the pool opened. */
  get workersReplaced(): number {
    return this.#workersReplaced;
  }

  /**
   * Validation and the infeasibility checks run here, before any worker is involved, so bad
   * input is refused at once; the promise rejects with their errors. `timeoutMs` overrides the
   * pool's timeout for this solve; it applies to each model run on a worker (the LP, and the MILP
   * when negative prices need it) and counts from when a worker takes the run. `fleetStrategy`
   * defaults to `decomposed`; `monolithic` is the old single cold solve, kept as a reference.
   */
  async solve(
    problem: ScheduleProblem,
    options: { timeoutMs?: number; fleetStrategy?: FleetStrategy } = {},
  ): Promise<OptimisedSchedule> {
    if (this.#closed) throw new Error("the optimiser pool is closed");
    const timeoutMs = options.timeoutMs ?? this.#timeoutMs;
    const relaxed = prepareModel(problem, options.fleetStrategy);
    const relaxedRun = await this.#run(relaxed, timeoutMs);
    const mixedInteger = mixedIntegerModelIfNeeded(problem, relaxed, relaxedRun);
    if (!mixedInteger) return scheduleFromRun(problem, relaxed, relaxedRun);
    const run = await this.#run(mixedInteger, timeoutMs);
    return scheduleFromRun(problem, mixedInteger, { ...run, solveMs: relaxedRun.solveMs + run.solveMs });
  }

  /** Rejects queued solves, stops running ones and terminates every worker. */
  async close(): Promise<void> {
    this.#closed = true;
    const closed = new Error("the optimiser pool is closed");
    for (const job of this.#queue.splice(0)) job.reject(closed);
    await Promise.all(
      this.#slots.map((slot) => {
        clearTimeout(slot.timer);
        slot.job?.reject(closed);
        slot.job = undefined;
        return slot.worker.terminate();
      }),
    );
  }

  #run(prepared: PreparedModel, timeoutMs: number): Promise<ModelRun> {
    if (this.#closed) return Promise.reject(new Error("the optimiser pool is closed"));
    if (this.#startFailure) return Promise.reject(this.#startFailure);
    return new Promise((resolve, reject) => {
      this.#queue.push({ id: this.#nextId++, timeoutMs, prepared, resolve, reject });
      this.#dispatch();
    });
  }

  #startSlot(): Slot {
    const worker = new Worker(new URL("./solve-worker.mjs", import.meta.url));
    const slot: Slot = { worker, ready: false };
    worker.on("message", (message: WorkerMessage) => {
      if ("ready" in message) {
        slot.ready = true;
      } else {
        const job = slot.job;
        if (job?.id !== message.id) return;
        clearTimeout(slot.timer);
        slot.job = undefined;
        if ("error" in message) job.reject(new Error(`the solver failed: ${message.error}`));
        else job.resolve(message.run);
      }
      this.#dispatch();
    });
    worker.on("error", (error) => this.#replace(slot, new Error(`the solver worker failed: ${error.message}`)));
    worker.on("exit", (exitCode) => {
      if (!this.#closed && this.#slots.includes(slot)) {
        this.#replace(slot, new Error(`the solver worker exited with code ${exitCode}`));
      }
    });
    return slot;
  }

  #replace(slot: Slot, reason: unknown): void {
    const index = this.#slots.indexOf(slot);
    if (index < 0 || this.#closed) return;
    clearTimeout(slot.timer);
    slot.job?.reject(reason);
    slot.job = undefined;
    void slot.worker.terminate();
    if (!slot.ready) {
      // A worker that cannot load HiGHS is not restarted in a loop: solves fail with the reason.
      this.#startFailure = new Error(`no solver worker could start: ${String(reason)}`);
      for (const job of this.#queue.splice(0)) job.reject(this.#startFailure);
      return;
    }
    this.#slots[index] = this.#startSlot();
    this.#workersReplaced += 1;
  }

  #dispatch(): void {
    for (const slot of this.#slots) {
      if (this.#queue.length === 0) return;
      if (!slot.ready || slot.job) continue;
      const job = this.#queue.shift()!;
      slot.job = job;
      slot.timer = setTimeout(() => this.#replace(slot, new ScheduleTimeoutError(job.timeoutMs)), job.timeoutMs);
      const { model } = job.prepared.built;
      const buffers = [
        model.colCost,
        model.colLower,
        model.colUpper,
        model.rowLower,
        model.rowUpper,
        model.matrix.starts,
        model.matrix.indices,
        model.matrix.values,
        ...(model.integrality ? [model.integrality] : []),
      ].map((array) => array.buffer as ArrayBuffer);
      slot.worker.postMessage({ id: job.id, model, deferredRowsFrom: job.prepared.deferredRowsFrom }, buffers);
    }
  }
}
