import type { NatsConnection } from "@nats-io/transport-node";
import { type DynamicModule, Global, Inject, Logger, Module, type Provider, type Type } from "@nestjs/common";
import type { Pool } from "pg";
import { type ChainConfig, StacksChain } from "@voltstack/chain";
import {
  connectWatched,
  type ConsumersHealth,
  DeadLetterStore,
  type NatsConnectionWatch,
  type PrismaRawClient,
  prismaExecutor,
  prismaTransactions,
} from "@voltstack/messaging";
import { createPgPool, createPrismaClient, type PrismaClientConstructor } from "@voltstack/persistence";
import {
  type BaseServiceConfig,
  IDEMPOTENCY_STORE,
  LIVENESS_CHECKS,
  type ReadinessChecks,
  SERVICE_CONFIG,
  ShutdownHooks,
} from "@voltstack/service-kit";
import { createDeadLettersController } from "./dead-letters-controller.js";
import { PgIdempotencyStore } from "./pg-idempotency-store.js";
import { createResyncController, type ReadModelResync } from "./resync-controller.js";
import { type SignerKeySource, SignerKeyStore, type SignerPoolSource } from "./signer-key-store.js";
import { SigningLeases, signingLeaseScope } from "./signing-lease.js";
import { createSyncStatusController, type FollowedSync } from "./sync-status-controller.js";
import { TransactionJournal } from "./transaction-journal.js";
import { createTransactionsController } from "./transactions-controller.js";

/** Injection tokens of a service's infrastructure (explicit: the build emits no decorator metadata). */
export const PRISMA = Symbol("PRISMA");
export const PG_POOL = Symbol("PG_POOL");
export const NATS_CONNECTION = Symbol("NATS_CONNECTION");
/** The NatsConnectionWatch following NATS_CONNECTION: its state for readiness and liveness. */
export const NATS_WATCH = Symbol("NATS_WATCH");
/** The service's EventConsumersSlot. */
export const EVENT_CONSUMERS = Symbol("EVENT_CONSUMERS");
export const STACKS_CHAIN = Symbol("STACKS_CHAIN");
export const SIGNER_KEYS = Symbol("SIGNER_KEYS");
export const TRANSACTION_JOURNAL = Symbol("TRANSACTION_JOURNAL");
export const DEAD_LETTER_STORE = Symbol("DEAD_LETTER_STORE");
/** The service's SigningLeases, or null when SIGNING_LEASE is off. */
export const SIGNING_LEASES = Symbol("SIGNING_LEASES");

/** The variables the shared infrastructure reads; every service's configuration has them. */
export type InfrastructureConfig = Pick<
  BaseServiceConfig,
  | "DATABASE_URL"
  | "DATABASE_POOL_MAX"
  | "DATABASE_POOL_IDLE_TIMEOUT_MS"
  | "DATABASE_CONNECT_TIMEOUT_MS"
  | "DATABASE_STATEMENT_TIMEOUT_MS"
  | "NATS_URL"
  | "STACKS_API_URL"
> & {
  STACKS_NETWORK: ChainConfig["network"];
  CONTRACT_DEPLOYER: string;
  SIGNER_KEYS: SignerKeySource[];
  /** Further keys that sign in place of a principal of SIGNER_KEYS (see SignerPoolSource). */
  SIGNER_POOLS?: SignerPoolSource[];
  /** How long a write waits for its follower to have read its block (and a refusal check for the tip), ms. */
  READ_MODEL_WAIT_MS?: number;
  CHAIN_CONFIRMATION_TIMEOUT_MS: number;
  CHAIN_STUCK_AFTER_MS: number;
  CHAIN_POLL_INTERVAL_MS: number;
  STACKS_API_KEY?: string | undefined;
  STACKS_API_REQUESTS_PER_MINUTE: number;
  STACKS_API_MAX_CONCURRENT: number;
  STACKS_FEE_FLOOR_USTX?: number;
  STACKS_FEE_CEILING_USTX?: number;
  STACKS_FEE_BUMP_AFTER_MS?: number;
  SIGNING_LEASE?: "on" | "off" | undefined;
  SIGNING_LEASE_TTL_MS?: number;
};

/**
 * Where serviceEventConsumers leaves the service's JetStream consumers once built (after
 * HTTP listens), so that readiness and liveness can ask them how they are; empty for a
 * service without event handlers.
 */
export class EventConsumersSlot {
  consumers: { health(): ConsumersHealth } | undefined;

  health(): ConsumersHealth {
    return this.consumers?.health() ?? { notReady: [], notLive: [] };
  }
}

