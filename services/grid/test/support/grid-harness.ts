import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection, type Subscription } from "@nats-io/transport-node";
import pg from "pg";
import { type Devnet, startDevnet } from "@voltstack/devnet";
import type { EventJson } from "@voltstack/events";
import { SubjectNaming } from "@voltstack/messaging";
import { applyMigrations, createPgPool } from "@voltstack/persistence";
import { hashApiKey, loadConfig, startTestService, type TestService } from "@voltstack/service-kit";
import { AppModule } from "../../src/app.module.js";
import { gridConfigSchema } from "../../src/grid-config.js";
import { gridBootstrapOptions } from "../../src/grid-service.js";

export const databaseUrl = process.env.DATABASE_URL || "postgresql://postgres@127.0.0.1:5432/postgres";
export const natsUrl = process.env.NATS_URL || "nats://127.0.0.1:4222";
export const migrationsDir = fileURLToPath(new URL("../../prisma/migrations", import.meta.url));

export type Account = { address: string; secretKey: string };

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
}

/** A received message of the service's stream. */
export interface Received {
  subject: string;
  event: EventJson;
}

/**
 * The grid service as it runs, in this process: a devnet on a free port with
 * short blocks, a fresh PostgreSQL schema migrated by the runner, a unique NATS subject
 * prefix (so its own streams), signer keys in mounted files. `close` removes them all.
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

export async function startHarness(): Promise<Harness> {
  const token = randomBytes(4).toString("hex");
  const schema = `grid_test_${token}`;
  const subjectPrefix = `gt${token}.`;
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
  const secrets = await mkdtemp(join(tmpdir(), "grid-keys-"));
  const signed = {
    admin: accounts.deployer,
    owner: accounts.wallet_1,
    operator: accounts.wallet_2,
    meter: accounts.wallet_3,
    foreign: accounts.wallet_4,
  };
  for (const [name, account] of Object.entries(signed)) {
    await writeFile(join(secrets, name), account.secretKey, { mode: 0o600 });
  }

  const keys: Callers = {
    admin: `vsk_admin_${randomBytes(32).toString("hex")}`,
    owner: `vsk_owner_${randomBytes(32).toString("hex")}`,
    meter: `vsk_meter_${randomBytes(32).toString("hex")}`,
    foreignOwner: `vsk_foreign_${randomBytes(32).toString("hex")}`,
    facilityOperator: `vsk_operator_${randomBytes(32).toString("hex")}`,
  };
  const config = loadConfig(gridConfigSchema, {
    NODE_ENV: "test",
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_MAX: "4",
    NATS_URL: natsUrl,
    STACKS_API_URL: devnet.url,
    GRID_SCHEMA: schema,
    SUBJECT_PREFIX: subjectPrefix,
    CONTRACT_DEPLOYER: accounts.deployer.address,
    CHAIN_POLL_INTERVAL_MS: "50",
    CHAIN_CONFIRMATION_TIMEOUT_MS: "30000",
    FREQUENCY_REPORT_CADENCE_S: "60",
    // The tests run the sweep themselves (the endpoint and the scheduler's runOnce).
    EXPIRY_SWEEP_INTERVAL_MS: "0",
    SIGNER_KEYS: JSON.stringify(
      Object.entries(signed).map(([name, account]) => ({
        principal: account.address,
        privateKeyFile: join(secrets, name),
      })),
    ),
    AUTH_API_KEYS: JSON.stringify([
      { name: "admin-key", sha256: hashApiKey(keys.admin), role: "admin", principals: [accounts.deployer.address] },
      { name: "owner-key", sha256: hashApiKey(keys.owner), role: "owner", principals: [accounts.wallet_1.address] },
      { name: "meter-key", sha256: hashApiKey(keys.meter), role: "operator", principals: [accounts.wallet_3.address] },
      {
        name: "facility-operator-key",
        sha256: hashApiKey(keys.facilityOperator),
        role: "operator",
        principals: [accounts.wallet_2.address],
      },
      {
        name: "foreign-owner-key",
        sha256: hashApiKey(keys.foreignOwner),
        role: "owner",
        principals: [accounts.wallet_4.address],
      },
    ]),
  });

  const nats = await connect({ servers: natsUrl, name: "grid-test", maxReconnectAttempts: 0 });
  const received: Received[] = [];
  const subscription: Subscription = nats.subscribe(`${subjectPrefix}>`, {
    callback: (error, message) => {
      if (error) return;
      received.push({ subject: message.subject.slice(subjectPrefix.length), event: message.json<EventJson>() });
    },
  });
  await nats.flush();

  const service = await startTestService(AppModule, { ...gridBootstrapOptions(config), logger: false });
  const db = createPgPool({ url: databaseUrl, schema, applicationName: "grid-test", pool: { max: 2 } });
  const streamName = new SubjectNaming(subjectPrefix).streamName("GRID_SERVICES");

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

/** A micro-STX balance from the devnet's balance endpoint. */
export async function balanceOf(harness: Harness, principal: string): Promise<bigint> {
  const response = await fetch(`${harness.devnet.url}/extended/v1/address/${principal}/stx`);
  return BigInt(((await response.json()) as { balance: string }).balance);
}

/** The fee a transaction paid, from the node's record of it. */
export async function feeOf(harness: Harness, txid: string): Promise<bigint> {
  const response = await fetch(`${harness.devnet.url}/extended/v1/tx/${txid}`);
  return BigInt(((await response.json()) as { fee_rate: string }).fee_rate);
}

/** Waits until the node shows `txid` final; fails unless it succeeded. */
export async function confirmed(harness: Harness, txid: string): Promise<number> {
  return waitFor(`transaction ${txid} to confirm`, async () => {
    const response = await fetch(`${harness.devnet.url}/extended/v1/tx/${txid}`);
    if (response.status !== 200) return undefined;
    const tx = (await response.json()) as { tx_status: string; block_height: number; tx_result?: { repr: string } };
    if (tx.tx_status === "pending") return undefined;
    if (tx.tx_status !== "success") throw new Error(`${txid} ended ${tx.tx_status}: ${tx.tx_result?.repr}`);
    return tx.block_height;
  });
}
