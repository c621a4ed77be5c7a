import { appendFileSync } from "node:fs";
import { SERVICE_NAMES, type ServiceName } from "@voltstack/client";
import type { ChaosParameters } from "./chaos-parameters.js";
import { seededRandom } from "./chaos-parameters.js";
import type { ChaosSystem } from "./chaos-system.js";
import { FulfilmentRun } from "./fulfilment-run.js";
import { backlogDrained, invariantViolations, takeBaseline } from "./invariants.js";

/** One fault during one run of fulfilments, and what held afterwards. */
export interface ExperimentRun {
  experiment: string;
  fault: string;
  seed: number;
  fulfilments: number;
  /** How long the fault lasted: for a SIGKILL, from the kill to the new process answering ready. */
  faultMs: number;
  /** From the fault's end to every service answering ready; undefined when they never did. */
  readyMs?: number;
  /** From the fault's end to every service ready and the backlog drained; undefined when it never was. */
  recoveryMs?: number;
  violations: string[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Each fulfilment of the whole suite pays a different amount, so a request is known by its payment. */
let nextPaymentUstx = 5_000_000n;

export class ChaosExperiments {
  readonly #random: (low: number, high: number) => number;

  constructor(
    private readonly chaos: ChaosSystem,
    private readonly parameters: ChaosParameters,
    private readonly log: (line: string) => void,
  ) {
    this.#random = seededRandom(parameters.seed);
    log(`chaos seed ${parameters.seed} (CHAOS_SEED=${parameters.seed} replays these choices)`);
  }

  /** Every service, one at a time in a seeded order, SIGKILLed mid-run and started again at once. */
  async killEachService(): Promise<ExperimentRun[]> {
    const runs: ExperimentRun[] = [];
    for (let round = 0; round < this.parameters.killRounds; round += 1) {
      for (const name of this.#shuffled(SERVICE_NAMES)) {
        runs.push(
          await this.#run("SIGKILL each service", `SIGKILL ${name}, started again`, async () => {
            const service = this.chaos.system.stack.services[name as ServiceName];
            await service.kill();
            await service.start();
          }),
        );
      }
    }
    return runs;
  }

