import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chaosParameters } from "./support/chaos-parameters.js";
import { type ChaosSystem, startChaosSystem } from "./support/chaos-system.js";
import { ChaosExperiments, type ExperimentRun } from "./support/experiments.js";

// The whole system on a NATS server and a PostgreSQL cluster of this file's own, with faults
// struck at seeded moments during runs of fulfilments. After each: every fulfilment paid
// exactly once, the read models equal to the chain, each fact once on the streams, no dead
// letter, and every service ready with its backlog drained within the stated time, without
// anyone stepping in. `npm run chaos` runs the same experiments with larger parameters.

const parameters = chaosParameters();
const log = (line: string) => console.log(`[chaos] ${line}`);
let chaos: ChaosSystem;
let experiments: ChaosExperiments;

beforeAll(async () => {
  chaos = await startChaosSystem(log);
  experiments = new ChaosExperiments(chaos, parameters, log);
}, 600_000);

afterAll(async () => {
  await chaos?.close();
}, 120_000);

function held(runs: ExperimentRun[]) {
  return runs.map((run) => ({ fault: run.fault, violations: run.violations }));
}

function allHeld(runs: ExperimentRun[]) {
  return runs.map((run) => ({ fault: run.fault, violations: [] }));
}

const minutes = (count: number) => count * 60_000;
// What one run may take at worst before it is judged: a service start on a busy machine,
// the recovery bound, the read models' 30 s to catch up and the reading of the invariants.
// A run that overruns its test's time would carry on into the next test's run.
const perRun = minutes(8) + parameters.recoveryWithinMs;

describe.sequential("outages during a run of fulfilments", () => {
  it(
    "SIGKILL of each service, started again at once: paid once, read models equal the chain, ready within the bound",
    async () => {
      const runs = await experiments.killEachService();
      expect(runs).toHaveLength(5 * parameters.killRounds);
      expect(held(runs)).toEqual(allHeld(runs));
    },
    5 * parameters.killRounds * perRun,
  );

  it(
    "PostgreSQL restarted: paid once, read models equal the chain, ready within the bound",
    async () => {
      const runs = await experiments.postgresRestarts();
      expect(held(runs)).toEqual(allHeld(runs));
    },
    parameters.postgresRestarts * perRun,
  );

  it(
    "the devnet restarted from its chain log: paid once, read models equal the chain, ready within the bound",
    async () => {
      const runs = await experiments.devnetRestarts();
      expect(held(runs)).toEqual(allHeld(runs));
    },
    parameters.devnetRestarts * perRun,
  );

  it(
    `NATS down for ${parameters.natsOutageMs / 1_000} s: nothing lost or published twice, ready within the bound once it is back`,
    async () => {
      const runs = await experiments.natsOutage();
      expect(held(runs)).toEqual(allHeld(runs));
    },
    parameters.natsOutageMs + perRun,
  );
});
