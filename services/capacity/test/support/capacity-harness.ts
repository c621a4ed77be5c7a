import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { headers } from "@nats-io/transport-node";
import { broadcastTransaction, type ClarityValue, makeContractCall, PostConditionMode } from "@stacks/transactions";
import { createEvent, type EventJson, type EventPayload } from "@voltstack/events";
import { EVENT_ID_HEADER, SubjectNaming } from "@voltstack/messaging";
import { loadConfig, startTestService, type TestService } from "@voltstack/service-kit";
import {
  type Account,
  type HarnessBase,
  type Received,
  startTestEnvironment,
  waitFor,
} from "@voltstack/service-testing";
import { AppModule } from "../../src/app.module.js";
import { capacityConfigSchema } from "../../src/capacity-config.js";
import { capacityBootstrapOptions } from "../../src/capacity-service.js";

export { call, databaseUrl, natsUrl, waitFor } from "@voltstack/service-testing";
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
export interface Harness extends HarnessBase {
  service: TestService;
  keys: Callers;
  streamName: string;
  close(): Promise<void>;
}

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

  return {
    devnet: env.devnet,
    service,
    db: env.db,
    keys,
    accounts,
    received: env.received,
    subjectPrefix: env.subjectPrefix,
    schema: env.schema,
    streamName: env.streamName("CAPACITY"),
    nats: env.nats,
    async close() {
      await service.close();
      await env.close();
    },
  };
}

/** Signs and broadcasts a contract call from a wallet, as an owner would, and waits for its block. */
export async function walletCall(
  harness: Harness,
  sender: Account,
  contract: string,
  functionName: string,
  functionArgs: ClarityValue[],
  postConditionMode: PostConditionMode = PostConditionMode.Deny,
): Promise<{ txid: string; blockHeight: number; result: string }> {
  const transaction = await makeContractCall({
    contractAddress: harness.accounts.deployer.address,
    contractName: contract,
    functionName,
    functionArgs,
    senderKey: sender.secretKey,
    network: "devnet",
    client: { baseUrl: harness.devnet.url },
    fee: 10_000,
    postConditionMode,
  });
  const broadcast = await broadcastTransaction({
    transaction,
    network: "devnet",
    client: { baseUrl: harness.devnet.url },
  });
  if ("error" in broadcast) throw new Error(`broadcast refused: ${JSON.stringify(broadcast)}`);
  const txid = `0x${broadcast.txid.replace(/^0x/, "")}`;
  return waitFor(`${functionName} ${txid} in a block`, async () => {
    const response = await fetch(`${harness.devnet.url}/extended/v1/tx/${txid}`);
    if (!response.ok) return undefined;
    const tx = (await response.json()) as { tx_status: string; block_height?: number; tx_result?: { repr: string } };
    if (tx.tx_status === "pending") return undefined;
    return { txid, blockHeight: tx.block_height ?? -1, result: tx.tx_result?.repr ?? tx.tx_status };
  });
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
  await jetstream(harness.nats).publish(`${harness.subjectPrefix}facility.approved`, JSON.stringify(event), {
    msgID: event.eventId,
  });
  return event;
}

/**
 * Delivers an event once more under its id, past JetStream's duplicate window (another
 * message id, the event id in its header): what a relay retried after the window, or
 * a dead-letter replay, looks like to a consumer.
 */
export async function deliverAgain(harness: Harness, event: EventJson): Promise<void> {
  const h = headers();
  h.set(EVENT_ID_HEADER, event.eventId);
  await jetstream(harness.nats).publish(`${harness.subjectPrefix}${event.type}`, JSON.stringify(event), {
    msgID: `${event.eventId}:again`,
    headers: h,
  });
}

/** Resolves once the consumer has acknowledged everything on its subject. */
export async function consumerCaughtUp(harness: Harness, durable: string, stream: string): Promise<void> {
  const jsm = await jetstreamManager(harness.nats);
  await waitFor(`consumer ${durable} to catch up`, async () => {
    const info = await jsm.consumers.info(new SubjectNaming(harness.subjectPrefix).streamName(stream), durable);
    return info.num_pending === 0 && info.num_ack_pending === 0;
  });
}
