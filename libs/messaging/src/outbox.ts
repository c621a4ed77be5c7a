import { randomUUID } from "node:crypto";
import { MessagingError } from "./errors.js";
import { messagingTables } from "./messaging-schema.js";
import type { SqlExecutor } from "./sql-executor.js";
import { captureTraceContext } from "./trace-propagation.js";

/** An event to publish once the enclosing transaction commits. */
export type OutboxEvent = {
  /** The event id; becomes the JetStream msgID and the consumers' inbox key. Generated when absent. */
  id?: string;
  /** Logical subject, such as "service.fulfilled". */
  subject: string;
  /** Anything JSON-serialisable; published as its JSON text. */
  payload: unknown;
  /** Extra NATS headers. */
  headers?: Record<string, string>;
  /**
   * The W3C trace the event continues when it is not the caller's: a follower publishing
   * what a request's transaction caused keeps that request's trace, not its own.
   */
  traceContext?: { traceparent: string; tracestate?: string };
};

export type EnqueueOptions = {
  /** The service's schema; omit to resolve the tables through search_path. */
  schema?: string;
};

// PostgreSQL allows 65,535 bind parameters in one statement.
const COLUMNS = 6;
const ROWS_PER_STATEMENT = Math.floor(65_535 / COLUMNS);

/**
 * Writes events to the outbox through `tx`, which must belong to the
 * transaction that makes the domain change, so both commit or neither does.
 * Each row keeps the W3C trace context of the caller (or the event's own
 * `traceContext`), so the relay's `send` span continues that trace. Returns the event ids.
 */
export async function enqueue(tx: SqlExecutor, events: OutboxEvent[], options: EnqueueOptions = {}): Promise<string[]> {
  if (events.length === 0) return [];
  const { outbox } = messagingTables(options.schema);
  const trace = captureTraceContext();
  const ids: string[] = [];
  for (let start = 0; start < events.length; start += ROWS_PER_STATEMENT) {
    const chunk = events.slice(start, start + ROWS_PER_STATEMENT);
    const params: unknown[] = [];
    const rows = chunk.map((event) => {
      const id = event.id ?? randomUUID();
      const payload = JSON.stringify(event.payload);
      if (payload === undefined) {
        throw new MessagingError(
          "PAYLOAD_NOT_SERIALISABLE",
          `The payload of event ${id} (${event.subject}) cannot be written as JSON.`,
        );
      }
      ids.push(id);
      const base = params.length;
      const traceparent = event.traceContext?.traceparent ?? trace.traceparent;
      const tracestate = event.traceContext ? (event.traceContext.tracestate ?? null) : trace.tracestate;
      params.push(id, event.subject, payload, JSON.stringify(event.headers ?? {}), traceparent, tracestate);
      return `($${base + 1}::uuid, $${base + 2}, $${base + 3}::jsonb, $${base + 4}::jsonb, $${base + 5}, $${base + 6})`;
    });
    await tx.execute(
      `INSERT INTO ${outbox} (id, subject, payload, headers, traceparent, tracestate) VALUES ${rows.join(", ")}`,
      params,
    );
  }
  return ids;
}