/** What the shared infrastructure needs of a service's generated Prisma client. */
export interface InfrastructurePrismaClient extends PrismaRawClient {
  $transaction<T>(work: (tx: PrismaRawClient) => Promise<T>, options?: Record<string, unknown>): Promise<T>;
  $disconnect(): Promise<void>;
}

export interface ServiceInfrastructureOptions<Config extends InfrastructureConfig> {
  /** Names the NATS connection and, in pg_stat_activity, the database connections. */
  name: string;
  /** The service's generated Prisma client class. */
  prismaClient: PrismaClientConstructor<InfrastructurePrismaClient>;
  /** The service's own PostgreSQL schema, from its configuration. */
  schema: (config: Config) => string;
  /** The service's own providers, exported with the shared ones. */
  providers?: Array<Exclude<Provider, Type>>;
  /**
   * The service's follower (its `chainSyncServiceFor` class): provided and exported here, and
   * behind the operations every service serves alike: `POST /admin/resync`, `GET
   * /chain-sync/status`, `/dead-letters` and `/transactions`.
   */
  follower: Type<ReadModelResync & FollowedSync>;
}

/**
 * PostgreSQL, NATS, the chain, the signer keys, the transaction journal, the dead
 * letters and the follower: one instance each for the whole service, available in all its
 * modules and closed when it shuts down; and the operations every service serves alike
 * over them (transactions, re-sync, follower status, dead letters). A service's module
 * imports `forRoot` once and declares only its own routes and providers.
 */
@Global()
@Module({})
export class ServiceInfrastructureModule {
  constructor(
    @Inject(ShutdownHooks) hooks: ShutdownHooks,
    @Inject(PRISMA) prisma: InfrastructurePrismaClient,
    @Inject(PG_POOL) pool: Pool,
    @Inject(NATS_CONNECTION) nats: NatsConnection,
    @Inject(NATS_WATCH) natsWatch: NatsConnectionWatch,
  ) {
    hooks.register(
      "nats",
      () => {
        natsWatch.stopping();
        return nats.drain();
      },
      "close",
    );
    hooks.register("postgres (prisma)", () => prisma.$disconnect(), "close");
    hooks.register("postgres (relay pool)", () => pool.end(), "close");
  }

