import { existsSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { createConnection } from "node:net";
import { join, resolve } from "node:path";
import { SERVICE_NAMES } from "@voltstack/client";
import {
  type ExternalChain,
  externalChainFromEnv,
  formatEventLine,
  STACK_SERVICES,
  type StackOptions,
  StackConfigError,
  startLocalStack,
  startStackOnChain,
  tailEvents,
} from "@voltstack/local-stack";
import { localInstance } from "../instance.js";
import { type Output, table } from "../output.js";
import { CliUsageError, stateDir, writeStackFile } from "../stack-file.js";

const DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/postgres";
const DEFAULT_NATS_URL = "nats://127.0.0.1:4222";

function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = createConnection({ host, port, timeout: 2_000 });
    socket.once("connect", () => {
      socket.destroy();
      done(true);
    });
    socket.once("timeout", () => {
      socket.destroy();
      done(false);
    });
    socket.once("error", () => done(false));
  });
}

/** Says exactly which server is missing and how to get it, before anything starts. */
async function checkServers(databaseUrl: string, natsUrl: string): Promise<void> {
  const missing: string[] = [];
  const database = new URL(databaseUrl);
  if (!(await reachable(database.hostname, Number(database.port || 5432)))) {
    missing.push(
      `PostgreSQL is not reachable at ${database.host} (DATABASE_URL). Start it with ` +
        "`sudo pg_ctlcluster <version> main start` (Debian: apt-get install postgresql), or point DATABASE_URL at one.",
    );
  }
  const nats = new URL(natsUrl);
  if (!(await reachable(nats.hostname, Number(nats.port || 4222)))) {
    missing.push(
      `NATS is not reachable at ${nats.host} (NATS_URL). Start it with JetStream on: \`nats-server -js\` ` +
        "(Debian: apt-get install nats-server), or point NATS_URL at one.",
    );
  }
  if (missing.length > 0) throw new CliUsageError("SERVERS_UNREACHABLE", missing.join("\n"));
}

/** Refuses to start over a port in use: most often the system is already running. */
async function checkPortsFree(ports: [string, number][]): Promise<void> {
  const taken: string[] = [];
  for (const [user, port] of ports) if (await reachable("127.0.0.1", port)) taken.push(`${port} (${user})`);
  if (taken.length > 0) {
    throw new CliUsageError(
      "PORTS_IN_USE",
      `Port ${taken.join(", ")} is already in use. Is voltstack already running (\`npx voltstack status\`)? ` +
        "Stop it with Ctrl-C in its terminal, or free the ports.",
    );
  }
}

async function lastLines(path: string, count: number): Promise<string> {
  try {
    return (await readFile(path, "utf8")).trimEnd().split("\n").slice(-count).join("\n");
  } catch {
    return "(no output)";
  }
}

/** The chain the services' schemas last followed, as `voltstack up` noted it in the state folder. */
async function previousChain(state: string): Promise<string | undefined> {
  try {
    return (JSON.parse(await readFile(join(state, "chain.json"), "utf8")) as { chain?: string }).chain;
  } catch {
    return undefined;
  }
}

async function noteChain(state: string, chain: string): Promise<void> {
  await mkdir(state, { recursive: true });
  await writeFile(join(state, "chain.json"), `${JSON.stringify({ chain }, null, 2)}\n`);
}

/**
 * `voltstack up` (`npm start`): the devnet with the contracts, every service's migrations
 * and the five services, then a live tail of the events until Ctrl-C stops it all. With
 * STACKS_API_URL set the services run against that chain instead and no devnet starts;
 * the signer keys, callers and stakeholders are then the operator's (`externalChainFromEnv`).
 */
