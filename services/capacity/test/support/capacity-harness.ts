import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { createEvent, type EventJson, type EventPayload } from "@voltstack/events";
import { loadConfig, startTestService } from "@voltstack/service-kit";
import {
  type Account,
  publishAsRelay,
  type Received,
  type ServiceHarness,
  serviceHarness,
  startTestEnvironment,
} from "@voltstack/service-testing";
import { AppModule } from "../../src/app.module.js";
import { capacityConfigSchema } from "../../src/capacity-config.js";
import { capacityBootstrapOptions } from "../../src/capacity-service.js";

export {
  call,
  consumerCaughtUp,
  databaseUrl,
  natsUrl,
  publishAsReplay,
  waitFor,
  walletCall,
} from "@voltstack/service-testing";
export type { Account, Received };

export const migrationsDir = fileURLToPath(new URL("../../prisma/migrations", import.meta.url));

/** One API key per kind of caller the tests play. */
export interface Callers {
  admin: string;
  owner: string;
  operator: string;
  /** An owner of other facilities (wallet_3), whose key the service does not hold. */
  stranger: string;
}

/**
 * The capacity service as it runs, in this process: a devnet on a free port with
 * short blocks, a fresh PostgreSQL schema migrated by the runner, a unique NATS subject
 * prefix (so its own streams), signer keys in mounted files, readings written on a
 * change of at least MIN_CHANGE_KWH and at most one per MIN_INTERVAL_MS per facility.
 * `close` removes them all.
 */
export type Harness = ServiceHarness<Callers>;

export const MIN_CHANGE_KWH = 50;
export const MIN_INTERVAL_MS = 600_000;

export async function startHarness(): Promise<Harness> {
  const env = await startTestEnvironment({
    service: "capacity",
    prefixLetters: "ct",
    schemaVariable: "CAPACITY_SCHEMA",
    migrationsDir,
  });
  const { accounts } = env;
  const keys: Callers = {
    admin: env.apiKey("admin"),
    owner: env.apiKey("owner"),
    operator: env.apiKey("operator"),
    stranger: env.apiKey("stranger"),
  };
  const config = loadConfig(capacityConfigSchema, {
    ...env.config,
    READING_MIN_CHANGE_KWH: String(MIN_CHANGE_KWH),
    READING_MIN_INTERVAL_MS: String(MIN_INTERVAL_MS),
    SIGNER_KEYS: await env.signerKeys({ owner: accounts.wallet_1, operator: accounts.wallet_2 }),
    AUTH_API_KEYS: env.authApiKeys([
      { name: "admin-key", key: keys.admin, role: "admin", principal: accounts.deployer.address },
      { name: "owner-key", key: keys.owner, role: "owner", principal: accounts.wallet_1.address },
      { name: "operator-key", key: keys.operator, role: "operator", principal: accounts.wallet_2.address },
      { name: "stranger-key", key: keys.stranger, role: "owner", principal: accounts.wallet_3.address },
    ]),
  });

  const service = await startTestService(AppModule, { ...capacityBootstrapOptions(config), logger: false });

  return serviceHarness(env, service, { keys, stream: "CAPACITY" });
}

/**
 * Publishes facility.approved on the FACILITIES stream as the verification service
 * does (msgID = event id), for a facility the chain really approved.
 */
export async function publishFacilityApproved(
  harness: Harness,
  payload: EventPayload<"facility.approved">,
  chain: { txId: string; blockHeight: number },
): Promise<EventJson<"facility.approved">> {
  const event = createEvent("facility.approved", payload, {
    chain,
    traceContext: { traceparent: `00-${randomBytes(16).toString("hex")}-${randomBytes(8).toString("hex")}-01` },
  });
  await publishAsRelay(harness, event);
  return event;
}
