import {
  ChainFollower,
  type ContractKey,
  type LocatedPrintEvent,
  type PrintEventByContract,
  type StacksChain,
} from "@voltstack/chain";
import { createEvent, type EventPayload, type EventType } from "@voltstack/events";
import { enqueue, type SqlExecutor, type TransactionRunner } from "@voltstack/messaging";
import { currentTraceContext, SpanAttributes, withSpan } from "@voltstack/observability";
import { chainEventId } from "./chain-event-id.js";
import { ChainSyncError } from "./chain-sync-error.js";
import { PgCheckpointStore } from "./pg-checkpoint-store.js";
import { TransactionJournal } from "./transaction-journal.js";

/** One print event of the followed contract, where it sits on the chain. */
export type ContractPrintEvent<C extends ContractKey> = LocatedPrintEvent & {
  contract: C;
  payload: PrintEventByContract[C];
};

/** A domain event a handler derives from a print event; the sync adds the envelope. */
export type DerivedEvent = { [T in EventType]: { type: T; payload: EventPayload<T> } }[EventType];

export interface SyncBlock {
  height: number;
  /** The block's time from the API, the events' occurredAt. */
  time: string;
}

/**
 * Applies one print event to the read model through `tx`, inside the transaction
 * that also records the block's checkpoint and outbox rows; returns the domain
 * events it makes true. Must be idempotent: a block can be handed over again.
 */
export type PrintEventHandler<C extends ContractKey, Tx> = (
  event: ContractPrintEvent<C>,
  context: { tx: Tx; sql: SqlExecutor; block: SyncBlock },
) => Promise<DerivedEvent[]>;

export interface ContractEventSyncOptions<C extends ContractKey, Tx> {
  /** Names the checkpoint and the ledger rows; one per service and contract. */
  id: string;
  chain: StacksChain;
  contract: C;
  transactions: TransactionRunner<Tx>;
  handle: PrintEventHandler<C, Tx>;
  /** The service's schema, where the outbox lives. */
  schema: string;
  /** First height to read when there is no checkpoint yet. */
  fromHeight?: number;
  pollIntervalMs?: number;
  /** Pause after a failed pass, ms. */
  errorBackoffMs?: number;
  onError?: (error: unknown) => void;
}

/**
 * Follows one contract's print events into a service: for each block that has some,
 * one database transaction applies them to the read model (the handler), records the
 * domain events in the `chain_events` ledger and the outbox, confirms the journal's
 * entries and moves the checkpoint. Delivery is at least once; event ids come from
 * (txid, event index), and the ledger keeps a re-sync from publishing a fact twice.
 */
export class ContractEventSync<C extends ContractKey, Tx> {
  readonly #follower: ChainFollower;
  readonly #checkpoints: PgCheckpointStore;
  readonly #sql: SqlExecutor;
  #running = false;
  #stopping = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #woken = false;
  #queue: Promise<unknown> = Promise.resolve();
  #syncedHeight = -1;
  readonly #heightWaiters = new Set<{ height: number; resolve: (reached: boolean) => void }>();