export async function up(output: Output): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
  const natsUrl = process.env.NATS_URL || DEFAULT_NATS_URL;
  let chain: ExternalChain | undefined;
  try {
    chain = externalChainFromEnv(process.env);
  } catch (error) {
    if (error instanceof StackConfigError) throw new CliUsageError(error.code, error.message);
    throw error;
  }
  await checkServers(databaseUrl, natsUrl);
  const devnetPort = Number(process.env.DEVNET_PORT || 3999);
  await checkPortsFree([
    ...(chain ? [] : [["the devnet (DEVNET_PORT)", devnetPort] as [string, number]]),
    ...STACK_SERVICES.map((service): [string, number] => [service.name, service.defaultPort]),
  ]);
  const state = stateDir();
  // Schemas, subjects and consumers of this checkout's own, so nothing another checkout or
  // application keeps on the same servers is read, changed or dropped.
  const instance = await localInstance(state);
  const subjectPrefix = process.env.SUBJECT_PREFIX ?? instance.subjectPrefix;
  const schemaPrefix = process.env.SCHEMA_PREFIX ?? instance.schemaPrefix;

  const devnetDataDir = resolve(process.env.DEVNET_DATA_DIR ?? ".devnet");
  const chainId = chain
    ? `${chain.apiUrl} ${chain.network ?? ""} ${chain.deploymentRecord ?? chain.contractDeployer ?? ""}`.trim()
    : `devnet ${devnetDataDir}`;
  // The read models hold the blocks of the chain they followed: a new chain needs fresh ones.
  // They are dropped for a devnet only, and only this checkout's own (schemaPrefix); the
  // schemas of a real chain are never dropped here.
  const previous = await previousChain(state);
  const changed = previous !== undefined && previous !== chainId;
  if (changed && chain) {
    throw new CliUsageError(
      "CHAIN_CHANGED",
      `The services' schemas in DATABASE_URL last followed ${previous}, not ${chainId}. ` +
        "Point DATABASE_URL at another database (or drop the five schemas yourself), then start again.",
    );
  }
  if (!schemaPrefix) {
    throw new CliUsageError(
      "SCHEMA_PREFIX_EMPTY",
      "SCHEMA_PREFIX is empty: the local system keeps its schemas under a prefix of its own, so that it never " +
        `drops schemas it did not make. Unset it to use this checkout's (${instance.schemaPrefix}).`,
    );
  }
  await noteChain(state, chainId);
  const options: StackOptions = {
    databaseUrl,
    natsUrl,
    stateDir: state,
    subjectPrefix,
    schemaPrefix,
    resetSchemas: changed || (!chain && !existsSync(devnetDataDir)),
    // Spans are exported only where the OTEL_* variables ask (OTLP to a collector, or
    // OTEL_TRACES_EXPORTER=console for one JSON line per span); the services' JSON log lines
    // carry the trace id either way, so the demo's can be followed across the five with grep.
    onProgress: (message) => output.note(`  ${message}`),
    onServiceExit: (name, exit) => {
      const log = join(state, "logs", `${name}.log`);
      void lastLines(log, 15).then((lines) =>
        output.note(
          `\n!! ${name} stopped (${exit.signal ?? `exit code ${exit.code}`}). Last lines of ${log}:\n${lines}\n`,
        ),
      );
    },
  };
  const stack = chain
    ? await startStackOnChain({ ...options, chain })
    : await startLocalStack({
        ...options,
        devnet: {
          port: devnetPort,
          dataDir: devnetDataDir,
          blockIntervalMs: Number(process.env.DEVNET_BLOCK_INTERVAL_MS || 1_000),
        },
        ...(process.env.GRID_ADMIN_KEYS ? { gridAdminKeys: Number(process.env.GRID_ADMIN_KEYS) } : {}),
      });
  const urls = Object.fromEntries(SERVICE_NAMES.map((name) => [name, stack.services[name].url])) as Record<
    (typeof SERVICE_NAMES)[number],
    string
  >;
  await writeStackFile({
    urls,
    devnetUrl: stack.chainUrl,
    natsUrl,
    subjectPrefix,
    stakeholders: stack.stakeholders,
    startedAt: new Date().toISOString(),
    pid: process.pid,
  });

  output.note("\nvoltstack is running\n");
  output.note(
    table(
      ["service", "url", "API docs", "logs"],
      SERVICE_NAMES.map((name) => [name, urls[name], `${urls[name]}/docs`, join(state, "logs", `${name}.log`)]),
    ),
  );
  output.note(
    chain
      ? `\nchain: the Stacks API at ${chain.apiUrl} (${chain.network}), ${chain.requestsPerMinute || "unlimited"} requests/min per service`
      : `\ndevnet (Stacks API subset over the Clarity VM): ${stack.chainUrl}`,
  );
  output.note(
    stack.credentials.length === 0
      ? 'no callers: set VOLTSTACK_CALLERS to get API keys (README.md, "Running against another chain")'
      : `callers (API keys in ${join(state, "credentials.json")}; \`npx voltstack --as <caller> ...\`):\n` +
          table(
            ["caller", "role", "principal"],
            stack.credentials.map((credential) => [credential.name, credential.role, credential.principal]),
          ),
  );
  output.note("\nTry `npm run demo` in another terminal. Events as they are published (Ctrl-C stops everything):\n");

  const tail = await tailEvents(natsUrl, subjectPrefix, (event) => output.note(formatEventLine(event)));
  await new Promise<void>((done) => {
    let stopping = false;
    const stop = () => {
      if (stopping) return;
      stopping = true;
      output.note(chain ? "\nstopping the services…" : "\nstopping the services and the devnet…");
      void (async () => {
        await tail.close();
        await stack.stop();
        await rm(join(state, "stack.json"), { force: true });
        done();
      })();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}
