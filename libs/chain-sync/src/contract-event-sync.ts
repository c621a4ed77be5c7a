import {
  ChainFollower,
  type ContractKey,
  type FollowedEvent,
  type LocatedPrintEvent,
  type LogHead,
  type PrintEventByContract,
  type StacksChain,
} from "@voltstack/chain";
import { createEvent, type DeploymentRef, type EventPayload, type EventType } from "@voltstack/events";
import { enqueue, type SqlExecutor, type TransactionRunner } from "@voltstack/messaging";
import { continueTrace, currentTraceContext, gauge, SpanAttributes, withSpan } from "@voltstack/observability";
import { chainEventId, reorganizationEventId } from "./chain-event-id.js";
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
  /** Events below this height are never read (the contracts' deployment height). */
  fromHeight?: number;
  /** How often the contract's log is looked at when nothing wakes the follower, ms. */
  pollIntervalMs?: number;
  /**
   * Undoes in the read model what blocks from `fromHeight` on did, inside the transaction
   * that rewinds the follower past a fork (the re-sync's reset). Without it a fork stops
   * the follower with CHECKPOINT_NOT_ON_CHAIN for an operator to re-sync.
   */
  forget?: (tx: Tx, sql: SqlExecutor, fromHeight: number) => Promise<void>;
  /** Told of each automatic rewind. */
  onReorganized?: (reorganization: Reorganization) => void;
  /** Told when the stored checkpoint sat above the chain's tip and was moved down to it. */
  onCheckpointRepaired?: (repair: CheckpointRepair) => void;
  /** Pause after a failed pass, ms. */
  errorBackoffMs?: number;
  onError?: (error: unknown) => void;
}

/** How often the chain is looked at while someone waits for a height, ms. */
const WAITED_POLL_MS = 2_000;

/** A fork that orphaned events the follower had applied, and what it did about it. */
export interface Reorganization {
  followerId: string;
  /** The lowest height whose events were undone and read again. */
  fromHeight: number;
  /** Applied events the canonical chain no longer holds where they were. */
  orphaned: { txid: string; eventIndex: number; blockHeight: number }[];
}

/** A checkpoint found above the chain's tip (a restarted chain, an old bug) and moved down to it. */
export interface CheckpointRepair {
  followerId: string;
  storedHeight: number;
  tipHeight: number;
}

// Follower lag without asking the API for more: how far the read model has read and when a
// pass last completed (lag in seconds = now - that). A follower that stops passing shows
// as growing lag on the dashboard long before its readers notice.
const followerHeight = gauge({
  name: "voltstack_chain_follower_height",
  help: "The last block height whose events the follower has in the read model.",
  labelNames: ["follower"],
});
const followerLastPass = gauge({
  name: "voltstack_chain_follower_last_pass_timestamp_seconds",
  help: "When the follower last completed a pass over its contract's log (Unix seconds).",
  labelNames: ["follower"],
});

/**
 * Follows one contract's print events into a service: for each block that has some,
 * one database transaction applies them to the read model (the handler), records the
 * domain events in the `chain_events` ledger and the outbox, confirms the journal's
 * entries, records the events in the `chain_followed_events` ledger and moves the
 * checkpoint. The contract's log is read newest first down to the newest applied event,
 * so an idle pass costs one API request whatever the block rate. An applied event that
 * the log no longer lists where it was marks a fork: the follower undoes the read model
 * from the lowest such height and reads the canonical branch again. Delivery is at
 * least once; event ids come from (txid, event index), and the `chain_events` ledger
 * keeps a re-sync or a rewind from publishing a fact twice.
 */
export class ContractEventSync<C extends ContractKey, Tx> {
  readonly #follower: ChainFollower;
  readonly #sql: SqlExecutor;
  #running = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #woken = false;
  #queue: Promise<unknown> = Promise.resolve();
  #syncedHeight = -1;
  #lastHead: LogHead | undefined;
  readonly #heightWaiters = new Set<{ height: number; resolve: (reached: boolean) => void }>();
  // Named on every event, so subscribers of a shared NATS server can tell deployments apart.
  readonly #deployment: DeploymentRef;

