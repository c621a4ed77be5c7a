import { jetstream, type JetStreamClient, jetstreamManager } from "@nats-io/jetstream";
import { headers as natsHeaders, type NatsConnection } from "@nats-io/transport-node";
import type { Pool, PoolClient } from "pg";
import { messagingTables, type MessagingTables } from "./messaging-schema.js";
import { checkout } from "./pg-checkout.js";
import { addBacklogSource, eventsPublished, outboxRelayFailing } from "./metrics.js";
import { ensureStreams, type StreamSpec } from "./stream-topology.js";
import { SubjectNaming } from "./subjects.js";
import { recordSpanFailure, startSendSpan } from "./trace-propagation.js";

export type OutboxRelayOptions = {
  /** Needs room for one long-lived LISTEN connection plus the batches. */
  pool: Pool;
  nats: NatsConnection;
  /** The service's schema; defaults to the pool's current_schema(). */
  schema?: string;
  subjectPrefix?: string;
  /** Rows published per transaction. */
  batchSize?: number;
  /** Fallback wake-up when a notification was missed (LISTEN connection lost). */
  pollIntervalMs?: number;
  /** How long to wait for JetStream to acknowledge one publish. */
  publishTimeoutMs?: number;
  /** Pause after a failed batch before the next try; doubled after each further failure in a row. */
  errorBackoffMs?: number;
  /** The longest pause between tries while failures go on. */
  maxErrorBackoffMs?: number;
  /** Streams declared again when JetStream answers that none captures a subject (a server that lost them). */
  streams?: StreamSpec[];
  /** Sent rows older than this are deleted (they are only kept to investigate). */
  keepSentMs?: number;
  /** The first failure of an outage (not every retry: one line per change of state). */
  onError?: (error: unknown) => void;
  /** Publishing works again after `failedForMs` of failures. */
  onRecovered?: (failedForMs: number) => void;
};

type PendingRow = {
  id: string;
  subject: string;
  payload: string;
  headers: Record<string, string>;
  traceparent: string | null;
  tracestate: string | null;
};

const PRUNE_EVERY_MS = 60_000;

/**
 * Publishes committed outbox rows to JetStream and marks them sent.
 *
 * Each batch is claimed with FOR UPDATE SKIP LOCKED inside one transaction,
 * so concurrent relays (replicas) take disjoint rows, and a relay that dies
 * mid-batch leaves its rows unsent for the next one. A row published but not
 * yet marked sent when the relay died is published again with the same msgID,
 * which JetStream drops inside the stream's duplicate window; past it the
 * consumers' inbox makes the second copy harmless.
 */
export class OutboxRelay {
  private readonly pool: Pool;
  private readonly js: JetStreamClient;
  private readonly naming: SubjectNaming;
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly publishTimeoutMs: number;
  private readonly errorBackoffMs: number;
  private readonly maxErrorBackoffMs: number;
  private readonly onRecovered: (failedForMs: number) => void;
  private readonly nats: NatsConnection;
  private readonly streams: StreamSpec[];
  /** Failed batches in a row, and since when; 0 while publishing works. */
  private failures = 0;
  private failingSince = 0;
  private listenFailing = false;
  private readonly keepSentMs: number;
  private readonly onError: (error: unknown) => void;
  private tables!: MessagingTables;
  private schema: string | undefined;
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private notified = false;
  private listener: PoolClient | undefined;
  private removeBacklogSource: (() => void) | undefined;
  private lastPrune = 0;
  /** Rows this relay published and marked sent since it started. */
  published = 0;

