import { readFileSync } from "node:fs";
import type { ServiceName } from "@voltstack/client";
import { type Role, type SignerKeySource, signerKeySources, signerPools } from "@voltstack/service-kit";
import { STACK_SERVICES } from "./stack-services.js";

// The devnet's deployer (settings/Devnet.toml): its key is published with Clarinet, so on any
// other network whoever reads it controls contracts deployed under it.
const DEVNET_DEPLOYER = "ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM";
const PRINCIPAL = /^S[0-9A-Z]{38,40}$/;
const NETWORKS = ["devnet", "testnet", "mainnet"] as const;

// Hiro's hosted API allows about 50 requests a minute per IP without a key and a few hundred
// with one; five processes share this machine's address, so each gets a fifth.
const HOSTED_BUDGET_PER_MINUTE = { withoutKey: 50, withKey: 250 } as const;

export type StacksNetworkName = (typeof NETWORKS)[number];

/** Where one key the services sign with lives: a file or a variable, never the key itself. */

/** A caller of the system: gets an API key for this principal, with this role. */
export interface CallerSpec {
  name: string;
  role: Role;
  principal: string;
}

/**
 * A chain the stack runs against instead of starting a devnet: a Stacks Blockchain API where
 * the contracts are deployed, and what the operator brings for it. Nothing here is made up:
 * the keys, callers and stakeholders are the operator's.
 */
export interface ExternalChain {
  apiUrl: string;
  apiKey?: string;
  network?: StacksNetworkName;
  /** `deployments/<network>.json`; the services take the deployer and start height from it. */
  deploymentRecord?: string;
  contractDeployer?: string;
  /** The keys each service signs with (SIGNER_KEYS, or `<SERVICE>_SIGNER_KEYS` for one service). */
  signerKeys: Record<ServiceName, SignerKeySource[]>;
  /** Each service's SIGNER_POOLS (`<SERVICE>_SIGNER_POOLS`): further keys that sign as one of its principals. */
  signerPools?: Partial<Record<ServiceName, SignerPool[]>>;
  callers: CallerSpec[];
  /** Principals without API keys that receive the demo's revenue. */
  stakeholders: string[];
  /** Each service's STACKS_API_REQUESTS_PER_MINUTE (0: unlimited). */
  requestsPerMinute: number;
}

/** Further keys that sign as a principal of a service's keys (see SIGNER_POOLS). */
export interface SignerPool {
  principal: string;
  keys: SignerKeySource[];
  principalSigns?: boolean;
}

/** The operator's configuration for an external chain is missing something or unsafe. */
export class StackConfigError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "StackConfigError";
  }
}

type Env = Record<string, string | undefined>;

const set = (value: string | undefined): string | undefined =>
  value === undefined || value === "" ? undefined : value;

function parseJson(name: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new StackConfigError("STACK_CONFIG_INVALID", `${name} is not valid JSON.`);
  }
}

function parseSignerKeys(name: string, text: string): SignerKeySource[] {
  const parsed = signerKeySources.safeParse(parseJson(name, text));
  if (!parsed.success) {
    throw new StackConfigError(
      "STACK_CONFIG_INVALID",
      `${name} must be a JSON list of {"principal":"ST...","privateKeyFile":"<path>"} or ` +
        `{"principal":"ST...","privateKeyEnv":"<VARIABLE>"} entries.`,
    );
  }
  return parsed.data;
}

function parseSignerPools(name: string, text: string): SignerPool[] {
  const parsed = signerPools.safeParse(parseJson(name, text));
  if (!parsed.success) {
    throw new StackConfigError(
      "STACK_CONFIG_INVALID",
      `${name} must be a JSON list of {"principal":"ST...","keys":[<entries as in SIGNER_KEYS>]} entries.`,
    );
  }
  return parsed.data.map(({ principal, keys, principalSigns }) =>
    principalSigns === undefined ? { principal, keys } : { principal, keys, principalSigns },
  );
}

