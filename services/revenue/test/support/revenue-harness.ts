import { randomBytes, randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect, headers as natsHeaders, type NatsConnection, type Subscription } from "@nats-io/transport-node";
import pg from "pg";
import {
  type CallSender,
  CapacityClient,
  FacilityRegistryClient,
  GridServicesClient,
  StacksChain,
} from "@voltstack/chain";
import { type Devnet, startDevnet } from "@voltstack/devnet";
import { createEvent, type EventJson, payloadFromPrint } from "@voltstack/events";
import { EVENT_ID_HEADER, SubjectNaming } from "@voltstack/messaging";
import { applyMigrations, createPgPool } from "@voltstack/persistence";
import { hashApiKey, loadConfig, startTestService, type TestService } from "@voltstack/service-kit";
import { AppModule } from "../../src/app.module.js";
import { type RevenueConfig, revenueConfigSchema } from "../../src/revenue-config.js";
import { revenueBootstrapOptions, startEventConsumers } from "../../src/revenue-service.js";

export const databaseUrl = process.env.DATABASE_URL || "postgresql://postgres@127.0.0.1:5432/postgres";
export const natsUrl = process.env.NATS_URL || "nats://127.0.0.1:4222";
export const migrationsDir = fileURLToPath(new URL("../../prisma/migrations", import.meta.url));

export type Account = { address: string; secretKey: string };
type AccountName = "deployer" | `wallet_${1 | 2 | 3 | 4 | 5 | 6 | 7 | 8}`;

/** One API key per kind of caller the tests play. */
export interface Callers {
  admin: string;
  owner: string;
  operator: string;
  /** An owner of other facilities (wallet_3). */
  otherOwner: string;
}

export interface Received {
  subject: string;
  event: EventJson;
}

/** A grid request fulfilled on chain, and the service.fulfilled event made from its print. */
export interface Fulfilled {
  requestId: number;
  payoutUstx: bigint;
  txid: string;
  blockHeight: number;
  event: EventJson<"service.fulfilled">;
}

/**
 * The revenue service as it runs, in this process: a devnet on a free port with short
 * blocks, a fresh PostgreSQL schema, a unique NATS subject prefix, signer keys in
 * mounted files. `restart` stops the running instance and starts another on the same
 * schema and streams, as a redeploy would. `close` removes everything.
 */
export interface Harness {
  devnet: Devnet;
  chain: StacksChain;
  service: TestService;
  config: RevenueConfig;
  db: pg.Pool;
  keys: Callers;
  accounts: Record<AccountName, Account>;
  received: Received[];
  subjectPrefix: string;
  nats: NatsConnection;
  startInstance(): Promise<TestService>;
  sender(name: AccountName): Promise<CallSender>;
  publish(event: EventJson, options?: { msgId?: string }): Promise<void>;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const token = randomBytes(4).toString("hex");
  const schema = `revenue_test_${token}`;
  const subjectPrefix = `rv${token}.`;
  const devnet = await startDevnet({ port: 0, blockIntervalMs: 100, onError: () => undefined });
  const names: AccountName[] = ["deployer", ...([1, 2, 3, 4, 5, 6, 7, 8] as const).map((n) => `wallet_${n}` as const)];
  const accounts = Object.fromEntries(
    names.map((name) => {
      const found = devnet.accounts.get(name);
      if (!found) throw new Error(`devnet has no account ${name}`);
      return [name, found];
    }),
  ) as Record<AccountName, Account>;

  await applyMigrations({ url: databaseUrl, schema, migrationsDir });
  const secrets = await mkdtemp(join(tmpdir(), "revenue-keys-"));
  await writeFile(join(secrets, "admin"), accounts.deployer.secretKey, { mode: 0o600 });
  await writeFile(join(secrets, "owner"), accounts.wallet_1.secretKey, { mode: 0o600 });
  await writeFile(join(secrets, "operator"), accounts.wallet_2.secretKey, { mode: 0o600 });