  constructor(options: OutboxRelayOptions) {
    this.pool = options.pool;
    this.nats = options.nats;
    this.js = jetstream(options.nats);
    this.streams = options.streams ?? [];
    this.naming = new SubjectNaming(options.subjectPrefix);
    this.schema = options.schema;
    this.batchSize = options.batchSize ?? 500;
    this.pollIntervalMs = options.pollIntervalMs ?? 1_000;
    this.publishTimeoutMs = options.publishTimeoutMs ?? 5_000;
    this.errorBackoffMs = options.errorBackoffMs ?? 500;
    this.maxErrorBackoffMs = options.maxErrorBackoffMs ?? 10_000;
    this.keepSentMs = options.keepSentMs ?? 24 * 60 * 60 * 1000;
    this.onError = options.onError ?? ((error) => console.error("outbox relay:", error));
    this.onRecovered =
      options.onRecovered ??
      ((ms) => console.log(`outbox relay: publishing again after ${Math.round(ms / 1000)} s of failures`));
  }

  async start(): Promise<void> {
    if (this.running) return;
    if (!this.schema) {
      const result = await this.pool.query<{ schema: string }>("SELECT current_schema() AS schema");
      this.schema = result.rows[0]!.schema;
    }
    this.tables = messagingTables(this.schema);
    this.running = true;
    await this.listen().catch((error: unknown) => this.listenFailed(error));
    this.removeBacklogSource = addBacklogSource(() => this.backlog());
    this.loop = this.run();
  }

  /** Stops after the batch in flight; safe to call after the connections died. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake?.();
    await this.loop;
    this.removeBacklogSource?.();
    this.releaseListener();
    outboxRelayFailing.set({ schema: this.schema! }, 0);
  }

  /** Since when batches fail, while they do: the relay cannot publish (NATS or PostgreSQL unreachable). */
  failingForMs(now: number = Date.now()): number | undefined {
    return this.failures > 0 ? now - this.failingSince : undefined;
  }

  /** Unsent rows and the age of the oldest, for the backlog metrics. */
  async backlog(): Promise<{ schema: string; pending: number; oldestAgeSeconds: number }> {
    const result = await this.pool.query<{ pending: number; age: number }>(
      `SELECT count(*)::int AS pending,
              COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0)::float8 AS age
         FROM ${this.tables.outbox} WHERE sent_at IS NULL`,
    );
    const row = result.rows[0]!;
    return { schema: this.schema!, pending: row.pending, oldestAgeSeconds: row.age };
  }

  private async listen(): Promise<void> {
    const client = await this.pool.connect();
    client.on("error", (error) => {
      if (this.listener === client) this.releaseListener(error);
      if (this.running) this.listenFailed(error);
    });
    client.on("notification", () => {
      this.notified = true;
      this.wake?.();
    });
    try {
      await client.query(`LISTEN "${this.tables.notifyChannel.replaceAll('"', '""')}"`);
    } catch (error) {
      client.release(true);
      throw error;
    }
    this.listener = client;
    this.listenFailing = false;
  }

  /** A lost LISTEN connection is said once; polling publishes meanwhile and the loop listens again. */
  private listenFailed(error: unknown): void {
    if (this.listenFailing || this.failures > 0) return;
    this.listenFailing = true;
    this.onError(error);
  }

  private releaseListener(error?: Error): void {
    const client = this.listener;
    this.listener = undefined;
    client?.release(error ?? true);
  }

  private async run(): Promise<void> {
    while (this.running) {
      let claimed = 0;
      let failed = false;
      if (!this.listener) {
        // Without LISTEN the relay still publishes, woken by polling only.
        await this.listen().catch((error: unknown) => this.running && this.listenFailed(error));
      }
      try {
        const batch = await this.publishBatch();
        claimed = batch.claimed;
        failed = batch.failed > 0;
        if (batch.error !== undefined) await this.batchFailed(batch.error);
        else this.batchSucceeded();
        await this.pruneSent();
      } catch (error) {
        failed = true;
        if (this.running) await this.batchFailed(error);
      }
      if (failed) await this.pause(this.errorPauseMs());
      else if (claimed === 0) await this.pause(this.pollIntervalMs);
    }
  }

