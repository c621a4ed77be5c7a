// The whole system for `npm run bench:load`, in a process of its own: the devnet (whose
// resident memory is then this process's) and the five services as child processes.
// Talks to the benchmark over IPC: sends `StackHandle` once every service is ready, and
// on "stop" stops everything, drops the run's schemas and streams and exits.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { SERVICE_NAMES, type ServiceName } from "@voltstack/client";
import { startLocalStack } from "@voltstack/local-stack";
import { createPgPool } from "@voltstack/persistence";

export interface StackHandle {
  devnetUrl: string;
  natsUrl: string;
  subjectPrefix: string;
  urls: Record<ServiceName, string>;
  /** Process ids: the five services, and `devnet` (this process). */
  pids: Record<string, number>;
  callers: { name: string; role: string; principal: string; apiKey: string }[];
  stakeholders: string[];
  stateDir: string;
}

export type HostMessage = { ready: StackHandle } | { progress: string } | { failed: string } | { serviceExit: string };

const send = (message: HostMessage) => process.send?.(message);
const databaseUrl = process.env.DATABASE_URL || "postgresql://postgres@127.0.0.1:5432/postgres";
const natsUrl = process.env.NATS_URL || "nats://127.0.0.1:4222";
const blockIntervalMs = Number(process.env.BENCH_LOAD_BLOCK_MS || 1_000);
const pollMs = process.env.BENCH_LOAD_CHAIN_POLL_MS;

const token = randomBytes(4).toString("hex");
const stateDir = await mkdtemp(join(tmpdir(), "voltstack-bench-load-"));
const subjectPrefix = `bench${token}.`;
const schemaPrefix = `bench_${token}_`;

async function dropRunState(): Promise<void> {
  const pool = createPgPool({ url: databaseUrl, applicationName: "bench-load-cleanup", pool: { max: 1 } });
  try {
    for (const name of SERVICE_NAMES) await pool.query(`DROP SCHEMA IF EXISTS "${schemaPrefix}${name}" CASCADE`);
  } finally {
    await pool.end();
  }
  const nats = await connect({ servers: natsUrl });
  try {
    const jsm = await jetstreamManager(nats);
    for await (const info of jsm.streams.list()) {
      if (info.config.subjects?.some((subject) => subject.startsWith(subjectPrefix))) {
        await jsm.streams.delete(info.config.name);
      }
    }
  } finally {
    await nats.close();
  }
}

let stack: Awaited<ReturnType<typeof startLocalStack>> | undefined;
let stopping = false;
async function stop(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    try {
      await stack?.stop();
    } finally {
      await dropRunState().catch((error: unknown) => console.error("bench-load cleanup:", error));
      await rm(stateDir, { recursive: true, force: true });
    }
  }
  process.exit(code);
}
process.on("message", (command: unknown) => {
  if (command === "stop") void stop(0);
});
process.on("disconnect", () => void stop(1));

try {
  stack = await startLocalStack({
    databaseUrl,
    natsUrl,
    stateDir,
    devnet: { port: 0, blockIntervalMs },
    ports: "free",
    schemaPrefix,
    subjectPrefix,
    ...(pollMs ? { chainPollIntervalMs: Number(pollMs) } : {}),
    serviceStartTimeoutMs: 600_000,
    onProgress: (line) => send({ progress: line }),
    onServiceExit: (service, exit) =>
      send({ serviceExit: `${service} exited (${exit.signal ?? `code ${exit.code}`}); logs in ${stateDir}/logs` }),
  });
  const pids: Record<string, number> = { devnet: process.pid };
  for (const name of SERVICE_NAMES) pids[name] = stack.services[name].pid!;
  send({
    ready: {
      devnetUrl: stack.devnet.url,
      natsUrl,
      subjectPrefix,
      urls: Object.fromEntries(SERVICE_NAMES.map((name) => [name, stack!.services[name].url])) as Record<
        ServiceName,
        string
      >,
      pids,
      callers: stack.credentials.map(({ name, role, principal, apiKey }) => ({ name, role, principal, apiKey })),
      stakeholders: stack.stakeholders,
      stateDir,
    },
  });
} catch (error) {
  send({ failed: error instanceof Error ? error.message : String(error) });
  await stop(1);
}