  static forRoot<Config extends InfrastructureConfig>(options: ServiceInfrastructureOptions<Config>): DynamicModule {
    const { name, prismaClient, schema } = options;
    const databaseOptions = (config: Config, applicationName: string, max: number) => ({
      url: config.DATABASE_URL,
      schema: schema(config),
      applicationName,
      pool: {
        max,
        idleTimeoutMs: config.DATABASE_POOL_IDLE_TIMEOUT_MS,
        connectionTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS,
        statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
      },
    });
    const own = options.providers ?? [];
    const providers: Provider[] = [
      {
        provide: PRISMA,
        inject: [SERVICE_CONFIG],
        useFactory: (config: Config) =>
          createPrismaClient(prismaClient, databaseOptions(config, name, config.DATABASE_POOL_MAX)),
      },
      {
        // The outbox relay's own pool: one LISTEN connection plus its batches.
        provide: PG_POOL,
        inject: [SERVICE_CONFIG],
        useFactory: (config: Config) => createPgPool(databaseOptions(config, `${name}-relay`, 3)),
      },
      {
        // Reconnects without a limit, with backoff and jitter: a NATS outage of any length ends
        // by itself. Only the first connection must succeed, so a misconfigured URL fails start-up.
        provide: NATS_WATCH,
        inject: [SERVICE_CONFIG],
        useFactory: async (config: Config) => {
          const logger = new Logger("NATS");
          const { watch } = await connectWatched(
            { servers: config.NATS_URL, name },
            { log: (message) => logger.log(message), error: (message) => logger.error(message) },
          );
          return watch;
        },
      },
      {
        provide: NATS_CONNECTION,
        inject: [NATS_WATCH],
        useFactory: (watch: NatsConnectionWatch) => watch.connection,
      },
      { provide: EVENT_CONSUMERS, useValue: new EventConsumersSlot() },
      {
        provide: LIVENESS_CHECKS,
        inject: [NATS_WATCH, EVENT_CONSUMERS],
        useFactory: (watch: NatsConnectionWatch, consumers: EventConsumersSlot): ReadinessChecks => ({
          nats: async () => watch.assertRecoverable(),
          consumers: async () => {
            const { notLive } = consumers.health();
            if (notLive.length > 0) throw new Error(notLive.join("; "));
          },
        }),
      },
      {
        provide: STACKS_CHAIN,
        inject: [SERVICE_CONFIG],
        useFactory: (config: Config) =>
          new StacksChain({
            network: config.STACKS_NETWORK,
            url: config.STACKS_API_URL,
            contracts: { deployer: config.CONTRACT_DEPLOYER },
            apiKey: config.STACKS_API_KEY,
            requestBudget: {
              requestsPerMinute: config.STACKS_API_REQUESTS_PER_MINUTE,
              maxConcurrent: config.STACKS_API_MAX_CONCURRENT,
            },
            fees: {
              ...(config.STACKS_FEE_FLOOR_USTX === undefined
                ? {}
                : { floorUstx: BigInt(config.STACKS_FEE_FLOOR_USTX) }),
              ...(config.STACKS_FEE_CEILING_USTX === undefined
                ? {}
                : { ceilingUstx: BigInt(config.STACKS_FEE_CEILING_USTX) }),
            },
            sender: { feeBumpAfterMs: config.STACKS_FEE_BUMP_AFTER_MS },
            confirmation: {
              timeoutMs: config.CHAIN_CONFIRMATION_TIMEOUT_MS,
              stuckAfterMs: config.CHAIN_STUCK_AFTER_MS,
              // Only while a transaction of ours waits: one nonce lookup per waiting sender a round.
              pollIntervalMs: Math.min(config.CHAIN_POLL_INTERVAL_MS, 3_000),
            },
          }),
      },
      {
        // On unless SIGNING_LEASE=off; off by default on a devnet, a throwaway chain on which the
        // local stack deliberately gives every service the same keys.
        provide: SIGNING_LEASES,
        inject: [SERVICE_CONFIG, ShutdownHooks],
        useFactory: async (config: Config, hooks: ShutdownHooks) => {
          const network = config.STACKS_NETWORK ?? "devnet";
          const on = (config.SIGNING_LEASE ?? (network === "devnet" ? "off" : "on")) === "on";
          if (!on) return null;
          const pool = createPgPool(databaseOptions(config, `${name}-signing`, 1));
          const leases = new SigningLeases(pool, {
            scope: signingLeaseScope(network, config.STACKS_API_URL),
            ttlMs: config.SIGNING_LEASE_TTL_MS,
          });
          await leases.prepare();
          // Last: requests still being answered may sign until then.
          hooks.register(
            "signing leases",
            async () => {
              await leases.stop();
              await pool.end();
            },
            "close",
          );
          return leases;
        },
      },
      {
        provide: SIGNER_KEYS,
        inject: [SERVICE_CONFIG, STACKS_CHAIN, SIGNING_LEASES],
        useFactory: async (config: Config, chain: StacksChain, leases: SigningLeases | null) => {
          const store = await SignerKeyStore.load(chain, config.SIGNER_KEYS, process.env, {
            leases: leases ?? undefined,
            pools: config.SIGNER_POOLS ?? [],
          });
          // Taken now, not at the first call, so that readiness tells at once who else signs.
          await leases?.start(store.principals);
          return store;
        },
      },
      {
        provide: TRANSACTION_JOURNAL,
        inject: [PRISMA],
        useFactory: (prisma: InfrastructurePrismaClient) => new TransactionJournal(prismaExecutor(prisma)),
      },
      {
        // Read by service-kit's IdempotencyInterceptor, which every service has.
        provide: IDEMPOTENCY_STORE,
        inject: [PRISMA, TRANSACTION_JOURNAL],
        useFactory: (prisma: InfrastructurePrismaClient, journal: TransactionJournal) =>
          new PgIdempotencyStore(prismaExecutor(prisma), journal),
      },
      {
        provide: DEAD_LETTER_STORE,
        inject: [PRISMA, SERVICE_CONFIG],
        useFactory: (prisma: InfrastructurePrismaClient, config: Config) =>
          new DeadLetterStore(prismaTransactions(prisma), schema(config)),
      },
      ...own,
      options.follower,
    ];
    return {
      module: ServiceInfrastructureModule,
      controllers: [
        createTransactionsController(TRANSACTION_JOURNAL),
        createResyncController(options.follower),
        createSyncStatusController(options.follower),
        createDeadLettersController(DEAD_LETTER_STORE),
      ],
      providers,
      exports: [
        PRISMA,
        PG_POOL,
        NATS_CONNECTION,
        NATS_WATCH,
        EVENT_CONSUMERS,
        LIVENESS_CHECKS,
        STACKS_CHAIN,
        SIGNER_KEYS,
        SIGNING_LEASES,
        TRANSACTION_JOURNAL,
        IDEMPOTENCY_STORE,
        DEAD_LETTER_STORE,
        ...own.map((provider) => provider.provide),
        options.follower,
      ],
    };
  }
}