function parseCallers(text: string): CallerSpec[] {
  const value = parseJson("VOLTSTACK_CALLERS", text);
  const roles: readonly string[] = ["admin", "owner", "operator"];
  const valid =
    Array.isArray(value) &&
    value.every(
      (entry: Record<string, unknown>) =>
        typeof entry === "object" &&
        entry !== null &&
        typeof entry.name === "string" &&
        /^[a-z][a-z0-9-]*$/.test(entry.name) &&
        typeof entry.role === "string" &&
        roles.includes(entry.role) &&
        typeof entry.principal === "string" &&
        PRINCIPAL.test(entry.principal),
    );
  if (!valid) {
    throw new StackConfigError(
      "STACK_CONFIG_INVALID",
      'VOLTSTACK_CALLERS must be a JSON list of {"name":"owner-1","role":"admin|owner|operator","principal":"ST..."}.',
    );
  }
  return value as CallerSpec[];
}

/** The network and deployer a deployment record names; the services check the rest of it. */
function readRecord(path: string): { network?: string; deployer?: string } {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new StackConfigError(
      "DEPLOYMENT_RECORD_UNREADABLE",
      `DEPLOYMENT_RECORD ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)}).`,
    );
  }
  const record = parseJson(`DEPLOYMENT_RECORD ${path}`, text) as { network?: unknown; deployer?: unknown };
  return {
    ...(typeof record.network === "string" ? { network: record.network } : {}),
    ...(typeof record.deployer === "string" ? { deployer: record.deployer } : {}),
  };
}

/**
 * The external chain `env` describes, or undefined when STACKS_API_URL is not set (the stack
 * then starts its own devnet). Refuses, with a StackConfigError naming the variable, what
 * would start services that cannot work or must not: no network, a service without signer
 * keys, one key in two services while signing leases are on, contracts followed under the
 * devnet's public deployer on a real network.
 */
