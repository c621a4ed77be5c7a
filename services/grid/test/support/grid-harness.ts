import { fileURLToPath } from "node:url";
import { defaultManifestPath, registerDevnetAdmins } from "@voltstack/devnet";
import { loadConfig, startTestService } from "@voltstack/service-kit";
import {
  type Account,
  type HasDevnet,
  type Received,
  type ServiceHarness,
  serviceHarness,
  startTestEnvironment,
} from "@voltstack/service-testing";
import { AppModule } from "../../src/app.module.js";
import { gridConfigSchema } from "../../src/grid-config.js";
import { gridBootstrapOptions } from "../../src/grid-service.js";

export { balanceOf, call, confirmed, confirmedCall, databaseUrl, natsUrl, waitFor } from "@voltstack/service-testing";
export type { Account, Received };

export const migrationsDir = fileURLToPath(new URL("../../prisma/migrations", import.meta.url));

/** One API key per kind of caller the tests play. */
export interface Callers {
  admin: string;
  /** wallet_1, owner of the test facility. */
  owner: string;
  /** A frequency meter: operator role, signing as wallet_3 (an oracle). */
  meter: string;
  /** wallet_4: an owner, but not of the test facility. */
  foreignOwner: string;
  /** wallet_2: an operator the test facility's owner enables (not an oracle). */
  facilityOperator: string;
  /** wallet_5: the admin role in this service, but not an admin of the facility registry. */
  notRegistryAdmin: string;
}

type AccountName = "deployer" | "wallet_1" | "wallet_2" | "wallet_3" | "wallet_4" | "wallet_5";

/**
 * The grid service as it runs, in this process: a devnet on a free port with
 * short blocks, a fresh PostgreSQL schema migrated by the runner, a unique NATS subject
 * prefix (so its own streams), signer keys in mounted files. `close` removes them all.
 */
export type Harness = ServiceHarness<Callers, AccountName>;

export interface HarnessOptions {
  /**
   * The admin caller's writes are signed by this many admin keys (SIGNER_POOLS): the deployer
   * and its further accounts, registered as admins on the devnet first. Default 1 (no pool).
   */
  adminKeys?: number;
  /** The devnet's block interval, ms (default: the test environment's). */
  blockIntervalMs?: number;
  /** Configuration over the harness's own. */
  config?: Record<string, string>;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const env = await startTestEnvironment({
    service: "grid",
    prefixLetters: "gt",
    schemaVariable: "GRID_SCHEMA",
    migrationsDir,
    accounts: ["deployer", "wallet_1", "wallet_2", "wallet_3", "wallet_4", "wallet_5"] as const,
    ...(options.blockIntervalMs === undefined ? {} : { blockIntervalMs: options.blockIntervalMs }),
  });
  const { accounts } = env;
  const keys: Callers = {
    admin: env.apiKey("admin"),
    owner: env.apiKey("owner"),
    meter: env.apiKey("meter"),
    foreignOwner: env.apiKey("foreign"),
    facilityOperator: env.apiKey("operator"),
    notRegistryAdmin: env.apiKey("outsider"),
  };
  let signerPools = "[]";
  if ((options.adminKeys ?? 1) > 1) {
    const [deployer, ...further] = await registerDevnetAdmins(env.devnet, options.adminKeys!, {
      manifestPath: defaultManifestPath(),
    });
    const keys = await env.signerKeys(
      Object.fromEntries(further.map((key, index) => [`admin-pool-${index + 1}`, key])),
    );
    signerPools = JSON.stringify([{ principal: deployer!.address, keys: JSON.parse(keys) as unknown[] }]);
  }
  const config = loadConfig(gridConfigSchema, {
    ...env.config,
    FREQUENCY_REPORT_CADENCE_S: "60",
    // The tests run the sweep themselves (the endpoint and the scheduler's runOnce).
    EXPIRY_SWEEP_INTERVAL_MS: "0",
    SIGNER_KEYS: await env.signerKeys({
      admin: accounts.deployer,
      owner: accounts.wallet_1,
      operator: accounts.wallet_2,
      meter: accounts.wallet_3,
      foreign: accounts.wallet_4,
      outsider: accounts.wallet_5,
    }),
    AUTH_API_KEYS: env.authApiKeys([
      { name: "admin-key", key: keys.admin, role: "admin", principal: accounts.deployer.address },
      { name: "owner-key", key: keys.owner, role: "owner", principal: accounts.wallet_1.address },
      { name: "meter-key", key: keys.meter, role: "operator", principal: accounts.wallet_3.address },
      {
        name: "facility-operator-key",
        key: keys.facilityOperator,
        role: "operator",
        principal: accounts.wallet_2.address,
      },
      { name: "foreign-owner-key", key: keys.foreignOwner, role: "owner", principal: accounts.wallet_4.address },
      { name: "outsider-key", key: keys.notRegistryAdmin, role: "admin", principal: accounts.wallet_5.address },
    ]),
    SIGNER_POOLS: signerPools,
    ...options.config,
  });

  const service = await startTestService(AppModule, { ...gridBootstrapOptions(config), logger: false });

  return serviceHarness(env, service, { keys, stream: "GRID_SERVICES" });
}

/** The fee a transaction paid, from the node's record of it. */
export async function feeOf(harness: HasDevnet, txid: string): Promise<bigint> {
  const response = await fetch(`${harness.devnet.url}/extended/v1/tx/${txid}`);
  return BigInt(((await response.json()) as { fee_rate: string }).fee_rate);
}