  constructor(
    private readonly options: ContractEventSyncOptions<C, Tx>,
    sql: SqlExecutor,
  ) {
    this.#sql = sql;
    this.#checkpoints = new PgCheckpointStore(sql);
    this.#follower = new ChainFollower(options.chain, {
      id: options.id,
      store: this.#checkpoints,
      fromHeight: options.fromHeight ?? 0,
    });
  }

  /** The last height whose events are in the read model (-1 before the first pass). */
  get syncedHeight(): number {
    return this.#syncedHeight;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#stopping = false;
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#stopping = true;
    for (const waiter of this.#heightWaiters) waiter.resolve(false);
    this.#wake?.();
    await this.#loop;
    await this.#queue.catch(() => undefined);
  }

  /** Looks for new blocks now instead of at the next poll (after a transaction of ours confirmed). */
  wake(): void {
    this.#woken = true;
    this.#wake?.();
  }

  /**
   * Resolves true once the read model holds every block up to `height` (so a writer
   * can answer after its own change is readable), false after `timeoutMs`.
   */
  waitForHeight(height: number, timeoutMs: number): Promise<boolean> {
    if (this.#syncedHeight >= height) return Promise.resolve(true);
    this.wake();
    return new Promise((resolve) => {
      const waiter = {
        height,
        resolve: (reached: boolean) => {
          clearTimeout(timer);
          this.#heightWaiters.delete(waiter);
          resolve(reached);
        },
      };
      const timer = setTimeout(() => waiter.resolve(false), timeoutMs);
      this.#heightWaiters.add(waiter);
    });
  }

  /** Reads from the checkpoint up to the tip; resolves with the last synced height. */
  syncToTip(): Promise<number> {
    return this.#exclusive(() => this.#pass());
  }

  /**
   * Rebuilds the read model from `fromHeight`: `reset` clears what the replay will
   * write again (in the transaction that moves the checkpoint back), then the blocks
   * are read again. Events already published are not published again.
   */
  resync(fromHeight: number, reset: (tx: Tx, sql: SqlExecutor) => Promise<void>): Promise<number> {
    return this.#exclusive(async () => {
      await this.options.transactions.transaction(async (tx, sql) => {
        await reset(tx, sql);
        await PgCheckpointStore.resetWith(sql, this.options.id, fromHeight - 1);
      });
      return this.#pass();
    });
  }

  #exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #run(): Promise<void> {
    while (this.#running) {
      let pause = this.options.pollIntervalMs ?? 1_000;
      try {
        await this.syncToTip();
      } catch (error) {
        (this.options.onError ?? ((e) => console.error("chain sync:", e)))(error);
        pause = this.options.errorBackoffMs ?? 1_000;
      }
      await this.#pause(pause);
    }
  }

  #pause(ms: number): Promise<void> {
    if (!this.#running) return Promise.resolve();
    if (this.#woken) {
      this.#woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const wake = () => {
        this.#woken = false;
        done();
      };
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = wake;
    });
  }

  async #pass(): Promise<number> {
    const { chain, contract, id } = this.options;
    await this.#checkCheckpointOnChain();
    let height = await this.#follower.position();
    const tip = await chain.api.getTipHeight();
    let checkpointed = height - 1;
    let lastHash: string | undefined;
    while (height <= tip && !this.#stopping) {
      const block = await this.#follower.readBlock(height);
      if (!block) break;
      const events = block.events.filter((event): event is ContractPrintEvent<C> => event.contract === contract);
      if (events.length > 0) {
        await this.#commitBlock(height, block.hash, events);
        checkpointed = height;
      }
      lastHash = block.hash;
      height += 1;
    }
    // Empty blocks are checkpointed once per pass rather than one transaction each.
    if (height - 1 > checkpointed) await PgCheckpointStore.saveWith(this.#sql, id, height - 1, lastHash);
    this.#syncedHeight = height - 1;
    for (const waiter of this.#heightWaiters) if (waiter.height <= this.#syncedHeight) waiter.resolve(true);
    return height - 1;
  }

  /**
   * The block the checkpoint names must still be on the chain with the same hash: after
   * a devnet reset or a Bitcoin reorganisation the read model no longer matches it, and
   * reading on would mix two histories. The follower stops with an error instead.
   */
  async #checkCheckpointOnChain(): Promise<void> {
    const saved = await this.#checkpoints.loadBlock(this.options.id);
    if (!saved?.hash) return;
    const block = await this.options.chain.api.getBlockByHeight(saved.height);
    if (block?.hash === saved.hash) return;
    throw new ChainSyncError(
      "CHECKPOINT_NOT_ON_CHAIN",
      `Block ${saved.height} the follower ${this.options.id} stopped at is no longer on the chain (reset or reorganised): re-sync from a height before the change.`,
      { followerId: this.options.id, height: saved.height, hash: saved.hash, found: block?.hash ?? null },
    );
  }

  async #commitBlock(height: number, hash: string, events: ContractPrintEvent<C>[]): Promise<void> {
    const { chain, contract, id, schema } = this.options;
    const apiBlock = (await chain.api.getBlockByHeight(height)) as { block_time_iso?: string } | null;
    const block: SyncBlock = { height, time: apiBlock?.block_time_iso ?? new Date().toISOString() };
    await withSpan(
      `chain.sync ${contract}`,
      { [SpanAttributes.chainContract]: chain.contracts[contract].id, [SpanAttributes.chainBlockHeight]: height },
      () =>
        this.options.transactions.transaction(async (tx, sql) => {
          for (const event of events) {
            const derived = await this.options.handle(event, { tx, sql, block });
            const txid = `0x${event.txid}`;
            await TransactionJournal.confirmWith(sql, txid, height);
            if (derived.length === 0) continue;
            const traceparent = await TransactionJournal.traceparentWith(sql, txid);
            const traceContext = traceparent ? { traceparent } : currentTraceContext();
            const fresh = [];
            for (const [ordinal, { type, payload }] of derived.entries()) {
              const eventId = chainEventId(event.txid, event.eventIndex, ordinal);
              const inserted = await sql.execute(
                `INSERT INTO chain_events (event_id, follower_id, txid, event_index, block_height, subject)
               VALUES ($1::uuid, $2, $3, $4, $5, $6) ON CONFLICT (event_id) DO NOTHING`,
                [eventId, id, txid, event.eventIndex, height, type],
              );
              if (inserted === 0) continue;
              const json = createEvent(type, payload as never, {
                eventId,
                chain: { txId: txid, blockHeight: height },
                occurredAt: block.time,
                traceContext,
              });
              fresh.push({ id: eventId, subject: type, payload: json });
            }
            await enqueue(sql, fresh, { schema });
          }
          await PgCheckpointStore.saveWith(sql, id, height, hash);
        }),
    );
  }
}
