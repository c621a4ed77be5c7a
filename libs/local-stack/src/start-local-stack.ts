import { mkdir } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import {
  defaultManifestPath,
  type Devnet,
  type DevnetAccount,
  registerDevnetAdmins,
  startDevnet,
} from "@voltstack/devnet";
import { applyMigrations, assertSchemaName, createPgPool } from "@voltstack/persistence";
import type { SignerKeySource } from "@voltstack/service-kit";
import type { CallerSpec, ExternalChain } from "./external-chain.js";
import {
  authApiKeys,
  devnetCallers,
  LOCAL_STAKEHOLDER_ACCOUNTS,
  type LocalCredential,
  loadOrCreateCredentials,
} from "./local-credentials.js";
import { type ServiceExit, ServiceProcess } from "./service-process.js";
import type { ServiceName } from "@voltstack/client";
import { STACK_SERVICES, type StackService } from "./stack-services.js";

/** What every stack is started with, whichever chain it runs against. */
export interface StackOptions {
  databaseUrl: string;
  natsUrl: string;
  /** Logs and credentials go here (`<stateDir>/logs/<service>.log`, `<stateDir>/credentials.json`). */
  stateDir: string;
  /** "default": 3101..3105; "free": ports the system picks, for tests running side by side. */
  ports?: "default" | "free";
  /** Prepended to each service's schema name (`e2e_1a2b_` -> `e2e_1a2b_grid`); none by default. */
  schemaPrefix?: string;
  /** Prepended to every subject and stream, so stacks can share one NATS server. */
  subjectPrefix?: string;
  nodeEnv?: "development" | "test";
  /** How often followers look at the chain when idle; the services' default (10 s) unless set. */
  chainPollIntervalMs?: number;
  /**
   * Drops the services' schemas before migrating. A fresh chain (a new devnet) must come
   * with fresh read models: the followers refuse a chain that no longer has their blocks.
   * Needs a `schemaPrefix`: schemas without one are never dropped.
   */
  resetSchemas?: boolean;
  /** Extra configuration of every service, over what the stack sets. */
  env?: Record<string, string>;
  /** Extra configuration of one service, over what the stack sets. */
  serviceEnv?: Partial<Record<ServiceName, Record<string, string>>>;
  /** How long each service may take to answer ready when started (default 120 s); raise it on a busy machine. */
  serviceStartTimeoutMs?: number;
  /** Called when a service stops without being asked to. */
  onServiceExit?: (service: ServiceName, exit: ServiceExit) => void;
  /** Progress lines: "migrating grid", "grid ready at ...". */
  onProgress?: (message: string) => void;
}

export interface LocalStackOptions extends StackOptions {
  devnet?: { port?: number; dataDir?: string; blockIntervalMs?: number };
  /**
   * How many admin keys grid signs the admin's creates, fulfilments and sweeps with (a sender
   * pool, each key with its own 25 unconfirmed transactions): the admin's further wallet
   * accounts, registered as admins on the devnet. Not the admin's own key, which every service
   * holds (revenue signs its distributions with it): its nonces and 25 slots stay theirs.
   * Default 4; 0 signs with the admin's own key, as the other services do.
   */
  gridAdminKeys?: number;
}

/** LocalStackOptions.gridAdminKeys' default. */
export const DEFAULT_GRID_ADMIN_KEYS = 4;

export interface ExternalChainStackOptions extends StackOptions {
  /** The chain to run against (`externalChainFromEnv`); no devnet is started. */
  chain: ExternalChain;
}

/** The five services running against a chain. */
export interface Stack {
  /** The Stacks API the services use. */
  chainUrl: string;
  services: Record<ServiceName, ServiceProcess>;
  credentials: LocalCredential[];
  /** Devnet principals that hold no API key: the demo's revenue stakeholders. */
  stakeholders: string[];
  schemas: Record<ServiceName, string>;
  subjectPrefix: string;
  /** The process environment each service was started with. */
  serviceEnv(name: ServiceName): Record<string, string>;
  stop(): Promise<void>;
}

/** The five services against a devnet of their own, which `stop()` stops too. */
export interface LocalStack extends Stack {
  /** The devnet running now (a new object after `restartDevnet`). */
  readonly devnet: Devnet;
  /**
   * Stops the devnet and starts it again on the same port from its chain log, as a
   * node restarts: the services keep running and must ride through it. Needs
   * `devnet.dataDir`, without which the chain would be lost.
   */
  restartDevnet(): Promise<Devnet>;
}

