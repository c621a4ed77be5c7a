import { messagingTables } from "./messaging-schema.js";
import type { SqlExecutor } from "./sql-executor.js";
import type { TransactionRunner } from "./transactions.js";

/** Identifies one event for one consumer: the inbox key. */
export type InboxKey = { consumer: string; eventId: string; subject: string; schema?: string };

export type RunOnceResult<T> = { applied: true; result: T } | { applied: false };

/**
 * Records the event in the inbox through `sql`; true when this is the first
 * time. Inside the transaction of the effect, a concurrent second delivery
 * waits on the first one's row lock and then sees the conflict.
 */
export async function claimInboxEntry(sql: SqlExecutor, key: InboxKey): Promise<boolean> {
  const { inbox } = messagingTables(key.schema);
  const inserted = await sql.execute(
    `INSERT INTO ${inbox} (consumer, event_id, subject) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
    [key.consumer, key.eventId, key.subject],
  );
  return inserted === 1;
}

/**
 * Records several events of one consumer in one statement; returns the ids
 * recorded now (those not processed before). A batch of deliveries sharing a
 * transaction claims its entries this way before its handlers run.
 */
export async function claimInboxEntries(
  sql: SqlExecutor,
  consumer: string,
  events: Array<{ eventId: string; subject: string }>,
  schema?: string,
): Promise<Set<string>> {
  if (events.length === 0) return new Set();
  const { inbox } = messagingTables(schema);
  const params: unknown[] = [consumer];
  const rows = events.map((event) => {
    params.push(event.eventId, event.subject);
    return `($1, $${params.length - 1}, $${params.length})`;
  });
  const claimed = await sql.query<{ event_id: string }>(
    `INSERT INTO ${inbox} (consumer, event_id, subject) VALUES ${rows.join(", ")} ON CONFLICT DO NOTHING RETURNING event_id`,
    params,
  );
  return new Set(claimed.map((row) => row.event_id));
}

/**
 * Runs `effect` and records the event as processed in one transaction; when
 * the event was already processed, runs nothing. So a redelivery (after a lost
 * ack, a crash or a replay) changes nothing.
 */
export async function runOnce<Tx, T>(
  transactions: TransactionRunner<Tx>,
  key: InboxKey,
  effect: (tx: Tx, sql: SqlExecutor) => Promise<T>,
): Promise<RunOnceResult<T>> {
  return transactions.transaction(async (tx, sql): Promise<RunOnceResult<T>> => {
    if (!(await claimInboxEntry(sql, key))) return { applied: false };
    return { applied: true, result: await effect(tx, sql) };
  });
}
