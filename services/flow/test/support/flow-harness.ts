import { fileURLToPath } from "node:url";
import { loadConfig, startTestService } from "@voltstack/service-kit";
import {
  type Account,
  type Received,
  type ServiceHarness,
  serviceHarness,
  startTestEnvironment,
} from "@voltstack/service-testing";
import { AppModule } from "../../src/app.module.js";
import { flowConfigSchema } from "../../src/flow-config.js";
import { flowBootstrapOptions } from "../../src/flow-service.js";

export {
  call,
  confirmedCall,
  consumerAcknowledged,
  databaseUrl,
  natsUrl,
  publishAsRelay,
  publishAsReplay,
  waitFor,
} from "@voltstack/service-testing";
export type { Account, Received };

export const migrationsDir = fileURLToPath(new URL("../../prisma/migrations", import.meta.url));

/** One API key per kind of caller the tests play. */
export interface Callers {
  admin: string;
  owner: string;
  operator: string;
  /** An owner of other facilities. */
  stranger: string;
  /** Role admin in the API, but wallet_3 is no admin on chain (its key is held, so a slip would cost it a fee). */
  formerAdmin: string;
}

/**
 * The flow service as it runs, in this process: a devnet on a free port with
 * short blocks, a fresh PostgreSQL schema migrated by the runner, a unique NATS subject
 * prefix (so its own streams), signer keys in mounted files. `close` removes them all.
 */
export type Harness = ServiceHarness<Callers>;

export async function startHarness(): Promise<Harness> {
  const env = await startTestEnvironment({
    service: "flow",
    prefixLetters: "ft",
    schemaVariable: "FLOW_SCHEMA",
    migrationsDir,
  });
  const { accounts } = env;
  const keys: Callers = {
    admin: env.apiKey("admin"),
    owner: env.apiKey("owner"),
    operator: env.apiKey("operator"),
    stranger: env.apiKey("stranger"),
    formerAdmin: env.apiKey("formerAdmin"),
  };
  const config = loadConfig(flowConfigSchema, {
    ...env.config,
    SIGNER_KEYS: await env.signerKeys({
      admin: accounts.deployer,
      owner: accounts.wallet_1,
      operator: accounts.wallet_2,
      stranger: accounts.wallet_3,
    }),
    AUTH_API_KEYS: env.authApiKeys([
      { name: "admin-key", key: keys.admin, role: "admin", principal: accounts.deployer.address },
      { name: "owner-key", key: keys.owner, role: "owner", principal: accounts.wallet_1.address },
      { name: "operator-key", key: keys.operator, role: "operator", principal: accounts.wallet_2.address },
      { name: "stranger-key", key: keys.stranger, role: "owner", principal: accounts.wallet_3.address },
      { name: "former-admin-key", key: keys.formerAdmin, role: "admin", principal: accounts.wallet_3.address },
    ]),
  });

  const service = await startTestService(AppModule, { ...flowBootstrapOptions(config), logger: false });

  return serviceHarness(env, service, { keys, stream: "FLOW" });
}