/** A port free now and not handed out before (`taken`); another process may still take it first. */
async function freePort(taken: Set<number>): Promise<number> {
  for (;;) {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    if (address === null || typeof address === "string") throw new Error("No free port could be found.");
    if (taken.has(address.port)) continue;
    taken.add(address.port);
    return address.port;
  }
}

const PORT_ATTEMPTS = 3;

/** Starts a service; with `nextPort`, on another port when something took its port meanwhile. */
async function startService(service: ServiceProcess, nextPort?: () => Promise<number>): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await service.start();
      return;
    } catch (error) {
      if (!nextPort || attempt >= PORT_ATTEMPTS || !(await service.portWasTaken())) throw error;
      service.setEnv("PORT", String(await nextPort()));
    }
  }
}

function keyVariable(callerName: string): string {
  return `SIGNER_KEY_${callerName.toUpperCase().replace(/-/g, "_")}`;
}

/**
 * Starts the whole system on this machine: the devnet with the contracts deployed, each
 * service's migrations, then the five services as processes, resolving once every one
 * of them reports ready. Each service signs for the local callers' accounts and accepts
 * their API keys; the admin (the deployer) signs distributions and expiry sweeps.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const progress = options.onProgress ?? (() => undefined);
  const devnetOptions = (port: number) => ({
    port,
    blockIntervalMs: options.devnet?.blockIntervalMs ?? 1_000,
    ...(options.devnet?.dataDir ? { dataDir: options.devnet.dataDir } : {}),
    onError: (error: unknown) => progress(`devnet: ${error instanceof Error ? error.message : String(error)}`),
  });
  let devnet = await startDevnet(devnetOptions(options.devnet?.port ?? 3999));
  try {
    progress(`devnet ready at ${devnet.url}`);
    const callers = devnetCallers(devnet.accounts);
    const keyVariables = new Map(callers.map((caller) => [caller.principal, keyVariable(caller.name)]));
    const signerKeys: SignerKeySource[] = callers.map((caller) => ({
      principal: caller.principal,
      privateKeyEnv: keyVariables.get(caller.principal)!,
    }));
    const admin = callers.find((caller) => caller.role === "admin")!;
    const adminPool = await adminKeyPool(devnet, admin.principal, options.gridAdminKeys ?? DEFAULT_GRID_ADMIN_KEYS);
    progress(`devnet: ${adminPool.keys.length} admin keys in grid's signer pool`);
    const stack = await launchServices(options, {
      chainUrl: devnet.url,
      callers,
      stakeholders: LOCAL_STAKEHOLDER_ACCOUNTS.map((name) => devnet.accounts.get(name)!.address),
      signerKeys: () => signerKeys,
      chainEnv: {
        STACKS_API_URL: devnet.url,
        CONTRACT_DEPLOYER: devnet.accounts.get("deployer")!.address,
        // The devnet's published keys, handed to the services as variables.
        ...Object.fromEntries(
          callers.map((caller) => [keyVariables.get(caller.principal)!, secretKeyOf(devnet, caller.principal)]),
        ),
        ...adminPool.env,
        // The local devnet serves this system alone, as a self-hosted API would: no rate limit.
        STACKS_API_REQUESTS_PER_MINUTE: "0",
      },
      perService: {
        grid: {
          EXPIRY_SWEEP_PRINCIPAL: admin.principal,
          // Periods of a few one-second blocks: scored soon after they end, once late samples had a few
          // seconds (unless the caller's environment says otherwise: a test may run the sweep itself).
          PROGRAM_SCORING_INTERVAL_MS: options.env?.PROGRAM_SCORING_INTERVAL_MS ?? "2000",
          PROGRAM_SCORING_GRACE_S: options.env?.PROGRAM_SCORING_GRACE_S ?? "3",
          ...(adminPool.keys.length > 0
            ? {
                SIGNER_POOLS: JSON.stringify([
                  { principal: admin.principal, keys: adminPool.keys, principalSigns: false },
                ]),
              }
            : {}),
        },
        revenue: { DISTRIBUTOR_PRINCIPAL: admin.principal },
      },
    });
    return {
      ...stack,
      get devnet() {
        return devnet;
      },
      restartDevnet: async () => {
        if (!options.devnet?.dataDir)
          throw new Error("A devnet without a dataDir cannot restart: its chain would be lost.");
        const port = Number(new URL(devnet.url).port);
        await devnet.stop();
        devnet = await startDevnet(devnetOptions(port));
        progress(`devnet restarted at ${devnet.url}`);
        return devnet;
      },
      stop: async () => {
        await stack.stop();
        await devnet.stop();
      },
    };
  } catch (error) {
    await devnet.stop();
    throw error;
  }
}

/**
 * Starts the five services against a chain that runs elsewhere (`chain.apiUrl`): the same
 * migrations, processes and readiness as `startLocalStack`, but no devnet. The services
 * sign only with the operator's keys (`chain.signerKeys`) and accept API keys for the
 * operator's callers; the key files or variables those name must be there for the services.
 */