  const keys: Callers = {
    admin: `vsk_admin_${randomBytes(32).toString("hex")}`,
    owner: `vsk_owner_${randomBytes(32).toString("hex")}`,
    operator: `vsk_operator_${randomBytes(32).toString("hex")}`,
    otherOwner: `vsk_owner3_${randomBytes(32).toString("hex")}`,
  };
  const config = loadConfig(revenueConfigSchema, {
    NODE_ENV: "test",
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_MAX: "4",
    NATS_URL: natsUrl,
    STACKS_API_URL: devnet.url,
    REVENUE_SCHEMA: schema,
    SUBJECT_PREFIX: subjectPrefix,
    CONTRACT_DEPLOYER: accounts.deployer.address,
    CHAIN_POLL_INTERVAL_MS: "50",
    CHAIN_CONFIRMATION_TIMEOUT_MS: "30000",
    // Short, so a delivery left unacknowledged by a stopped instance comes back within the test.
    EVENT_ACK_WAIT_MS: "3000",
    DISTRIBUTOR_PRINCIPAL: accounts.deployer.address,
    SIGNER_KEYS: JSON.stringify([
      { principal: accounts.deployer.address, privateKeyFile: join(secrets, "admin") },
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
        name: "owner3-key",
        sha256: hashApiKey(keys.otherOwner),
        role: "owner",
        principals: [accounts.wallet_3.address],
      },
    ]),
  });

  const nats = await connect({ servers: natsUrl, name: "revenue-test", maxReconnectAttempts: 0 });
  const received: Received[] = [];
  const subscription: Subscription = nats.subscribe(`${subjectPrefix}>`, {
    callback: (error, message) => {
      if (error) return;
      received.push({ subject: message.subject.slice(subjectPrefix.length), event: message.json<EventJson>() });
    },
  });
  await nats.flush();

  const chain = new StacksChain({
    network: "devnet",
    url: devnet.url,
    contracts: { deployer: accounts.deployer.address },
    confirmation: { timeoutMs: 30_000, pollIntervalMs: 50 },
  });
  const senders = new Map<AccountName, Promise<CallSender>>();
  const instances: TestService[] = [];
  const startInstance = async (): Promise<TestService> => {
    const service = await startTestService(AppModule, { ...revenueBootstrapOptions(config), logger: false });
    await startEventConsumers(service.app, config);
    instances.push(service);
    return service;
  };
  const service = await startInstance();
  const db = createPgPool({ url: databaseUrl, schema, applicationName: "revenue-test", pool: { max: 2 } });
  const js = jetstream(nats);

  const harness: Harness = {
    devnet,
    chain,
    service,
    config,
    db,
    keys,
    accounts,
    received,
    subjectPrefix,
    nats,
    startInstance,
    sender(name) {
      let found = senders.get(name);
      if (!found) {
        found = chain.signer({ privateKey: accounts[name].secretKey }).then((signer) => chain.callSender(signer));
        senders.set(name, found);
      }
      return found;
    },
    async publish(event, options = {}) {
      const headers = natsHeaders();
      headers.set(EVENT_ID_HEADER, event.eventId);
      await js.publish(`${subjectPrefix}${event.type}`, JSON.stringify(event), {
        msgID: options.msgId ?? event.eventId,
        headers,
      });
    },
    async close() {
      for (const instance of instances) await instance.close().catch(() => undefined);
      subscription.unsubscribe();
      const jsm = await jetstreamManager(nats);
      const streamPrefix = new SubjectNaming(subjectPrefix).streamName("");
      for await (const info of jsm.streams.list()) {
        if (info.config.name.startsWith(streamPrefix)) await jsm.streams.delete(info.config.name);
      }
      await nats.close();
      await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await db.end();
      await devnet.stop();
      await rm(secrets, { recursive: true, force: true });
    },
  };
  return harness;
}

/**
 * An approved facility of `owner` (wallet_1) with wallet_2 as its operator and stored
 * energy, driven straight through libs/chain's typed clients.
 */
