import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { ContractKey } from "@voltstack/chain";
import { eventStreams } from "@voltstack/events";
import { ensureStreams, OutboxRelay, SubjectNaming, type SqlExecutor, type StreamSpec } from "@voltstack/messaging";
import type { Pool } from "pg";
import { ContractEventSync, type ContractEventSyncOptions } from "./contract-event-sync.js";
import type { TransactionJournal } from "./transaction-journal.js";

// Journal entries whose sender stopped waiting are settled from the node's record this often
// (and, for entries a previous process left pending, once at start).
const RECONCILE_INTERVAL_MS = 60_000;

export interface ChainSyncPipelineOptions<C extends ContractKey, Tx> {
  sync: Omit<ContractEventSyncOptions<C, Tx>, "onError" | "forget" | "onReorganized">;
  sql: SqlExecutor;
  pool: Pool;
  nats: NatsConnection;
  subjectPrefix?: string;
  /** The streams this service publishes to, declared at start. */
  streams: StreamSpec[];
  journal: TransactionJournal;
  confirmationTimeoutMs: number;
  /** Clears what a re-sync from `fromHeight` writes again. */
  forget: (tx: Tx, fromHeight: number) => Promise<unknown>;
  logError: (message: string) => void;
}

const SYNC_FAILURE_LOG_INTERVAL_MS = 60_000;
/**
 * The one way facts reach a service's read model and NATS: the follower applies the
 * contract's print events (the service's own transactions and those sent straight
 * from wallets alike) with their outbox rows, the relay publishes what committed, and
 * the journal is reconciled with the chain now and then.
 */
export class ChainSyncPipeline<C extends ContractKey, Tx> {
  readonly sync: ContractEventSync<C, Tx>;
  readonly #relay: OutboxRelay;
  #reconciling: NodeJS.Timeout | undefined;
  // The last failure logged: an outage of the API fails every pass, once a second.
  #lastSyncFailure: { message: string; at: number } | undefined;

  constructor(private readonly options: ChainSyncPipelineOptions<C, Tx>) {
    this.sync = new ContractEventSync(
      {
        ...options.sync,
        onError: (error) => this.#logSyncFailure((error as Error).message),
        forget: (tx, _sql, fromHeight) => options.forget(tx, fromHeight).then(() => undefined),
        onReorganized: ({ followerId, fromHeight, orphaned }) =>
          options.logError(
            `chain reorganised: ${followerId} undid the read model from height ${fromHeight} (${orphaned.length} applied events orphaned) and read the canonical branch again`,
          ),
      },
      options.sql,
    );
    this.#relay = new OutboxRelay({
      pool: options.pool,
      nats: options.nats,
      schema: options.sync.schema,
      subjectPrefix: options.subjectPrefix,
      // Declared again should the server lose them.
      streams: [...options.streams, eventStreams.CHAIN],
      onError: (error) => options.logError(`outbox relay failed: ${(error as Error).message}`),
      onRecovered: (failedForMs) =>
        options.logError(`outbox relay publishing again after ${Math.round(failedForMs / 1000)} s of failures`),
    });
  }

  /** Logs a failed pass unless the same failure was logged within the last minute. */
  #logSyncFailure(message: string): void {
    const now = Date.now();
    const last = this.#lastSyncFailure;
    if (last && last.message === message && now - last.at < SYNC_FAILURE_LOG_INTERVAL_MS) return;
    this.#lastSyncFailure = { message, at: now };
    this.options.logError(`chain sync failed: ${message}`);
  }

  async start(): Promise<void> {
    const { nats, subjectPrefix, streams } = this.options;
    await this.options.sync.chain.assertNetwork().catch((error: unknown) => {
      // A mismatch keeps readiness down and every write refused; an unreachable API is asked again later.
      this.options.logError(`chain check failed: ${(error as Error).message}`);
    });
    // Every follower may publish chain.reorganized, into the stream all of them share.
    await ensureStreams(await jetstreamManager(nats), new SubjectNaming(subjectPrefix), [
      ...streams,
      eventStreams.CHAIN,
    ]);
    await this.#relay.start();
    this.sync.start();
    // Whatever is pending now was sent by a process that is gone (or by another replica, whose
    // transactions the node still shows pending and which are left alone): settle it at once.
    void this.#reconcile(0);
    this.#reconciling = setInterval(() => void this.reconcileJournal(), RECONCILE_INTERVAL_MS);
    this.#reconciling.unref();
  }

  /** Stops taking in chain events (the shutdown's intake phase). */
  async stopFollowing(): Promise<void> {
    clearInterval(this.#reconciling);
    await this.sync.stop();
  }

  /** Stops the relay once what committed was published (the shutdown's drain phase). */
  stopPublishing(): Promise<void> {
    return this.#relay.stop();
  }

  /** Settles journal entries whose sender stopped waiting (timeout, restart) from the node's record. */
  reconcileJournal(): Promise<number> {
    return this.#reconcile(this.options.confirmationTimeoutMs);
  }

  async #reconcile(olderThanMs: number): Promise<number> {
    try {
      return await this.options.journal.reconcile(this.options.sync.chain, { olderThanMs });
    } catch (error) {
      this.options.logError(`journal reconciliation failed: ${(error as Error).message}`);
      return 0;
    }
  }

  /** Rebuilds the read model from `fromHeight`; events already published are not published again. */
  resync(fromHeight: number): Promise<number> {
    return this.sync.resync(fromHeight, (tx) => this.options.forget(tx, fromHeight).then(() => undefined));
  }
}