export async function startStackOnChain(options: ExternalChainStackOptions): Promise<Stack> {
  const { chain } = options;
  const progress = options.onProgress ?? (() => undefined);
  progress(
    `using the Stacks API at ${chain.apiUrl} (${chain.network ?? "network from the deployment record"}); no devnet`,
  );
  const admin = chain.callers.find((caller) => caller.role === "admin");
  // Grid's sweep and revenue's distributions sign as a principal of their own keys: the
  // admin caller's when the service holds it, else the service's first key.
  const signerOf = (service: ServiceName): string => {
    const keys = chain.signerKeys[service];
    return keys.find((key) => key.principal === admin?.principal)?.principal ?? keys[0]!.principal;
  };
  return launchServices(options, {
    chainUrl: chain.apiUrl,
    callers: chain.callers,
    stakeholders: chain.stakeholders,
    signerKeys: (service) => chain.signerKeys[service],
    chainEnv: {
      STACKS_API_URL: chain.apiUrl,
      STACKS_API_REQUESTS_PER_MINUTE: String(chain.requestsPerMinute),
      ...(chain.apiKey ? { STACKS_API_KEY: chain.apiKey } : {}),
      ...(chain.network ? { STACKS_NETWORK: chain.network } : {}),
      ...(chain.deploymentRecord ? { DEPLOYMENT_RECORD: chain.deploymentRecord } : {}),
      ...(chain.contractDeployer ? { CONTRACT_DEPLOYER: chain.contractDeployer } : {}),
    },
    perService: Object.fromEntries(
      STACK_SERVICES.map(({ name }) => {
        const pools = chain.signerPools?.[name];
        return [
          name,
          {
            ...(pools ? { SIGNER_POOLS: JSON.stringify(pools) } : {}),
            ...(name === "grid" ? { EXPIRY_SWEEP_PRINCIPAL: signerOf("grid") } : {}),
            ...(name === "revenue" ? { DISTRIBUTOR_PRINCIPAL: signerOf("revenue") } : {}),
          },
        ];
      }),
    ),
  });
}

interface ChainSetup {
  chainUrl: string;
  callers: readonly CallerSpec[];
  stakeholders: string[];
  signerKeys: (service: ServiceName) => readonly SignerKeySource[];
  /** Where the chain is and how to reach it, for every service. */
  chainEnv: Record<string, string>;
  perService: Partial<Record<ServiceName, Record<string, string>>>;
}