  async natsOutage(): Promise<ExperimentRun[]> {
    const seconds = this.parameters.natsOutageMs / 1_000;
    return [
      await this.#run("NATS down", `NATS stopped for ${seconds} s`, async () => {
        await this.chaos.nats.stop();
        await sleep(this.parameters.natsOutageMs);
        await this.chaos.nats.start();
      }),
    ];
  }

  async postgresRestarts(): Promise<ExperimentRun[]> {
    const runs: ExperimentRun[] = [];
    for (let restart = 0; restart < this.parameters.postgresRestarts; restart += 1) {
      runs.push(
        await this.#run("PostgreSQL restarted", "pg_ctl stop -m fast, then start", async () => {
          await this.chaos.postgres.stop("fast");
          await this.chaos.postgres.start();
        }),
      );
    }
    return runs;
  }

  async devnetRestarts(): Promise<ExperimentRun[]> {
    const runs: ExperimentRun[] = [];
    for (let restart = 0; restart < this.parameters.devnetRestarts; restart += 1) {
      runs.push(
        await this.#run("devnet restarted", "devnet stopped and started from its chain log", async () => {
          await this.chaos.system.stack.restartDevnet();
        }),
      );
    }
    return runs;
  }

  #shuffled<T>(items: readonly T[]): T[] {
    const shuffled = [...items];
    for (let index = shuffled.length - 1; index > 0; index -= 1) {
      const other = this.#random(0, index);
      [shuffled[index], shuffled[other]] = [shuffled[other]!, shuffled[index]!];
    }
    return shuffled;
  }

  /**
   * Fulfilments run while the fault strikes after a seeded number of them and a seeded
   * delay; the run stops after the fault, the backlog drains, and the invariants are read.
   */
  async #run(experiment: string, fault: string, inject: () => Promise<void>): Promise<ExperimentRun> {
    const { chaos, parameters } = this;
    const before = this.#random(1, parameters.fulfilmentsBeforeFault);
    const delayMs = this.#random(0, 2_000);
    const baseline = await takeBaseline(chaos);
    const run = new FulfilmentRun(chaos, baseline.lastRequestId, nextPaymentUstx);
    const violations: string[] = [];
    const driving = run.run().catch((error: unknown) => {
      violations.push(`the fulfilments stopped: ${error instanceof Error ? error.message : String(error)}`);
    });
    let failed = false;
    const stopped = driving.then(() => (failed = true));
    await Promise.race([run.completed(before), stopped]);
    await sleep(delayMs);
    this.log(`${experiment}: ${fault}, after ${before} fulfilments and ${delayMs} ms`);
    const faultStarted = Date.now();
    if (!failed) {
      await inject().catch((error: unknown) => {
        violations.push(`the fault could not be undone: ${error instanceof Error ? error.message : String(error)}`);
      });
    }
    const faultEnded = Date.now();
    run.stop();
    const deadline = faultEnded + parameters.recoveryWithinMs;
    let readyMs: number | undefined;
    while (Date.now() < deadline && readyMs === undefined) {
      if (await chaos.allReady()) readyMs = Date.now() - faultEnded;
      else await sleep(250);
    }
    // The fulfilment under way finishes within the same bound, or is given up (a violation).
    const finished = await Promise.race([
      driving.then(() => true),
      sleep(Math.max(0, deadline - Date.now())).then(() => false),
    ]);
    if (!finished) {
      violations.push(
        `the fulfilment under way did not finish ${parameters.recoveryWithinMs / 1000} s after the fault`,
      );
      run.abort();
      await driving;
    }
    nextPaymentUstx += BigInt(run.fulfilments.length + 100);
    let recoveryMs: number | undefined;
    while (Date.now() < deadline && recoveryMs === undefined) {
      if (await backlogDrained(chaos, run.fulfilments).catch(() => false)) recoveryMs = Date.now() - faultEnded;
      else await sleep(250);
    }
    if (readyMs === undefined)
      violations.push(`not every service was ready ${parameters.recoveryWithinMs / 1000} s after the fault`);
    if (recoveryMs === undefined) {
      violations.push(`the backlog was not drained ${parameters.recoveryWithinMs / 1000} s after the fault`);
    }
    // Read models follow the chain within a poll or two: held for up to 30 s before judging.
    let found = await this.#violations(baseline, run);
    for (const settleBy = Date.now() + 30_000; found.length > 0 && Date.now() < settleBy;) {
      await sleep(1_000);
      found = await this.#violations(baseline, run);
    }
    violations.push(...found);
    const result: ExperimentRun = {
      experiment,
      fault,
      seed: parameters.seed,
      fulfilments: run.fulfilments.length,
      faultMs: faultEnded - faultStarted,
      ...(readyMs === undefined ? {} : { readyMs }),
      ...(recoveryMs === undefined ? {} : { recoveryMs }),
      violations,
    };
    this.log(
      `${experiment}: ${result.fulfilments} fulfilments, fault lasted ${result.faultMs} ms, ready after ${readyMs ?? "-"} ms, drained after ${recoveryMs ?? "-"} ms, ${run.retries.length} retried writes${retriedAnswers(run.retries)}, ${violations.length} violations`,
    );
    for (const violation of violations) this.log(`  violation: ${violation}`);
    if (process.env.CHAOS_RESULTS_FILE) appendFileSync(process.env.CHAOS_RESULTS_FILE, `${JSON.stringify(result)}\n`);
    return result;
  }

  async #violations(baseline: Awaited<ReturnType<typeof takeBaseline>>, run: FulfilmentRun): Promise<string[]> {
    return invariantViolations(this.chaos, baseline, run.fulfilments, run.duplicateRequests).catch((error: unknown) => [
      `the invariants could not be read: ${error instanceof Error ? error.message : String(error)}`,
    ]);
  }
}

/** The distinct answers that made the run retry a write, for the log: " (409 IDEMPOTENCY_KEY_IN_USE …)". */
function retriedAnswers(retries: readonly string[]): string {
  return retries.length === 0 ? "" : ` (${[...new Set(retries)].join("; ")})`;
}
