import type { NatsConnection } from "@nats-io/transport-node";
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from "@nestjs/common";
import type { Pool } from "pg";
import type { StacksChain } from "@voltstack/chain";
import { ChainSyncPipeline, type ContractEventSync, type TransactionJournal } from "@voltstack/chain-sync";
import { eventStreams } from "@voltstack/events";
import { prismaExecutor, prismaTransactions } from "@voltstack/messaging";
import { SERVICE_CONFIG, ShutdownHooks } from "@voltstack/service-kit";
import { forgetGridStateFrom, projectGridEvent } from "./grid-projection.js";
import type { Prisma, PrismaClient } from "../generated/prisma/client.js";
import { NATS_CONNECTION, PG_POOL, PRISMA, STACKS_CHAIN, TRANSACTION_JOURNAL } from "../infrastructure/tokens.js";
import type { GridConfig } from "../grid-config.js";

/**
 * The one way facts reach the read model and NATS: the follower applies the
 * grid-services print events (ours and those sent straight from wallets alike) with
 * their outbox rows, and the relay publishes what committed.
 */
@Injectable()
export class GridSyncService implements OnApplicationBootstrap {
  readonly sync: ContractEventSync<"grid-services", Prisma.TransactionClient>;
  private readonly pipeline: ChainSyncPipeline<"grid-services", Prisma.TransactionClient>;

  constructor(
    @Inject(PRISMA) prisma: PrismaClient,
    @Inject(PG_POOL) pool: Pool,
    @Inject(NATS_CONNECTION) nats: NatsConnection,
    @Inject(STACKS_CHAIN) chain: StacksChain,
    @Inject(TRANSACTION_JOURNAL) journal: TransactionJournal,
    @Inject(SERVICE_CONFIG) config: GridConfig,
    @Inject(ShutdownHooks) hooks: ShutdownHooks,
  ) {
    const logger = new Logger("GridSync");
    this.pipeline = new ChainSyncPipeline({
      sync: {
        id: "grid:grid-services",
        chain,
        contract: "grid-services",
        transactions: prismaTransactions<Prisma.TransactionClient>(prisma),
        handle: (event, { tx, block }) => projectGridEvent(event, { tx, block }),
        schema: config.GRID_SCHEMA,
        fromHeight: config.CHAIN_SYNC_FROM_HEIGHT,
        pollIntervalMs: config.CHAIN_POLL_INTERVAL_MS,
      },
      sql: prismaExecutor(prisma),
      pool,
      nats,
      subjectPrefix: config.SUBJECT_PREFIX,
      streams: [eventStreams.GRID_SERVICES],
      journal,
      confirmationTimeoutMs: config.CHAIN_CONFIRMATION_TIMEOUT_MS,
      forget: forgetGridStateFrom,
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
