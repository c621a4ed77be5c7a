import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect, headers, type NatsConnection, type Subscription } from "@nats-io/transport-node";
import pg from "pg";
import { type Devnet, startDevnet } from "@voltstack/devnet";
import { broadcastTransaction, type ClarityValue, makeContractCall, PostConditionMode } from "@stacks/transactions";
import { createEvent, type EventJson, type EventPayload } from "@voltstack/events";
import { EVENT_ID_HEADER, SubjectNaming } from "@voltstack/messaging";
import { applyMigrations, createPgPool } from "@voltstack/persistence";
import { hashApiKey, loadConfig, startTestService, type TestService } from "@voltstack/service-kit";
import { AppModule } from "../../src/app.module.js";
import { capacityConfigSchema } from "../../src/capacity-config.js";
import { capacityBootstrapOptions, connectEventConsumers } from "../../src/capacity-service.js";

export const databaseUrl = process.env.DATABASE_URL || "postgresql://postgres@127.0.0.1:5432/postgres";
export const natsUrl = process.env.NATS_URL || "nats://127.0.0.1:4222";
export const migrationsDir = fileURLToPath(new URL("../../prisma/migrations", import.meta.url));

export type Account = { address: string; secretKey: string };

/** One API key per kind of caller the tests play. */
export interface Callers {
  admin: string;
  owner: string;
  operator: string;
  /** An owner of other facilities (wallet_3), whose key the service does not hold. */
  stranger: string;
}

/** A received message of the service's stream. */
export interface Received {
  subject: string;
  event: EventJson;
}

/**
 * The capacity service as it runs, in this process: a devnet on a free port with
 * short blocks, a fresh PostgreSQL schema migrated by the runner, a unique NATS subject
 * prefix (so its own streams), signer keys in mounted files, readings written on a
 * change of at least MIN_CHANGE_KWH and at most one per MIN_INTERVAL_MS per facility.
 * `close` removes them all.
 */
export interface Harness {
  devnet: Devnet;
  service: TestService;
  db: pg.Pool;
  keys: Callers;
  accounts: Record<"deployer" | "wallet_1" | "wallet_2" | "wallet_3" | "wallet_4", Account>;
  received: Received[];
  subjectPrefix: string;
  schema: string;
  streamName: string;
  nats: NatsConnection;
  close(): Promise<void>;
}

export const MIN_CHANGE_KWH = 50;
export const MIN_INTERVAL_MS = 600_000;

export async function startHarness(): Promise<Harness> {
  const token = randomBytes(4).toString("hex");
  const schema = `capacity_test_${token}`;
  const subjectPrefix = `ct${token}.`;
  const devnet = await startDevnet({ port: 0, blockIntervalMs: 100, onError: () => undefined });
  const account = (name: string): Account => {
    const found = devnet.accounts.get(name);
    if (!found) throw new Error(`devnet has no account ${name}`);
    return found;
  };
  const accounts = {
    deployer: account("deployer"),
    wallet_1: account("wallet_1"),
    wallet_2: account("wallet_2"),
    wallet_3: account("wallet_3"),
    wallet_4: account("wallet_4"),
  };

  await applyMigrations({ url: databaseUrl, schema, migrationsDir });
  const secrets = await mkdtemp(join(tmpdir(), "capacity-keys-"));
  await writeFile(join(secrets, "owner"), accounts.wallet_1.secretKey, { mode: 0o600 });
  await writeFile(join(secrets, "operator"), accounts.wallet_2.secretKey, { mode: 0o600 });

  const keys: Callers = {
    admin: `vsk_admin_${randomBytes(32).toString("hex")}`,
    owner: `vsk_owner_${randomBytes(32).toString("hex")}`,
    operator: `vsk_operator_${randomBytes(32).toString("hex")}`,
    stranger: `vsk_stranger_${randomBytes(32).toString("hex")}`,
  };
  const config = loadConfig(capacityConfigSchema, {
    NODE_ENV: "test",
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_MAX: "4",
    NATS_URL: natsUrl,
    STACKS_API_URL: devnet.url,
    CAPACITY_SCHEMA: schema,
    SUBJECT_PREFIX: subjectPrefix,
    CONTRACT_DEPLOYER: accounts.deployer.address,
    CHAIN_POLL_INTERVAL_MS: "50",
    CHAIN_CONFIRMATION_TIMEOUT_MS: "30000",
    READING_MIN_CHANGE_KWH: String(MIN_CHANGE_KWH),
    READING_MIN_INTERVAL_MS: String(MIN_INTERVAL_MS),
    SIGNER_KEYS: JSON.stringify([
      { principal: accounts.wallet_1.address, privateKeyFile: join(secrets, "owner") },
      { principal: accounts.wallet_2.address, privateKeyFile: join(secrets, "operator") },
    ]),
    AUTH_API_KEYS: JSON.stringify([
      { name: "admin-key", sha256: hashApiKey(keys.admin), role: "admin", principals: [accounts.deployer.address] },
      { name: "owner-key", sha256: hashApiKey(keys.owner), role: "owner", principals: [accounts.wallet_1.address] },
      {
        name: "operator-key",
        sha256: hashApiKey(keys.operator),
        role: "operator",
        principals: [accounts.wallet_2.address],
      },
      {
        name: "stranger-key",
        sha256: hashApiKey(keys.stranger),
        role: "owner",
        principals: [accounts.wallet_3.address],
      },
    ]),
  });

  const nats = await connect({ servers: natsUrl, name: "capacity-test", maxReconnectAttempts: 0 });
  const received: Received[] = [];
  const subscription: Subscription = nats.subscribe(`${subjectPrefix}>`, {
    callback: (error, message) => {
      if (error) return;
      received.push({ subject: message.subject.slice(subjectPrefix.length), event: message.json<EventJson>() });
    },
  });
  await nats.flush();

  const service = await startTestService(AppModule, { ...capacityBootstrapOptions(config), logger: false });
  await connectEventConsumers(service.app, config);
  const db = createPgPool({ url: databaseUrl, schema, applicationName: "capacity-test", pool: { max: 2 } });
  const streamName = new SubjectNaming(subjectPrefix).streamName("CAPACITY");

  return {
    devnet,
    service,
    db,
    keys,
    accounts,
    received,
    subjectPrefix,
    schema,
    streamName,
    nats,
    async close() {
      await service.close();
      subscription.unsubscribe();
      const jsm = await jetstreamManager(nats);
      for await (const info of jsm.streams.list()) {
        if (info.config.name.startsWith(new SubjectNaming(subjectPrefix).streamName(""))) {
          await jsm.streams.delete(info.config.name);
        }
      }
      await nats.close();
      await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await db.end();
      await devnet.stop();
      await rm(secrets, { recursive: true, force: true });
    },
  };
}

/** Polls `condition` until it holds; fails naming `what` after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  condition: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** An HTTP call to the service; `key` sends it as that caller. */
export async function call(
  harness: Harness,
  method: string,
  path: string,
  options: { key?: string; body?: unknown; rawBody?: string } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${harness.service.baseUrl}${path}`, {
    method,
    headers: {
      ...(options.body !== undefined || options.rawBody !== undefined ? { "content-type": "application/json" } : {}),
      ...(options.key ? { authorization: `Bearer ${options.key}` } : {}),
    },
    ...(options.rawBody !== undefined
      ? { body: options.rawBody }
      : options.body !== undefined
        ? { body: JSON.stringify(options.body) }
        : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
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
