import type { NatsConnection } from "@nats-io/transport-node";
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from "@nestjs/common";
import type { Pool } from "pg";
import type { StacksChain } from "@voltstack/chain";
import { ChainSyncPipeline, type ContractEventSync, type TransactionJournal } from "@voltstack/chain-sync";
import { eventStreams } from "@voltstack/events";
import { prismaExecutor, prismaTransactions } from "@voltstack/messaging";
import { SERVICE_CONFIG, ShutdownHooks } from "@voltstack/service-kit";
import { forgetCapacitiesFrom, projectCapacityEvent } from "../capacity/capacity-projection.js";
import type { Prisma, PrismaClient } from "../generated/prisma/client.js";
import { NATS_CONNECTION, PG_POOL, PRISMA, STACKS_CHAIN, TRANSACTION_JOURNAL } from "../infrastructure/tokens.js";
import type { CapacityConfig } from "../capacity-config.js";

/**
 * The one way facts reach the read model and NATS: the follower applies the
 * capacity-tracking contract's print events (ours, those sent straight from wallets,
 * and those grid-services and charge-discharge cause) with their outbox rows, and the
 * relay publishes what committed.
 */
@Injectable()
export class CapacitySyncService implements OnApplicationBootstrap {
  readonly sync: ContractEventSync<"capacity-tracking", Prisma.TransactionClient>;
  private readonly pipeline: ChainSyncPipeline<"capacity-tracking", Prisma.TransactionClient>;

  constructor(
    @Inject(PRISMA) prisma: PrismaClient,
    @Inject(PG_POOL) pool: Pool,
    @Inject(NATS_CONNECTION) nats: NatsConnection,
    @Inject(STACKS_CHAIN) chain: StacksChain,
    @Inject(TRANSACTION_JOURNAL) journal: TransactionJournal,
    @Inject(SERVICE_CONFIG) config: CapacityConfig,
    @Inject(ShutdownHooks) hooks: ShutdownHooks,
  ) {
    const logger = new Logger("CapacitySync");
    this.pipeline = new ChainSyncPipeline({
      sync: {
        id: "capacity:capacity-tracking",
        chain,
        contract: "capacity-tracking",
        transactions: prismaTransactions<Prisma.TransactionClient>(prisma),
        handle: (event, { tx, block }) => projectCapacityEvent(event, { tx, block }),
        schema: config.CAPACITY_SCHEMA,
        fromHeight: config.CHAIN_SYNC_FROM_HEIGHT,
        pollIntervalMs: config.CHAIN_POLL_INTERVAL_MS,
      },
      sql: prismaExecutor(prisma),
      pool,
      nats,
      subjectPrefix: config.SUBJECT_PREFIX,
      streams: [eventStreams.CAPACITY],
      journal,
      confirmationTimeoutMs: config.CHAIN_CONFIRMATION_TIMEOUT_MS,
      forget: forgetCapacitiesFrom,
      logError: (message) => logger.error(message),
    });
    this.sync = this.pipeline.sync;
    hooks.register("chain sync", () => this.pipeline.stopFollowing(), "intake");
    hooks.register("outbox relay", () => this.pipeline.stopPublishing(), "drain");
  }

  onApplicationBootstrap(): Promise<void> {
    return this.pipeline.start();
  }

  /** Settles journal entries whose sender stopped waiting (timeout, restart) from the node's record. */
  reconcileJournal(): Promise<number> {
    return this.pipeline.reconcileJournal();
  }

  /** Rebuilds the read model from `fromHeight`; events already published are not published again. */
  resync(fromHeight: number): Promise<number> {
    return this.pipeline.resync(fromHeight);
  }
}
