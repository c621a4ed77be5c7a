// What each contract's deployment costs against the Stacks block limit, measured
// by deploying the contracts in order into a simnet of an empty project (the
// project's accounts, none of its contracts) at the contracts' epoch. It also
// proves, before any fee is spent, that each contract deploys at all.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ContractSource } from "./contract-sources.js";
import { DeployError } from "./deploy-error.js";

export type CostDimension = "runtime" | "readCount" | "readLength" | "writeCount" | "writeLength";
export type Costs = Record<CostDimension, number>;

export interface DeployCost {
  name: string;
  costs: Costs;
  limit: Costs;
  /** The dimension closest to its limit, and how close, in percent of the block limit. */
  worst: CostDimension;
  percentOfBlock: number;
}

/**
 * In Nakamoto the limit is a tenure budget and a miner gives one block about a
 * quarter of what is left: a deployment above this share of the limit may wait
 * for a fresh tenure, or never fit.
 */
export const MAX_DEPLOY_SHARE_PERCENT = 25;

const DIMENSIONS: CostDimension[] = ["runtime", "readCount", "readLength", "writeCount", "writeLength"];

/** The SDK prints to stdout while it starts; a --json caller's stdout must stay one JSON document. */
async function quietly<T>(work: () => Promise<T> | T): Promise<T> {
  const { log, info, warn } = console;
  console.log = console.info = console.warn = () => undefined;
  try {
    return await work();
  } finally {
    Object.assign(console, { log, info, warn });
  }
}

function laterEpoch(a: string, b: string): string {
  const [x, y] = [a.split(".").map(Number), b.split(".").map(Number)];
  for (let index = 0; index < Math.max(x.length, y.length); index += 1) {
    const diff = (x[index] ?? 0) - (y[index] ?? 0);
    if (diff !== 0) return diff > 0 ? a : b;
  }
  return a;
}

export async function measureDeployCosts(root: string, contracts: ContractSource[]): Promise<DeployCost[]> {
  // Loaded here: the Clarity VM is large and only this step needs it.
  const { initSimnet } = await import("@stacks/clarinet-sdk");
  const { writeEmptyProject } = await import("@voltstack/devnet");
  const dir = mkdtempSync(join(tmpdir(), "voltstack-deploy-costs-"));
  try {
    const manifest = writeEmptyProject(join(root, "Clarinet.toml"), dir);
    const simnet = await quietly(() => initSimnet(manifest, true, { trackCosts: true, trackCoverage: false }));
    const epoch = contracts.map((contract) => contract.epoch).reduce(laterEpoch);
    await quietly(() => simnet.setEpoch(epoch as Parameters<typeof simnet.setEpoch>[0]));
    const sender = simnet.getAccounts().get("deployer") ?? simnet.deployer;
    const measured: DeployCost[] = [];
    for (const contract of contracts) {
      let result: ReturnType<typeof simnet.deployContract>;
      try {
        result = await quietly(() =>
          simnet.deployContract(
            contract.name,
            contract.source,
            { clarityVersion: contract.clarityVersion as never },
            sender,
          ),
        );
      } catch (error) {
        throw new DeployError(
          "CONTRACT_DOES_NOT_DEPLOY",
          `${contract.name} does not deploy in a simnet after the contracts before it: ${(error as Error).message}`,
          { contract: contract.name },
        );
      }
      if (!result.costs) throw new Error("the simnet reported no costs although trackCosts is on");
      const { total, limit } = result.costs as unknown as { total: Costs; limit: Costs };
      const percent = (dimension: CostDimension) => (total[dimension] / limit[dimension]) * 100;
      const worst = DIMENSIONS.reduce((top, dimension) => (percent(dimension) > percent(top) ? dimension : top));
      measured.push({ name: contract.name, costs: total, limit, worst, percentOfBlock: percent(worst) });
    }
    return measured;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Refuses a deployment one of whose contracts takes more than MAX_DEPLOY_SHARE_PERCENT of a block. */
export function checkDeployCosts(costs: DeployCost[]): void {
  const tooHigh = costs.filter((cost) => cost.percentOfBlock > MAX_DEPLOY_SHARE_PERCENT);
  if (tooHigh.length === 0) return;
  const first = tooHigh[0]!;
  throw new DeployError(
    "DEPLOY_COST_TOO_HIGH",
    `Deploying ${first.name} takes ${first.percentOfBlock.toFixed(2)} % of a block's ${first.worst}, above the ` +
      `${MAX_DEPLOY_SHARE_PERCENT} % a miner gives one block.`,
    { contracts: tooHigh.map(({ name, worst, percentOfBlock }) => ({ name, worst, percentOfBlock })) },
  );
}
