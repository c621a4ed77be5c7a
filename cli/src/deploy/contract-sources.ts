// The contracts a deployment publishes, in the order they must be published:
// Clarinet's deployment plan (deployments/default.simnet-plan.yaml, which Clarinet
// orders by the contracts' dependencies and rewrites whenever the simnet starts),
// with each contract's path, Clarity version and epoch from Clarinet.toml.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { sourceSha256 } from "@voltstack/chain";
import { parse } from "smol-toml";
import { DeployError } from "./deploy-error.js";

export interface ContractSource {
  name: string;
  path: string;
  clarityVersion: number;
  epoch: string;
  /** The source exactly as it is sent (the file's text). */
  source: string;
  sourceSha256: string;
}

type Manifest = { contracts?: Record<string, { path?: string; clarity_version?: number; epoch?: string | number }> };

/** The contract names of the simnet plan's publish transactions, in plan order (a line scan: the plan is Clarinet's own YAML). */
function planOrder(planPath: string): string[] | undefined {
  if (!existsSync(planPath)) return undefined;
  const names: string[] = [];
  for (const match of readFileSync(planPath, "utf8").matchAll(/^\s*contract-name:\s*([A-Za-z][A-Za-z0-9_-]*)\s*$/gm)) {
    names.push(match[1]!);
  }
  return names;
}

export function readContractSources(root: string): ContractSource[] {
  const manifestPath = join(root, "Clarinet.toml");
  const manifest = parse(readFileSync(manifestPath, "utf8")) as Manifest;
  const declared = Object.keys(manifest.contracts ?? {});
  const planPath = join(root, "deployments", "default.simnet-plan.yaml");
  const order = planOrder(planPath) ?? declared;
  const same = order.length === declared.length && declared.every((name) => order.includes(name));
  if (!same) {
    throw new DeployError(
      "DEPLOYMENT_PLAN_STALE",
      `${planPath} does not list the contracts of Clarinet.toml; run \`npm run check:contracts\` to regenerate it.`,
      { plan: order, manifest: declared },
    );
  }
  return order.map((name) => {
    const entry = manifest.contracts![name]!;
    if (!entry.path || entry.clarity_version === undefined || entry.epoch === undefined) {
      // Without them Clarinet silently falls back to Clarity 1 at epoch 2.05.
      throw new DeployError(
        "CONTRACT_VERSION_MISSING",
        `Clarinet.toml must give ${name} a path, a clarity_version and an epoch.`,
        { contract: name },
      );
    }
    const source = readFileSync(join(root, entry.path), "utf8");
    return {
      name,
      path: entry.path,
      clarityVersion: entry.clarity_version,
      epoch: String(entry.epoch),
      source,
      sourceSha256: sourceSha256(source),
    };
  });
}
