import type { NatsConnection } from "@nats-io/transport-node";
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type Type } from "@nestjs/common";
import type { Pool } from "pg";
import type { ContractKey, StacksChain } from "@voltstack/chain";
import {
  prismaExecutor,
  type PrismaRawClient,
  type PrismaTransactionClient,
  prismaTransactions,
  type StreamSpec,
} from "@voltstack/messaging";
import { SERVICE_CONFIG, ShutdownHooks } from "@voltstack/service-kit";
import { ChainSyncPipeline } from "./chain-sync-pipeline.js";
import type { ContractEventSync, PrintEventHandler } from "./contract-event-sync.js";
import { NATS_CONNECTION, PG_POOL, PRISMA, STACKS_CHAIN, TRANSACTION_JOURNAL } from "./service-infrastructure.js";
import type { TransactionJournal } from "./transaction-journal.js";

/** The configuration every service's follower reads (service-kit's chain service fields). */
export interface ChainSyncConfig {
  SUBJECT_PREFIX?: string | undefined;
  CHAIN_SYNC_FROM_HEIGHT: number;
  CHAIN_POLL_INTERVAL_MS: number;
  CHAIN_CONFIRMATION_TIMEOUT_MS: number;
}

export interface ChainSyncServiceOptions<C extends ContractKey, Tx, Config extends ChainSyncConfig> {
  /** The service's name: the follower's checkpoint id is `<service>:<contract>`. */
  service: string;
  contract: C;
  /** The logger context of the follower's and relay's failures, e.g. "FacilitySync". */
  logContext: string;
  /** The stream the service publishes to. */
  stream: StreamSpec;
  schema: (config: Config) => string;
  /** Applies one print event to the read model and returns the domain events it makes true. */
  handle: PrintEventHandler<C, Tx>;
  /** Clears what a re-sync from `fromHeight` writes again. */
  forget: (tx: Tx, fromHeight: number) => Promise<unknown>;
}

/** A service's follower of its contract, with the relay, as one Nest provider. */
export interface ChainSyncService<C extends ContractKey, Tx> extends OnApplicationBootstrap {
  readonly sync: ContractEventSync<C, Tx>;
  /** Settles journal entries whose sender stopped waiting (timeout, restart) from the node's record. */
  reconcileJournal(): Promise<number>;
  /** Rebuilds the read model from `fromHeight`; events already published are not published again. */
  resync(fromHeight: number): Promise<number>;
}

/**
 * The provider through which facts reach a service's read model and NATS: the follower
 * applies the contract's print events (the service's own transactions and those sent
 * straight from wallets alike) with their outbox rows, and the relay publishes what
 * committed. It starts with the application and stops with its shutdown hooks: the
 * follower with the intake, the relay once drained.
 */
export function chainSyncServiceFor<C extends ContractKey, Tx extends PrismaRawClient, Config extends ChainSyncConfig>(
  options: ChainSyncServiceOptions<C, Tx, Config>,
): Type<ChainSyncService<C, Tx>> {
  @Injectable()
  class ContractChainSyncService implements ChainSyncService<C, Tx> {
    readonly sync: ContractEventSync<C, Tx>;
    readonly #pipeline: ChainSyncPipeline<C, Tx>;

    constructor(
      @Inject(PRISMA) prisma: PrismaTransactionClient<Tx> & PrismaRawClient,
      @Inject(PG_POOL) pool: Pool,
      @Inject(NATS_CONNECTION) nats: NatsConnection,
      @Inject(STACKS_CHAIN) chain: StacksChain,
      @Inject(TRANSACTION_JOURNAL) journal: TransactionJournal,
      @Inject(SERVICE_CONFIG) config: Config,
      @Inject(ShutdownHooks) hooks: ShutdownHooks,
    ) {
      const logger = new Logger(options.logContext);
      this.#pipeline = new ChainSyncPipeline<C, Tx>({
        sync: {
          id: `${options.service}:${options.contract}`,
          chain,
          contract: options.contract,
          transactions: prismaTransactions<Tx>(prisma),
          handle: options.handle,
          schema: options.schema(config),
          fromHeight: config.CHAIN_SYNC_FROM_HEIGHT,
          pollIntervalMs: config.CHAIN_POLL_INTERVAL_MS,
          onCheckpointRepaired: ({ followerId, storedHeight, tipHeight }) =>
            logger.warn(
              `checkpoint repaired: ${followerId} had stored height ${storedHeight}, above the chain's tip ${tipHeight}; moved it down to the tip`,
            ),
        },
        sql: prismaExecutor(prisma),
        pool,
        nats,
        subjectPrefix: config.SUBJECT_PREFIX,
        streams: [options.stream],
        journal,
        confirmationTimeoutMs: config.CHAIN_CONFIRMATION_TIMEOUT_MS,
        forget: options.forget,
        logError: (message) => logger.error(message),
      });
      this.sync = this.#pipeline.sync;
      hooks.register("chain sync", () => this.#pipeline.stopFollowing(), "intake");
      hooks.register("outbox relay", () => this.#pipeline.stopPublishing(), "drain");
    }

    onApplicationBootstrap(): Promise<void> {
      return this.#pipeline.start();
    }

    reconcileJournal(): Promise<number> {
      return this.#pipeline.reconcileJournal();
    }

    resync(fromHeight: number): Promise<number> {
      return this.#pipeline.resync(fromHeight);
    }
  }
  return ContractChainSyncService;
}