  private async batchFailed(error: unknown): Promise<void> {
    if (this.failures === 0) {
      this.failingSince = Date.now();
      outboxRelayFailing.set({ schema: this.schema! }, 1);
      this.onError(error);
    }
    this.failures += 1;
    // The client's JetStreamNotEnabled (not exported) is its answer when no stream captures the
    // subject: the server lost it (a restart without its storage).
    if (error instanceof Error && error.name === "JetStreamNotEnabled" && this.streams.length > 0) {
      await ensureStreams(await jetstreamManager(this.nats), this.naming, this.streams).catch(() => undefined);
    }
  }

  private batchSucceeded(): void {
    if (this.failures === 0) return;
    const failedForMs = Date.now() - this.failingSince;
    this.failures = 0;
    outboxRelayFailing.set({ schema: this.schema! }, 0);
    this.onRecovered(failedForMs);
  }

  /** Doubles with each failure in a row up to maxErrorBackoffMs, plus up to half again so replicas spread out. */
  private errorPauseMs(): number {
    const base = Math.min(this.maxErrorBackoffMs, this.errorBackoffMs * 2 ** Math.min(this.failures - 1, 16));
    return Math.round(base + base * 0.5 * Math.random());
  }

  private pause(ms: number): Promise<void> {
    if (!this.running) return Promise.resolve();
    if (this.notified) {
      this.notified = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        this.notified = false;
        done();
      };
    });
  }

  /**
   * Claims, publishes and marks one batch; returns how many rows it claimed, how many failed
   * to publish and the first publish error.
   */
  async publishBatch(): Promise<{ claimed: number; failed: number; error?: unknown }> {
    const { client, release } = await checkout(this.pool);
    let broken: unknown;
    try {
      await client.query("BEGIN");
      const { rows } = await client.query<PendingRow>(
        `SELECT id, subject, payload::text AS payload, headers, traceparent, tracestate
           FROM ${this.tables.outbox}
          WHERE sent_at IS NULL
          ORDER BY seq
          LIMIT $1
            FOR UPDATE SKIP LOCKED`,
        [this.batchSize],
      );
      const outcomes = await Promise.allSettled(rows.map((row) => this.publish(row)));
      const sent: string[] = [];
      const sentSubjects: string[] = [];
      const failed: string[] = [];
      let firstError: unknown;
      outcomes.forEach((outcome, i) => {
        if (outcome.status === "fulfilled") {
          sent.push(rows[i]!.id);
          sentSubjects.push(rows[i]!.subject);
        } else {
          failed.push(rows[i]!.id);
          firstError ??= outcome.reason;
        }
      });
      if (sent.length > 0) {
        await client.query(
          `UPDATE ${this.tables.outbox} SET sent_at = now(), attempts = attempts + 1 WHERE id = ANY($1::uuid[])`,
          [sent],
        );
      }
      if (failed.length > 0) {
        await client.query(
          `UPDATE ${this.tables.outbox} SET attempts = attempts + 1, last_error = $2 WHERE id = ANY($1::uuid[])`,
          [failed, String(firstError)],
        );
      }
      await client.query("COMMIT");
      this.published += sent.length;
      for (const subject of sentSubjects) eventsPublished.inc({ subject });
      return {
        claimed: rows.length,
        failed: failed.length,
        ...(firstError === undefined ? {} : { error: firstError }),
      };
    } catch (error) {
      broken = error;
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      release(broken);
    }
  }

  private async publish(row: PendingRow): Promise<void> {
    const wireHeaders = natsHeaders();
    for (const [key, value] of Object.entries(row.headers)) wireHeaders.set(key, value);
    const span = startSendSpan(row.subject, row, wireHeaders, row.id);
    try {
      await this.js.publish(this.naming.wire(row.subject), row.payload, {
        msgID: row.id,
        headers: wireHeaders,
        timeout: this.publishTimeoutMs,
      });
    } catch (error) {
      recordSpanFailure(span, String(error));
      throw error;
    } finally {
      span.end();
    }
  }

  private async pruneSent(): Promise<void> {
    const now = Date.now();
    if (now - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = now;
    await this.pool.query(`DELETE FROM ${this.tables.outbox} WHERE sent_at < now() - make_interval(secs => $1)`, [
      this.keepSentMs / 1000,
    ]);
  }
}
