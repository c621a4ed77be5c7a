import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SERVICE_NAMES, type ServiceName, VoltstackClient } from "@voltstack/client";
import { type EventTail, type LocalStack, startLocalStack, tailEvents } from "@voltstack/local-stack";
import { createPgPool } from "@voltstack/persistence";
import { databaseUrl, natsUrl } from "@voltstack/service-testing";
import { describeLeaks, findSecrets, findSecretsInFiles, stackSecrets } from "../fuzz/secret-scan.js";
import { dropStackState } from "./stack-cleanup.js";

/** Mines a block every `intervalMs` unless paused: lets a test hold a transaction in the mempool. */
export class Miner {
  #paused = false;
  #mining: Promise<unknown> = Promise.resolve();
  readonly #timer: NodeJS.Timeout;

  constructor(
    private readonly mine: () => Promise<number>,
    intervalMs: number,
  ) {
    this.#timer = setInterval(() => {
      if (this.#paused) return;
      this.#mining = this.#mining.then(() => this.mine().catch(() => undefined));
    }, intervalMs);
  }

  /** Stops mining once the block being mined (if any) is done. */
  async pause(): Promise<void> {
    this.#paused = true;
    await this.#mining;
  }

  resume(): void {
    this.#paused = false;
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#mining;
  }
}

/** The five services as processes, the devnet and a tail of every event, for one test file. */
export interface SystemUnderTest {
  stack: LocalStack;
  miner: Miner;
  tail: EventTail;
  urls: Record<ServiceName, string>;
  /** A client acting as the local caller `name` (admin, owner-1, owner-2, operator), or as nobody. */
  client(name?: string): VoltstackClient;
  caller(name: string): { apiKey: string; principal: string };
  /** Row counts of every table of the five services' schemas, `schema.table` -> rows. */
  databaseSnapshot(): Promise<Record<string, number>>;
  /** The next nonce of every principal the services sign for, by principal: unchanged means nothing was signed. */
  signerNonces(): Promise<Record<string, number>>;
  /** The services' log files (`<stateDir>/logs/<service>.log`). */
  logFiles: string[];
  /** Stops everything; fails, naming the file and line, when a log or an event held a secret. */
  close(): Promise<void>;
}

/** Where the system runs, for tests that bring servers of their own. */
export interface SystemOptions {
  /** Default: the shared PostgreSQL of the test suite. */
  databaseUrl?: string;
  /** Default: the shared NATS of the test suite. */
  natsUrl?: string;
  /** Keeps the devnet's chain on disk (under the state directory), so `stack.restartDevnet()` can restart it. */
  persistChain?: boolean;
  /** How long each service may take to start (default 300 s: five start at once, and test suites share the CPU). */
  serviceStartTimeoutMs?: number;
}

const SERVICE_START_TIMEOUT_MS = 300_000;

/** `env`: extra configuration of every service (e.g. shorter recovery times for a fault test). */
export async function startSystem(
  env: Record<string, string> = {},
  options: SystemOptions = {},
): Promise<SystemUnderTest> {
  const servers = { databaseUrl: options.databaseUrl ?? databaseUrl, natsUrl: options.natsUrl ?? natsUrl };
  const token = randomBytes(4).toString("hex");
  const stateDir = await mkdtemp(join(tmpdir(), "voltstack-e2e-"));
  const subjectPrefix = `e2e${token}.`;
  const stack = await startLocalStack({
    ...servers,
    stateDir,
    devnet: { port: 0, blockIntervalMs: 0, ...(options.persistChain ? { dataDir: join(stateDir, "chain") } : {}) },
    ports: "free",
    schemaPrefix: `e2e_${token}_`,
    subjectPrefix,
    nodeEnv: "test",
    chainPollIntervalMs: 100,
    serviceStartTimeoutMs: options.serviceStartTimeoutMs ?? SERVICE_START_TIMEOUT_MS,
    env,
    serviceEnv: {
      // A fulfilment whose delivery died unacknowledged comes back within seconds.
      // Payouts move once the fulfilment's block is mined: the tests hold blocks back at will.
      revenue: { EVENT_ACK_WAIT_MS: "8000", CHAIN_CONFIRMATION_TIMEOUT_MS: "6000", DISTRIBUTION_FINALITY_BLOCKS: "1" },
    },
  });
  const miner = new Miner(() => stack.devnet.mineBlock(), 150);
  const tail = await tailEvents(servers.natsUrl, subjectPrefix);
  const urls = Object.fromEntries(SERVICE_NAMES.map((name) => [name, stack.services[name].url])) as Record<
    ServiceName,
    string
  >;
  const caller = (name: string) => {
    const credential = stack.credentials.find((candidate) => candidate.name === name);
    if (!credential) throw new Error(`no local caller ${name}`);
    return { apiKey: credential.apiKey, principal: credential.principal };
  };
  const logFiles = SERVICE_NAMES.map((name) => join(stateDir, "logs", `${name}.log`));
  return {
    stack,
    miner,
    tail,
    urls,
    caller,
    logFiles,
    client: (name) => new VoltstackClient(name ? { urls, apiKey: caller(name).apiKey } : { urls }),
    async databaseSnapshot() {
      const pool = createPgPool({ url: servers.databaseUrl, applicationName: "e2e-snapshot", pool: { max: 1 } });
      try {
        const { rows: tables } = await pool.query<{ schema: string; name: string }>(
          `SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
           WHERE table_schema = ANY($1) AND table_type = 'BASE TABLE' ORDER BY 1, 2`,
          [Object.values(stack.schemas)],
        );
        const counts: Record<string, number> = {};
        for (const { schema, name } of tables) {
          const { rows } = await pool.query<{ count: string }>(`SELECT count(*) FROM "${schema}"."${name}"`);
          counts[`${schema}.${name}`] = Number(rows[0]!.count);
        }
        return counts;
      } finally {
        await pool.end();
      }
    },
    async signerNonces() {
      const nonces: Record<string, number> = {};
      for (const { principal } of stack.credentials) {
        const response = await fetch(`${stack.devnet.url}/v2/accounts/${principal}?proof=0`);
        nonces[principal] = ((await response.json()) as { nonce: number }).nonce;
      }
      return nonces;
    },
    async close() {
      await tail.close();
      await miner.stop();
      await stack.stop();
      // Every end-to-end run doubles as a search for leaked secrets: in what the services
      // logged and in every event they published.
      const secrets = await stackSecrets(stack);
      const leaks = [
        ...(await findSecretsInFiles(logFiles, secrets)),
        ...tail.events.flatMap((tailed, index) =>
          findSecrets(`event #${index} on ${tailed.subject}`, JSON.stringify(tailed.event), secrets),
        ),
      ];
      await dropStackState(Object.values(stack.schemas), subjectPrefix, servers);
      await rm(stateDir, { recursive: true, force: true });
      if (leaks.length > 0) throw new Error(`Secrets leaked during the run:\n${describeLeaks(leaks)}`);
    },
  };
}