export function externalChainFromEnv(env: Env = process.env): ExternalChain | undefined {
  const apiUrl = set(env.STACKS_API_URL);
  if (!apiUrl) return undefined;
  if (!/^https?:\/\//.test(apiUrl)) {
    throw new StackConfigError("STACK_CONFIG_INVALID", `STACKS_API_URL must be an http(s) URL, not ${apiUrl}.`);
  }

  const deploymentRecord = set(env.DEPLOYMENT_RECORD);
  const record = deploymentRecord ? readRecord(deploymentRecord) : {};
  const networkName = set(env.STACKS_NETWORK) ?? record.network;
  if (!networkName) {
    throw new StackConfigError(
      "STACKS_NETWORK_REQUIRED",
      `STACKS_API_URL is set (${apiUrl}): say which chain it serves with STACKS_NETWORK (devnet, testnet or ` +
        "mainnet) or DEPLOYMENT_RECORD=deployments/<network>.json.",
    );
  }
  if (!(NETWORKS as readonly string[]).includes(networkName)) {
    throw new StackConfigError("STACK_CONFIG_INVALID", `STACKS_NETWORK must be devnet, testnet or mainnet.`);
  }
  if (set(env.STACKS_NETWORK) && record.network && record.network !== env.STACKS_NETWORK) {
    throw new StackConfigError(
      "DEPLOYMENT_NETWORK_MISMATCH",
      `STACKS_NETWORK is ${env.STACKS_NETWORK} but the deployment record ${deploymentRecord} is for ${record.network}.`,
    );
  }
  const network = networkName as StacksNetworkName;
  const contractDeployer = set(env.CONTRACT_DEPLOYER);
  const deployer = contractDeployer ?? record.deployer;
  if (network !== "devnet") {
    if (!deployer) {
      throw new StackConfigError(
        "CONTRACT_DEPLOYER_REQUIRED",
        `On ${network}, say where the contracts are: DEPLOYMENT_RECORD=deployments/${network}.json ` +
          "(written by `npx voltstack deploy`) or CONTRACT_DEPLOYER.",
      );
    }
    if (deployer === DEVNET_DEPLOYER) {
      throw new StackConfigError(
        "DEVNET_DEPLOYER_REFUSED",
        `${DEVNET_DEPLOYER} is the devnet's deployer, whose key is public: on ${network} anyone can sign as it. ` +
          "Deploy the contracts under a key of your own (`npx voltstack deploy`).",
      );
    }
  }

  const shared = set(env.SIGNER_KEYS) ? parseSignerKeys("SIGNER_KEYS", env.SIGNER_KEYS!) : [];
  const signerKeys = {} as Record<ServiceName, SignerKeySource[]>;
  for (const { name } of STACK_SERVICES) {
    const variable = `${name.toUpperCase()}_SIGNER_KEYS`;
    signerKeys[name] = set(env[variable]) ? parseSignerKeys(variable, env[variable]!) : shared;
  }
  const keyless = STACK_SERVICES.filter(({ name }) => signerKeys[name].length === 0).map(({ name }) => name);
  if (keyless.length > 0) {
    throw new StackConfigError(
      "SIGNER_KEYS_REQUIRED",
      `No signer keys for ${keyless.join(", ")}. Against an external chain the keys are yours: set SIGNER_KEYS ` +
        '(every service) or <SERVICE>_SIGNER_KEYS (one service) to [{"principal":"ST...","privateKeyFile":"/path/key"}] ' +
        'or [{"principal":"ST...","privateKeyEnv":"ADMIN_KEY"}] (the hex private key in ADMIN_KEY). ' +
        'Each service needs an admin\'s key at least; see README.md, "Running against another chain".',
    );
  }

  const pools: Partial<Record<ServiceName, SignerPool[]>> = {};
  for (const { name } of STACK_SERVICES) {
    const variable = `${name.toUpperCase()}_SIGNER_POOLS`;
    if (!set(env[variable])) continue;
    pools[name] = parseSignerPools(variable, env[variable]!);
    const unknown = pools[name].find((pool) => !signerKeys[name].some((key) => key.principal === pool.principal));
    if (unknown) {
      throw new StackConfigError(
        "STACK_CONFIG_INVALID",
        `${variable} has a pool for ${unknown.principal}, which is not among the keys ${name} signs with.`,
      );
    }
  }

  const leases = (set(env.SIGNING_LEASE) ?? (network === "devnet" ? "off" : "on")) === "on";
  if (leases) {
    const holders = new Map<string, ServiceName[]>();
    for (const { name } of STACK_SERVICES) {
      const poolKeys = (pools[name] ?? []).flatMap((pool) => pool.keys);
      for (const { principal } of [...signerKeys[name], ...poolKeys]) {
        holders.set(principal, [...(holders.get(principal) ?? []), name]);
      }
    }
    const sharedKeys = [...holders].filter(([, services]) => services.length > 1);
    if (sharedKeys.length > 0) {
      throw new StackConfigError(
        "SIGNER_KEY_SHARED",
        `${sharedKeys.map(([principal, services]) => `${principal} is configured for ${services.join(", ")}`).join("; ")}. ` +
          `On ${network} one process signs per key (signing leases), so only one of them would become ready. ` +
          "Give each service keys of its own with <SERVICE>_SIGNER_KEYS, or set SIGNING_LEASE=off to let them " +
          "share keys and compete for their nonces.",
      );
    }
  }

  const apiKey = set(env.STACKS_API_KEY);
  const configuredBudget = set(env.STACKS_API_REQUESTS_PER_MINUTE);
  if (configuredBudget !== undefined && !/^\d+$/.test(configuredBudget)) {
    throw new StackConfigError("STACK_CONFIG_INVALID", "STACKS_API_REQUESTS_PER_MINUTE must be a whole number.");
  }
  const requestsPerMinute =
    configuredBudget !== undefined
      ? Number(configuredBudget)
      : Math.floor(
          (apiKey ? HOSTED_BUDGET_PER_MINUTE.withKey : HOSTED_BUDGET_PER_MINUTE.withoutKey) / STACK_SERVICES.length,
        );

  const stakeholders = (set(env.VOLTSTACK_STAKEHOLDERS) ?? "")
    .split(",")
    .map((principal) => principal.trim())
    .filter((principal) => principal !== "");
  const notPrincipal = stakeholders.find((principal) => !PRINCIPAL.test(principal));
  if (notPrincipal) {
    throw new StackConfigError(
      "STACK_CONFIG_INVALID",
      `VOLTSTACK_STAKEHOLDERS lists ${notPrincipal}, which is not a Stacks address.`,
    );
  }

  return {
    apiUrl,
    network,
    signerKeys,
    ...(Object.keys(pools).length > 0 ? { signerPools: pools } : {}),
    callers: set(env.VOLTSTACK_CALLERS) ? parseCallers(env.VOLTSTACK_CALLERS!) : [],
    stakeholders,
    requestsPerMinute,
    ...(apiKey ? { apiKey } : {}),
    ...(deploymentRecord ? { deploymentRecord } : {}),
    ...(contractDeployer ? { contractDeployer } : {}),
  };
}
