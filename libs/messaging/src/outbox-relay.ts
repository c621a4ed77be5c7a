import { jetstream, type JetStreamClient } from "@nats-io/jetstream";
import { headers as natsHeaders, type NatsConnection } from "@nats-io/transport-node";
import type { Pool, PoolClient } from "pg";
import { messagingTables, type MessagingTables } from "./messaging-schema.js";
import { checkout } from "./pg-checkout.js";
import { addBacklogSource, eventsPublished } from "./metrics.js";
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
  /** Pause after a failed batch before the next try. */
  errorBackoffMs?: number;
  /** Sent rows older than this are deleted (they are only kept to investigate). */
  keepSentMs?: number;
  onError?: (error: unknown) => void;
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
    this.js = jetstream(options.nats);
    this.naming = new SubjectNaming(options.subjectPrefix);
    this.schema = options.schema;
    this.batchSize = options.batchSize ?? 500;
    this.pollIntervalMs = options.pollIntervalMs ?? 1_000;
    this.publishTimeoutMs = options.publishTimeoutMs ?? 5_000;
    this.errorBackoffMs = options.errorBackoffMs ?? 500;
    this.keepSentMs = options.keepSentMs ?? 24 * 60 * 60 * 1000;
    this.onError = options.onError ?? ((error) => console.error("outbox relay:", error));
  }

  async start(): Promise<void> {
    if (this.running) return;
    if (!this.schema) {
      const result = await this.pool.query<{ schema: string }>("SELECT current_schema() AS schema");
      this.schema = result.rows[0]!.schema;
    }
    this.tables = messagingTables(this.schema);
    this.running = true;
    await this.listen().catch((error: unknown) => this.onError(error));
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
      if (this.running) this.onError(error);
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
        await this.listen().catch((error: unknown) => this.running && this.onError(error));
      }
      try {
        const batch = await this.publishBatch();
        claimed = batch.claimed;
        failed = batch.failed > 0;
        await this.pruneSent();
      } catch (error) {
        failed = true;
        if (this.running) this.onError(error);
      }
      if (failed) await this.pause(this.errorBackoffMs);
      else if (claimed === 0) await this.pause(this.pollIntervalMs);
    }
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

  /** Claims, publishes and marks one batch; returns how many rows it claimed and how many failed to publish. */
  async publishBatch(): Promise<{ claimed: number; failed: number }> {
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
      if (firstError !== undefined) this.onError(firstError);
      return { claimed: rows.length, failed: failed.length };
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
