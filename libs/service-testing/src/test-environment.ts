import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection, type Subscription } from "@nats-io/transport-node";
import type pg from "pg";
import { type Devnet, startDevnet } from "@voltstack/devnet";
import type { EventJson } from "@voltstack/events";
import { SubjectNaming } from "@voltstack/messaging";
import { applyMigrations, createPgPool } from "@voltstack/persistence";
import { hashApiKey } from "@voltstack/service-kit";
import { databaseUrl, natsUrl } from "./test-urls.js";

export type Account = { address: string; secretKey: string };

/** A received message of the service's stream. */
export interface Received {
  subject: string;
  event: EventJson;
}

export type DefaultAccountName = "deployer" | "wallet_1" | "wallet_2" | "wallet_3" | "wallet_4";

const DEFAULT_ACCOUNTS: readonly DefaultAccountName[] = ["deployer", "wallet_1", "wallet_2", "wallet_3", "wallet_4"];

export interface TestEnvironmentOptions<A extends string> {
  /** The service's name: `<service>_test_<token>` schema, `<service>-test` connection names. */
  service: string;
  /** Two letters starting the unique subject prefix, `<letters><token>.`. */
  prefixLetters: string;
  /** The service's configuration variable naming its schema, `VERIFICATION_SCHEMA` say. */
  schemaVariable: string;
  migrationsDir: string;
  /** Devnet accounts the tests use; deployer and wallet_1 to wallet_4 unless given. */
  accounts?: readonly A[];
  /** The devnet's block interval; 0 mines only on `devnet.mineBlock()`, for tests that hold blocks back. Default 100. */
  blockIntervalMs?: number;
}

/** One caller's API key as the service's AUTH_API_KEYS lists it. */
export interface ApiKeyEntry {
  name: string;
  key: string;
  role: string;
  principal: string;
}

/**
 * What every service's integration tests run against: a devnet on a free port with short
 * blocks, a fresh PostgreSQL schema migrated by the runner, a unique NATS subject prefix
 * (so its own streams) with every message on it collected in `received`, and a folder for
 * signer key files. `close` removes them all; close the service first.
 */
export interface TestEnvironment<A extends string = DefaultAccountName> {
  devnet: Devnet;
  db: pg.Pool;
  accounts: Record<A, Account>;
  received: Received[];
  subjectPrefix: string;
  schema: string;
  nats: NatsConnection;
  /** The configuration every service shares: servers, schema, subject prefix, chain polling. */
  config: Record<string, string>;
  /** Writes each signer's key to a file named after it; resolves with the SIGNER_KEYS value. */
  signerKeys(signers: Record<string, Account>): Promise<string>;
  /** A fresh API key, `vsk_<label>_<64 hex>`. */
  apiKey(label: string): string;
  /** The AUTH_API_KEYS value for these keys. */
  authApiKeys(entries: ApiKeyEntry[]): string;
  /** The name of the stream `stream` under this environment's prefix. */
  streamName(stream: string): string;
  close(): Promise<void>;
}

export async function startTestEnvironment<A extends string = DefaultAccountName>(
  options: TestEnvironmentOptions<A>,
): Promise<TestEnvironment<A>> {
  const token = randomBytes(4).toString("hex");
  const schema = `${options.service}_test_${token}`;
  const subjectPrefix = `${options.prefixLetters}${token}.`;
  const devnet = await startDevnet({
    port: 0,
    blockIntervalMs: options.blockIntervalMs ?? 100,
    onError: () => undefined,
  });
  const account = (name: string): Account => {
    const found = devnet.accounts.get(name);
    if (!found) throw new Error(`devnet has no account ${name}`);
    return found;
  };
  const names: readonly string[] = options.accounts ?? DEFAULT_ACCOUNTS;
  const accounts = Object.fromEntries(names.map((name) => [name, account(name)])) as Record<A, Account>;

  await applyMigrations({ url: databaseUrl, schema, migrationsDir: options.migrationsDir });
  const secrets = await mkdtemp(join(tmpdir(), `${options.service}-keys-`));

  const nats = await connect({ servers: natsUrl, name: `${options.service}-test`, maxReconnectAttempts: 0 });
  const received: Received[] = [];
  const subscription: Subscription = nats.subscribe(`${subjectPrefix}>`, {
    callback: (error, message) => {
      if (error) return;
      received.push({ subject: message.subject.slice(subjectPrefix.length), event: message.json<EventJson>() });
    },
  });
  await nats.flush();
  const db = createPgPool({ url: databaseUrl, schema, applicationName: `${options.service}-test`, pool: { max: 2 } });
  const naming = new SubjectNaming(subjectPrefix);

  return {
    devnet,
    db,
    accounts,
    received,
    subjectPrefix,
    schema,
    nats,
    config: {
      NODE_ENV: "test",
      DATABASE_URL: databaseUrl,
      DATABASE_POOL_MAX: "4",
      NATS_URL: natsUrl,
      STACKS_API_URL: devnet.url,
      [options.schemaVariable]: schema,
      SUBJECT_PREFIX: subjectPrefix,
      CONTRACT_DEPLOYER: account("deployer").address,
      CHAIN_POLL_INTERVAL_MS: "50",
      CHAIN_CONFIRMATION_TIMEOUT_MS: "30000",
      // The test's own devnet, like a self-hosted API: no rate limit to share.
      STACKS_API_REQUESTS_PER_MINUTE: "0",
    },
    async signerKeys(signers) {
      const entries = [];
      for (const [name, account] of Object.entries(signers)) {
        await writeFile(join(secrets, name), account.secretKey, { mode: 0o600 });
        entries.push({ principal: account.address, privateKeyFile: join(secrets, name) });
      }
      return JSON.stringify(entries);
    },
    apiKey(label) {
      return `vsk_${label}_${randomBytes(32).toString("hex")}`;
    },
    authApiKeys(entries) {
      return JSON.stringify(
        entries.map(({ name, key, role, principal }) => ({
          name,
          sha256: hashApiKey(key),
          role,
          principals: [principal],
        })),
      );
    },
    streamName(stream) {
      return naming.streamName(stream);
    },
    async close() {
      subscription.unsubscribe();
      const jsm = await jetstreamManager(nats);
      for await (const info of jsm.streams.list()) {
        if (info.config.name.startsWith(naming.streamName(""))) await jsm.streams.delete(info.config.name);
      }
      await nats.close();
      await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await db.end();
      await devnet.stop();
      await rm(secrets, { recursive: true, force: true });
    },
  };
}

/** What a service's harness exposes of its environment. */
export type HarnessBase<A extends string = DefaultAccountName> = Pick<
  TestEnvironment<A>,
  "devnet" | "db" | "accounts" | "received" | "subjectPrefix" | "schema" | "nats"
>;