  constructor(
    private readonly options: ContractEventSyncOptions<C, Tx>,
    sql: SqlExecutor,
  ) {
    this.#sql = sql;
    this.#deployment = {
      network: options.chain.network.name,
      deployer: options.chain.contracts[options.contract].address,
    };
    this.#follower = new ChainFollower(options.chain, {
      contract: options.contract,
      fromHeight: options.fromHeight ?? 0,
    });
  }

  /** The last height whose events are known to be in the read model (-1 before a pass that asked for the tip). */
  get syncedHeight(): number {
    return this.#syncedHeight;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#running = false;
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
    return this.#exclusive(() => this.#pass({ forceTip: true }));
  }

  /**
   * Rebuilds the read model from `fromHeight`: `reset` clears what the replay will
   * write again (in the transaction that moves the checkpoint back), then the blocks
   * are read again. Events already published are not published again. A height above
   * the chain's tip is refused (RESYNC_ABOVE_TIP) before anything changes: the
   * checkpoint would sit past every block to come.
   */
  resync(fromHeight: number, reset: (tx: Tx, sql: SqlExecutor) => Promise<void>): Promise<number> {
    return this.#exclusive(async () => {
      const tip = await this.options.chain.api.getChainTip();
      if (fromHeight > tip.height) {
        throw new ChainSyncError(
          "RESYNC_ABOVE_TIP",
          `Cannot re-sync ${this.options.id} from height ${fromHeight}: the chain's tip is at ${tip.height}.`,
          { fromHeight, tipHeight: tip.height },
        );
      }
      await this.options.transactions.transaction(async (tx, sql) => {
        await reset(tx, sql);
        await sql.execute("DELETE FROM chain_followed_events WHERE follower_id = $1 AND block_height >= $2", [
          this.options.id,
          fromHeight,
        ]);
        await PgCheckpointStore.resetWith(sql, this.options.id, fromHeight - 1);
      });
      this.#lastHead = undefined;
      this.#syncedHeight = -1;
      return this.#pass({ forceTip: true });
    });
  }

  #exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #run(): Promise<void> {
    // The first pass asks for the tip, so a checkpoint left above it is repaired at start.
    let forceTip = true;
    while (this.#running) {
      // Someone waits for a height (a writer, a payout waiting for finality): look sooner.
      const idle = this.options.pollIntervalMs ?? 1_000;
      let pause = this.#heightWaiters.size > 0 ? Math.min(idle, WAITED_POLL_MS) : idle;
      try {
        await this.#exclusive(() => this.#pass({ forceTip }));
        forceTip = false;
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

  /**
   * One look at the contract's log. The API's tip is asked for only when someone waits
   * for a height (or `forceTip`): read before the log, every event up to it is in the log.
   */
  async #pass(options: { forceTip: boolean }): Promise<number> {
    const { chain } = this.options;
    // Reading another network's history into the read model is worse than reading nothing.
    await chain.assertNetwork();
    // Asked before the log: every event up to the tip is then in what the log shows.
    const tip = options.forceTip ? await chain.api.getChainTip() : undefined;
    const head = await this.#follower.head();
    const changed = !this.#lastHead || head.cursor !== this.#lastHead.cursor || head.total !== this.#lastHead.total;
    if (changed) {
      await this.#applyNewEvents(head);
      this.#lastHead = head;
    }
    if (tip) {
      this.#syncedHeight = Math.max(this.#syncedHeight, tip.height);
      // Operators read how far the follower has read in its checkpoint.
      const saved = await PgCheckpointStore.saveWith(this.#sql, this.options.id, tip.height, tip.hash);
      if (!saved) await this.#repairCheckpointAboveTip();
    }
    this.#resolveWaiters();
    followerLastPass.set({ follower: this.options.id }, Date.now() / 1000);
    if (this.#syncedHeight >= 0) followerHeight.set({ follower: this.options.id }, this.#syncedHeight);
    // A writer waits for the block of its own transaction, which usually printed an event
    // that was just applied; only when it did not is the API's tip worth a request.
    if (this.#heightWaiters.size > 0 && !tip) {
      const waitedTip = await chain.api.getChainTip();
      if ((await this.#follower.head()).cursor === this.#lastHead?.cursor) {
        this.#syncedHeight = Math.max(this.#syncedHeight, waitedTip.height);
        this.#resolveWaiters();
      } else {
        this.wake();
      }
    }
    return this.#syncedHeight;
  }

  /**
   * The stored checkpoint was above the tip read before the log. A block applied since
   * explains that; a checkpoint above the tip as the API sees it now (a restarted chain,
   * a re-sync past the tip by older code) is moved down to the tip, and said so.
   */
  async #repairCheckpointAboveTip(): Promise<void> {
    const { chain, id } = this.options;
    const stored = await PgCheckpointStore.loadWith(this.#sql, id);
    const tip = await chain.api.getChainTip();
    if (!stored || stored.height <= tip.height) return;
    await PgCheckpointStore.resetWith(this.#sql, id, tip.height, tip.hash);
    (this.options.onCheckpointRepaired ?? ((repair) => console.warn("chain sync: checkpoint repaired", repair)))({
      followerId: id,
      storedHeight: stored.height,
      tipHeight: tip.height,
    });
  }

  #resolveWaiters(): void {
    for (const waiter of this.#heightWaiters) if (waiter.height <= this.#syncedHeight) waiter.resolve(true);
  }

  async #applyNewEvents(head: LogHead): Promise<void> {
    for (let rewinds = 0; ; rewinds += 1) {
      const { events, newestApplied } = await this.#follower.unappliedEvents(
        (txid, eventIndex) => this.#isApplied(txid, eventIndex),
        rewinds === 0 ? head.page : undefined,
      );
      const orphaned = await this.#orphanedEvents(newestApplied, events);
      if (orphaned.length === 0) {
        await this.#commitByBlock(
          events.filter(
            (event): event is FollowedEvent & ContractPrintEvent<C> => event.contract === this.options.contract,
          ),
        );
        return;
      }
      if (rewinds > 0 || !this.options.forget) {
        const lowest = orphaned.reduce((a, b) => (a.blockHeight <= b.blockHeight ? a : b));
        throw new ChainSyncError(
          "CHECKPOINT_NOT_ON_CHAIN",
          `Events the follower ${this.options.id} applied at height ${lowest.blockHeight} are no longer on the chain where they were (reset or reorganised): re-sync from a height before the change.`,
          { followerId: this.options.id, height: lowest.blockHeight, orphaned: orphaned.slice(0, 20) },
        );
      }
      // What was cached of mined transactions may describe the orphaned branch.
      this.options.chain.api.forgetMinedTransactions();
      await this.#rewind(orphaned, events);
    }
  }

  async #isApplied(txid: string, eventIndex: number): Promise<boolean> {
    const rows = await this.#sql.query<{ found: number }>(
      "SELECT 1 AS found FROM chain_followed_events WHERE follower_id = $1 AND txid = $2 AND event_index = $3",
      [this.options.id, txid, eventIndex],
    );
    return rows.length > 0;
  }

  /**
   * Applied events the log no longer lists where they were: those newer than the one at
   * which reading stopped (or all, when it stopped at none), and, when a newly listed
   * event sits at or below an applied one, the applied events from that height up.
   */
  async #orphanedEvents(
    newestApplied: { txid: string; eventIndex: number } | null,
    fresh: FollowedEvent[],
  ): Promise<{ txid: string; eventIndex: number; blockHeight: number }[]> {
    type Row = { txid: string; event_index: number; block_height: number };
    const id = this.options.id;
    // The event reading stopped at is where it was applied only if its transaction is still
    // in the same block at the same index; if it moved, it and everything after it are undone.
    const stoppedAtMoved = newestApplied ? await this.#moved(newestApplied) : false;
    const newerThanStop = newestApplied
      ? await this.#sql.query<Row>(
          `SELECT txid, event_index, block_height FROM chain_followed_events
            WHERE follower_id = $1 AND (block_height, tx_index, event_index) ${stoppedAtMoved ? ">=" : ">"} (
              SELECT block_height, tx_index, event_index FROM chain_followed_events
               WHERE follower_id = $1 AND txid = $2 AND event_index = $3)`,
          [id, newestApplied.txid, newestApplied.eventIndex],
        )
      : await this.#sql.query<Row>(
          "SELECT txid, event_index, block_height FROM chain_followed_events WHERE follower_id = $1",
          [id],
        );
    const oldestFresh = fresh[0];
    const atOrAboveFresh = oldestFresh
      ? await this.#sql.query<Row>(
          `SELECT txid, event_index, block_height FROM chain_followed_events
            WHERE follower_id = $1 AND (block_height, tx_index, event_index) >= ($2, $3, $4)`,
          [id, oldestFresh.blockHeight, oldestFresh.txIndex, oldestFresh.eventIndex],
        )
      : [];
    const orphaned = new Map<string, { txid: string; eventIndex: number; blockHeight: number }>();
    for (const row of [...newerThanStop, ...atOrAboveFresh])
      orphaned.set(`${row.txid}:${row.event_index}`, {
        txid: row.txid,
        eventIndex: row.event_index,
        blockHeight: row.block_height,
      });
    return [...orphaned.values()];
  }

  /** Whether an applied event's transaction now sits elsewhere on the chain (or nowhere). */
  async #moved(event: { txid: string; eventIndex: number }): Promise<boolean> {
    const [applied] = await this.#sql.query<{ block_height: number; tx_index: number; block_hash: string }>(
      `SELECT block_height, tx_index, block_hash FROM chain_followed_events
        WHERE follower_id = $1 AND txid = $2 AND event_index = $3`,
      [this.options.id, event.txid, event.eventIndex],
    );
    if (!applied) return false;
    const tx = await this.options.chain.api.getTransaction(event.txid, 0, { fresh: true });
    return (
      tx?.block_height !== applied.block_height ||
      tx.tx_index !== applied.tx_index ||
      tx.block_hash?.toLowerCase() !== applied.block_hash.toLowerCase()
    );
  }

  /**
   * Undoes the read model from the lowest orphaned height, in one transaction with the
   * ledger, the checkpoint and the `chain.reorganized` event that tells integrators which
   * published facts are gone and which the new branch holds elsewhere.
   */
  async #rewind(
    orphaned: { txid: string; eventIndex: number; blockHeight: number }[],
    fresh: FollowedEvent[],
  ): Promise<void> {
    const { id, contract, schema } = this.options;
    const fromHeight = Math.min(
      ...orphaned.map((event) => event.blockHeight),
      ...fresh.map((event) => event.blockHeight),
    );
    const reapplied = new Map(fresh.map((event) => [`${event.txid}:${event.eventIndex}`, event.blockHeight]));
    const forget = this.options.forget as NonNullable<ContractEventSyncOptions<C, Tx>["forget"]>;
    await this.options.transactions.transaction(async (tx, sql) => {
      const facts = [];
      for (const event of orphaned) {
        const published = await sql.query<{ event_id: string }>(
          "SELECT event_id::text AS event_id FROM chain_events WHERE txid = $1 AND event_index = $2 ORDER BY event_id",
          [`0x${event.txid}`, event.eventIndex],
        );
        facts.push({
          txId: `0x${event.txid}`,
          eventIndex: event.eventIndex,
          blockHeight: event.blockHeight,
          eventIds: published.map((row) => row.event_id).slice(0, 20),
          newBlockHeight: reapplied.get(`${event.txid}:${event.eventIndex}`),
        });
      }
      await forget(tx, sql, fromHeight);
      await TransactionJournal.reopenWith(
        sql,
        facts.map((fact) => fact.txId),
        fromHeight,
      );
      await sql.execute("DELETE FROM chain_followed_events WHERE follower_id = $1 AND block_height >= $2", [
        id,
        fromHeight,
      ]);
      await PgCheckpointStore.resetWith(sql, id, fromHeight - 1);
      const payload = {
        contract,
        fromHeight,
        orphaned: facts
          .filter((fact) => fact.newBlockHeight === undefined)
          .map(({ newBlockHeight: _, ...fact }) => fact),
        moved: facts.flatMap(({ newBlockHeight, ...fact }) =>
          newBlockHeight === undefined ? [] : [{ ...fact, newBlockHeight }],
        ),
      };
      const eventId = reorganizationEventId(id, payload.orphaned.concat(payload.moved));
      const json = createEvent("chain.reorganized", payload, {
        eventId,
        deployment: this.#deployment,
        occurredAt: new Date().toISOString(),
        traceContext: currentTraceContext(),
      });
      await enqueue(sql, [{ id: eventId, subject: "chain.reorganized", payload: json }], { schema });
    });
    this.#syncedHeight = Math.min(this.#syncedHeight, fromHeight - 1);
    this.options.onReorganized?.({ followerId: id, fromHeight, orphaned });
  }

  async #commitByBlock(events: (FollowedEvent & ContractPrintEvent<C>)[]): Promise<void> {
    let start = 0;
    while (start < events.length) {
      const first = events[start] as FollowedEvent;
      let end = start;
      while (end < events.length && (events[end] as FollowedEvent).blockHeight === first.blockHeight) end += 1;
      await this.#commitBlock(
        { height: first.blockHeight, time: first.blockTime },
        first.blockHash,
        events.slice(start, end),
      );
      this.#syncedHeight = Math.max(this.#syncedHeight, first.blockHeight);
      start = end;
    }
  }

  async #commitBlock(block: SyncBlock, hash: string, events: (FollowedEvent & ContractPrintEvent<C>)[]): Promise<void> {
    const { chain, contract, id, schema } = this.options;
    const height = block.height;
    await withSpan(
      `chain.sync ${contract}`,
      { [SpanAttributes.chainContract]: chain.contracts[contract].id, [SpanAttributes.chainBlockHeight]: height },
      () =>
        this.options.transactions.transaction(async (tx, sql) => {
          for (const event of events) {
            const derived = await this.options.handle(event, { tx, sql, block });
            const txid = `0x${event.txid}`;
            await sql.execute(
              `INSERT INTO chain_followed_events (follower_id, txid, event_index, block_height, tx_index, block_hash)
               VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
              [id, event.txid, event.eventIndex, height, event.txIndex, hash],
            );
            await TransactionJournal.confirmWith(sql, txid, height);
            if (derived.length === 0) continue;
            // The request that sent the transaction goes on in its own trace through what it caused.
            const traceparent = await TransactionJournal.traceparentWith(sql, txid);
            const traceContext = traceparent
              ? continueTrace(
                  `chain.confirmed ${contract}`,
                  { traceparent },
                  {
                    [SpanAttributes.chainContract]: chain.contracts[contract].id,
                    [SpanAttributes.chainBlockHeight]: height,
                    [SpanAttributes.chainTxId]: txid,
                  },
                )
              : currentTraceContext();
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
                deployment: this.#deployment,
                occurredAt: block.time,
                traceContext,
              });
              fresh.push({ id: eventId, subject: type, payload: json, traceContext });
            }
            await enqueue(sql, fresh, { schema });
          }
          await PgCheckpointStore.saveWith(sql, id, height, hash);
        }),
    );
  }
}