export async function approvedFacility(h: Harness, owner: AccountName = "wallet_1"): Promise<number> {
  const ownerSender = await h.sender(owner);
  const registered = await new FacilityRegistryClient(h.chain, { sender: ownerSender }).registerFacility({
    name: "Harbour Battery",
    location: "Rotterdam, NL",
    capacityKwh: 2_000n,
    maxPowerKw: 500n,
  });
  const facilityId = registered.value;
  await new FacilityRegistryClient(h.chain, { sender: await h.sender("deployer") }).approveFacility(facilityId);
  const registry = new FacilityRegistryClient(h.chain, { sender: ownerSender });
  await registry.setOperator(facilityId, h.accounts.wallet_2.address, true);
  await new CapacityClient(h.chain, { sender: ownerSender }).initializeCapacity(facilityId, 1_500n);
  return Number(facilityId);
}

/**
 * A real fulfilment: the admin creates a request escrowing `paymentUstx`, the operator
 * accepts it for the facility, the admin fulfils it with `performanceBps`; the event is
 * built with libs/events from the fulfilment's print, as the grid service would.
 */
export async function fulfilRequest(
  h: Harness,
  facilityId: number,
  paymentUstx: bigint,
  performanceBps = 10_000n,
): Promise<Fulfilled> {
  const admin = new GridServicesClient(h.chain, { sender: await h.sender("deployer") });
  const operator = new GridServicesClient(h.chain, { sender: await h.sender("wallet_2") });
  const tip = await h.chain.api.getTipHeight();
  const created = await admin.createServiceRequest({
    serviceType: "frequency-regulation",
    powerKw: 100n,
    energyKwh: 200n,
    paymentUstx,
    expiresAt: BigInt(tip + 1_000),
  });
  await operator.acceptRequest(created.value, BigInt(facilityId));
  const fulfilled = await admin.fulfillRequest(created.value, performanceBps);
  const print = fulfilled.events.find(
    (event) => event.contract === "grid-services" && event.payload.topic === "service-fulfilled",
  );
  if (!print) throw new Error(`fulfilment ${fulfilled.txid} printed no service-fulfilled`);
  const txid = `0x${fulfilled.txid.replace(/^0x/, "")}`;
  const payload = payloadFromPrint("service.fulfilled", print.payload as unknown as Record<string, unknown>);
  const event = createEvent("service.fulfilled", payload, {
    eventId: randomUUID(),
    chain: { txId: txid, blockHeight: fulfilled.blockHeight },
    occurredAt: new Date().toISOString(),
    traceContext: { traceparent: `00-${randomBytes(16).toString("hex")}-${randomBytes(8).toString("hex")}-01` },
  });
  return {
    requestId: Number(created.value),
    payoutUstx: fulfilled.value,
    txid,
    blockHeight: fulfilled.blockHeight,
    event,
  };
}

/** A principal's STX balance, micro-STX, from the devnet's balance endpoint. */
export async function balanceOf(h: Harness, principal: string): Promise<bigint> {
  const response = await fetch(`${h.devnet.url}/extended/v1/address/${principal}/stx`);
  return BigInt(((await response.json()) as { balance: string }).balance);
}

/** Polls `condition` until it holds; fails naming `what` after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  condition: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 20_000,
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
  service: TestService,
  method: string,
  path: string,
  options: { key?: string; body?: unknown; rawBody?: string; accept?: string } = {},
): Promise<{ status: number; body: Record<string, unknown>; text: string; contentType: string | null }> {
  const response = await fetch(`${service.baseUrl}${path}`, {
    method,
    headers: {
      ...(options.body !== undefined || options.rawBody !== undefined ? { "content-type": "application/json" } : {}),
      ...(options.key ? { authorization: `Bearer ${options.key}` } : {}),
      ...(options.accept ? { accept: options.accept } : {}),
    },
    ...(options.rawBody !== undefined
      ? { body: options.rawBody }
      : options.body !== undefined
        ? { body: JSON.stringify(options.body) }
        : {}),
  });
  const text = await response.text();
  const contentType = response.headers.get("content-type");
  const body = contentType?.includes("json") && text ? (JSON.parse(text) as Record<string, unknown>) : {};
  return { status: response.status, body, text, contentType };
}