/** Migrations, then the five services as processes, resolving once every one reports ready. */
async function launchServices(options: StackOptions, setup: ChainSetup): Promise<Stack> {
  const progress = options.onProgress ?? (() => undefined);
  const subjectPrefix = options.subjectPrefix ?? "";
  await mkdir(join(options.stateDir, "logs"), { recursive: true });
  const credentials = await loadOrCreateCredentials(join(options.stateDir, "credentials.json"), setup.callers);

  const schemas = Object.fromEntries(
    STACK_SERVICES.map((service) => [service.name, `${options.schemaPrefix ?? ""}${service.name}`]),
  ) as Record<ServiceName, string>;
  if (options.resetSchemas) {
    // Only schemas under a prefix of the caller's own: an unprefixed "grid" may be anyone's.
    if (!options.schemaPrefix)
      throw new Error("resetSchemas needs a schemaPrefix: unprefixed schemas are never dropped.");
    await dropSchemas(options.databaseUrl, Object.values(schemas), progress);
  }
  for (const service of STACK_SERVICES) {
    const result = await applyMigrations({
      url: options.databaseUrl,
      schema: schemas[service.name],
      migrationsDir: service.migrationsDir,
    });
    progress(
      `${service.name}: schema ${result.schema} migrated (${result.appliedMigrationNames.length} new migrations)`,
    );
  }

  const common: Record<string, string> = {
    NODE_ENV: options.nodeEnv ?? "development",
    HOST: "127.0.0.1",
    DATABASE_URL: options.databaseUrl,
    DATABASE_POOL_MAX: "5",
    NATS_URL: options.natsUrl,
    ...setup.chainEnv,
    AUTH_API_KEYS: authApiKeys(credentials),
    ...(options.chainPollIntervalMs === undefined
      ? {}
      : { CHAIN_POLL_INTERVAL_MS: String(options.chainPollIntervalMs) }),
    ...(subjectPrefix ? { SUBJECT_PREFIX: subjectPrefix } : {}),
    ...options.env,
  };

  const environments = {} as Record<ServiceName, Record<string, string>>;
  const taken = new Set<number>();
  const services = {} as Record<ServiceName, ServiceProcess>;
  for (const service of STACK_SERVICES) {
    const port = options.ports === "free" ? await freePort(taken) : service.defaultPort;
    environments[service.name] = {
      SIGNER_KEYS: JSON.stringify(setup.signerKeys(service.name)),
      ...common,
      PORT: String(port),
      [service.schemaVariable]: schemas[service.name],
      ...setup.perService[service.name],
      ...options.serviceEnv?.[service.name],
    };
    services[service.name] = processFor(service, environments[service.name]!, options);
  }
  const started: ServiceProcess[] = [];
  try {
    await Promise.all(
      STACK_SERVICES.map(async ({ name }) => {
        await startService(services[name], options.ports === "free" ? () => freePort(taken) : undefined);
        started.push(services[name]);
        progress(`${name} ready at ${services[name].url}`);
      }),
    );
  } catch (error) {
    await Promise.all(started.map((service) => service.stop()));
    throw error;
  }

  return {
    chainUrl: setup.chainUrl,
    services,
    credentials,
    stakeholders: setup.stakeholders,
    schemas,
    subjectPrefix,
    serviceEnv: (name) => environments[name],
    stop: async () => {
      await Promise.all(Object.values(services).map((service) => service.stop()));
    },
  };
}

async function dropSchemas(url: string, schemas: string[], progress: (message: string) => void): Promise<void> {
  const pool = createPgPool({ url, applicationName: "voltstack-local-stack", pool: { max: 1 } });
  try {
    for (const schema of schemas) {
      assertSchemaName(schema);
      const { rowCount } = await pool.query("SELECT 1 FROM information_schema.schemata WHERE schema_name = $1", [
        schema,
      ]);
      if (!rowCount) continue;
      await pool.query(`DROP SCHEMA "${schema}" CASCADE`);
      progress(`schema ${schema} dropped: the chain is new`);
    }
  } finally {
    await pool.end();
  }
}

/**
 * Registers `count` admin keys on the devnet besides the admin caller's (the deployer's) and
 * returns them as SIGNER_KEYS-style sources, with the variables holding them.
 */
async function adminKeyPool(
  devnet: Devnet,
  adminPrincipal: string,
  count: number,
): Promise<{ keys: SignerKeySource[]; env: Record<string, string> }> {
  if (!Number.isInteger(count) || count < 0) throw new Error(`GRID_ADMIN_KEYS must be 0 or more, not ${count}.`);
  if (count === 0) return { keys: [], env: {} };
  const registered: DevnetAccount[] = await registerDevnetAdmins(devnet, count + 1, {
    manifestPath: defaultManifestPath(),
  });
  if (registered[0]?.address !== adminPrincipal) {
    throw new Error(`The admin caller ${adminPrincipal} is not the devnet's deployer, whose accounts the pool uses.`);
  }
  const pool = registered.slice(1);
  const variable = (index: number) => `SIGNER_KEY_ADMIN_POOL_${index + 1}`;
  return {
    keys: pool.map((key, index) => ({ principal: key.address, privateKeyEnv: variable(index) })),
    env: Object.fromEntries(pool.map((key, index) => [variable(index), key.secretKey])),
  };
}

function secretKeyOf(devnet: Devnet, principal: string): string {
  for (const account of devnet.accounts.values()) if (account.address === principal) return account.secretKey;
  throw new Error(`The devnet holds no key for ${principal}.`);
}

function processFor(service: StackService, env: Record<string, string>, options: LocalStackOptions): ServiceProcess {
  return new ServiceProcess({
    service,
    env,
    logFile: join(options.stateDir, "logs", `${service.name}.log`),
    onExit: (exit) => options.onServiceExit?.(service.name, exit),
    startTimeoutMs: options.serviceStartTimeoutMs,
  });
}
