import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from "@nestjs/common";
import type { Pool } from "pg";
import type { StacksChain } from "@voltstack/chain";
import { ContractEventSync, type TransactionJournal } from "@voltstack/chain-sync";
import { ensureStreams, OutboxRelay, prismaExecutor, prismaTransactions, SubjectNaming } from "@voltstack/messaging";
import { SERVICE_CONFIG, ShutdownHooks } from "@voltstack/service-kit";
import type { FlowConfig } from "../flow-config.js";
import { forgetFlowFrom, projectFlowEvent } from "../flow/flow-projection.js";
import type { Prisma, PrismaClient } from "../generated/prisma/client.js";
import { NATS_CONNECTION, PG_POOL, PRISMA, STACKS_CHAIN, TRANSACTION_JOURNAL } from "../infrastructure/tokens.js";
import { FLOW_STREAM } from "./flow-events.stream.js";

const RECONCILE_INTERVAL_MS = 60_000;

/**
 * The one way facts reach the read model and NATS: the follower applies the
 * charge-discharge contract's print events (ours and those sent straight from wallets
 * alike) with their outbox rows, and the relay publishes what committed (the schedules'
 * events included).
 */
@Injectable()
export class FlowSyncService implements OnApplicationBootstrap {
  private readonly logger = new Logger("FlowSync");
  readonly sync: ContractEventSync<"charge-discharge", Prisma.TransactionClient>;
  private readonly relay: OutboxRelay;
  private reconciling: NodeJS.Timeout | undefined;

  constructor(
    @Inject(PRISMA) prisma: PrismaClient,
    @Inject(PG_POOL) pool: Pool,
    @Inject(NATS_CONNECTION) private readonly nats: NatsConnection,
    @Inject(STACKS_CHAIN) private readonly chain: StacksChain,
    @Inject(TRANSACTION_JOURNAL) private readonly journal: TransactionJournal,
    @Inject(SERVICE_CONFIG) private readonly config: FlowConfig,
    @Inject(ShutdownHooks) hooks: ShutdownHooks,
  ) {
    this.sync = new ContractEventSync(
      {
        id: "flow:charge-discharge",
        chain,
        contract: "charge-discharge",
        transactions: prismaTransactions<Prisma.TransactionClient>(prisma),
        handle: (event, { tx, block }) => projectFlowEvent(event, { tx, block }),
        schema: config.FLOW_SCHEMA,
        fromHeight: config.CHAIN_SYNC_FROM_HEIGHT,
        pollIntervalMs: config.CHAIN_POLL_INTERVAL_MS,
        onError: (error) => this.logger.error(`chain sync failed: ${(error as Error).message}`),
      },
      prismaExecutor(prisma),
    );
    this.relay = new OutboxRelay({
      pool,
      nats,
      schema: config.FLOW_SCHEMA,
      subjectPrefix: config.SUBJECT_PREFIX,
      onError: (error) => this.logger.error(`outbox relay failed: ${(error as Error).message}`),
    });
    hooks.register(
      "chain sync",
      async () => {
        clearInterval(this.reconciling);
        await this.sync.stop();
      },
      "intake",
    );
    hooks.register("outbox relay", () => this.relay.stop(), "drain");
  }

  async onApplicationBootstrap(): Promise<void> {
    await ensureStreams(await jetstreamManager(this.nats), new SubjectNaming(this.config.SUBJECT_PREFIX), [
      FLOW_STREAM,
    ]);
    await this.relay.start();
    this.sync.start();
    this.reconciling = setInterval(() => void this.reconcileJournal(), RECONCILE_INTERVAL_MS);
    this.reconciling.unref();
  }

  /** Settles journal entries whose sender stopped waiting (timeout, restart) from the node's record. */
  async reconcileJournal(): Promise<number> {
    try {
      return await this.journal.reconcile(this.chain, { olderThanMs: this.config.CHAIN_CONFIRMATION_TIMEOUT_MS });
    } catch (error) {
      this.logger.error(`journal reconciliation failed: ${(error as Error).message}`);
      return 0;
    }
  }

  /** Rebuilds the read model from `fromHeight`; events already published are not published again. */
  resync(fromHeight: number): Promise<number> {
    return this.sync.resync(fromHeight, (tx) => forgetFlowFrom(tx, fromHeight));
  }
}
