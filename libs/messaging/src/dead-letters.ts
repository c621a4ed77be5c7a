import { randomUUID } from "node:crypto";
import { MessagingError } from "./errors.js";
import { messagingTables } from "./messaging-schema.js";
import { enqueue } from "./outbox.js";
import type { SqlExecutor } from "./sql-executor.js";
import { deadLetterSubject } from "./subjects.js";
import type { TransactionRunner } from "./transactions.js";

/** Header naming the event a message carries when it differs from its msgID (replays). */
export const EVENT_ID_HEADER = "Event-Id";
/** Header naming the dead letter a replayed message came from. */
export const REPLAY_OF_HEADER = "Replay-Of";

export type DeadLetter = {
  id: string;
  consumer: string;
  eventId: string;
  subject: string;
  stream: string;
  streamSeq: number;
  /** The message body as received, decoded as UTF-8. */
  payload: string;
  headers: Record<string, string>;
  errorCode: string;
  errorMessage: string;
  deliveries: number;
  failedAt: Date;
  replayedAt: Date | null;
  replayCount: number;
  /** When an operator decided not to replay it; null while it is not discarded. */
  discardedAt: Date | null;
  discardReason: string | null;
  /** Who discarded it (the API key's name or the token's subject). */
  discardedBy: string | null;
};

export type NewDeadLetter = Omit<
  DeadLetter,
  "id" | "failedAt" | "replayedAt" | "replayCount" | "payload" | "discardedAt" | "discardReason" | "discardedBy"
> & {
  payload: Uint8Array;
};

/** The longest reason a discard keeps, in characters. */
export const MAX_DISCARD_REASON_LENGTH = 500;

/** Why and by whom a dead letter is discarded. */
export type DeadLetterDiscard = { reason: string; discardedBy: string };

/**
 * The payload of a `dlq.<subject>` event; the shape the event catalog
 * documents for dead letters (libs/events deadLetterSchema).
 */
export type DeadLetterEvent = {
  deadLetterId: string;
  subject: string;
  /** Null when the message carried no UUID event id. */
  eventId: string | null;
  consumer: string;
  deliveries: number;
  error: { code: string; message: string };
  deadLetteredAt: string;
  /**
   * The message body as it arrived (UTF-8 text), cut to DEAD_LETTER_EVENT_DATA_CHARS characters and
   * with NUL characters as U+FFFD; the dead letter itself keeps every byte.
   */
  data: string;
  /** The size of the message body as it arrived, in bytes. */
  dataBytes: number;
  /** Whether `data` is only the start of the body: read the whole one from the dead letter (deadLetterId). */
  dataTruncated: boolean;
  traceContext: { traceparent: string; tracestate?: string } | null;
};

/**
 * The most characters of the message body a `dlq.<subject>` event carries. A body near the
 * streams' 1 MiB limit, copied whole, grows past it once embedded as a JSON string (a quote
 * becomes two bytes, a control character six, a byte that is not UTF-8 three), and an event
 * that cannot be published would stay in the outbox for good. At six bytes a character at
 * most, 16 Ki characters stay under 100 KB.
 */
export const DEAD_LETTER_EVENT_DATA_CHARS = 16 * 1024;

/** The start of a message body, as a `dlq.<subject>` event can carry it. */
function eventData(body: string): { data: string; dataTruncated: boolean } {
  const dataTruncated = body.length > DEAD_LETTER_EVENT_DATA_CHARS;
  let data = dataTruncated ? body.slice(0, DEAD_LETTER_EVENT_DATA_CHARS) : body;
  // Never half a surrogate pair at the cut.
  if (dataTruncated && /[\ud800-\udbff]$/.test(data)) data = data.slice(0, -1);
  // The outbox keeps events as jsonb, which cannot hold U+0000.
  return { data: data.replaceAll("\u0000", "\ufffd"), dataTruncated };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function headerValue(headers: Record<string, string>, name: string): string | undefined {
  const key = Object.keys(headers).find((candidate) => candidate.toLowerCase() === name);
  return key === undefined ? undefined : headers[key];
}

type DeadLetterRow = {
  id: string;
  consumer: string;
  event_id: string;
  subject: string;
  stream: string;
  stream_seq: string | number | bigint;
  payload: Uint8Array;
  headers: Record<string, string>;
  error_code: string;
  error_message: string;
  deliveries: number;
  failed_at: Date;
  replayed_at: Date | null;
  replay_count: number;
  discarded_at: Date | null;
  discard_reason: string | null;
  discarded_by: string | null;
};

const COLUMNS = `id, consumer, event_id, subject, stream, stream_seq, payload, headers, error_code, error_message, deliveries, failed_at, replayed_at, replay_count, discarded_at, discard_reason, discarded_by`;

function fromRow(row: DeadLetterRow): DeadLetter {
  return {
    id: row.id,
    consumer: row.consumer,
    eventId: row.event_id,
    subject: row.subject,
    stream: row.stream,
    streamSeq: Number(row.stream_seq),
    payload: Buffer.from(row.payload).toString("utf8"),
    headers: row.headers,
    errorCode: row.error_code,
    errorMessage: row.error_message,
    deliveries: row.deliveries,
    failedAt: new Date(row.failed_at),
    replayedAt: row.replayed_at ? new Date(row.replayed_at) : null,
    replayCount: row.replay_count,
    discardedAt: row.discarded_at ? new Date(row.discarded_at) : null,
    discardReason: row.discard_reason,
    discardedBy: row.discarded_by,
  };
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/**
 * Stores a dead letter (one row per consumer and event: a second failure
 * after a replay or a discard updates it and opens it again) and enqueues its `dlq.<subject>` event in the
 * same transaction, so the outbox relay publishes it reliably.
 */
export async function recordDeadLetter(sql: SqlExecutor, letter: NewDeadLetter, schema?: string): Promise<DeadLetter> {
  const { deadLetters } = messagingTables(schema);
  const rows = await sql.query<DeadLetterRow>(
    `INSERT INTO ${deadLetters} (id, consumer, event_id, subject, stream, stream_seq, payload, headers, error_code, error_message, deliveries)
     VALUES ($1::uuid, $2, $3, $4, $5, $6::bigint, decode($7, 'base64'), $8::jsonb, $9, $10, $11::int)
     ON CONFLICT (consumer, event_id) DO UPDATE SET
       stream = EXCLUDED.stream, stream_seq = EXCLUDED.stream_seq, payload = EXCLUDED.payload, headers = EXCLUDED.headers,
       error_code = EXCLUDED.error_code, error_message = EXCLUDED.error_message, deliveries = EXCLUDED.deliveries,
       failed_at = CURRENT_TIMESTAMP, replayed_at = NULL,
       discarded_at = NULL, discard_reason = NULL, discarded_by = NULL
     RETURNING ${COLUMNS}`,
    [
      randomUUID(),
      letter.consumer,
      letter.eventId,
      letter.subject,
      letter.stream,
      String(letter.streamSeq),
      Buffer.from(letter.payload).toString("base64"),
      JSON.stringify(letter.headers),
      letter.errorCode,
      letter.errorMessage,
      letter.deliveries,
    ],
  );
  const stored = fromRow(rows[0]!);
  const traceparent = headerValue(stored.headers, "traceparent");
  const tracestate = headerValue(stored.headers, "tracestate");
  const event: DeadLetterEvent = {
    deadLetterId: stored.id,
    subject: stored.subject,
    eventId: UUID.test(stored.eventId) ? stored.eventId : null,
    consumer: stored.consumer,
    deliveries: stored.deliveries,
    error: { code: stored.errorCode, message: stored.errorMessage },
    deadLetteredAt: stored.failedAt.toISOString(),
    ...eventData(stored.payload),
    dataBytes: letter.payload.byteLength,
    traceContext: traceparent ? { traceparent, ...(tracestate ? { tracestate } : {}) } : null,
  };
  await enqueue(
    sql,
    [{ subject: deadLetterSubject(stored.subject), payload: event, headers: { [EVENT_ID_HEADER]: stored.id } }],
    { schema },
  );
  return stored;
}

/** Where a dead letter stands: waiting for an operator, replayed, or discarded with a reason. */
export const DEAD_LETTER_STATES = ["open", "replayed", "discarded", "all"] as const;

export type DeadLetterFilter = {
  subject?: string;
  consumer?: string;
  /** "open" (default): neither replayed nor discarded since the last failure. */
  state?: (typeof DEAD_LETTER_STATES)[number];
  limit?: number;
  /** Page backwards: only letters that failed before this instant. */
  failedBefore?: Date;
};

// Headers that belong to one publication and must not be copied onto a replay.
const PUBLICATION_HEADERS = new Set(["nats-msg-id", "traceparent", "tracestate", "nats-expected-stream"]);

/**
 * The operator's view of one service's dead letters: list, inspect, replay
 * and discard. A service exposes these over HTTP or a CLI.
 */
export class DeadLetterStore<Tx = unknown> {
  constructor(
    private readonly transactions: TransactionRunner<Tx>,
    private readonly schema?: string,
  ) {}

  private get table(): string {
    return messagingTables(this.schema).deadLetters;
  }

  async list(filter: DeadLetterFilter = {}): Promise<DeadLetter[]> {
    const conditions: string[] = [];
    const params: unknown[] = [];
    const add = (condition: string, value: unknown) => {
      params.push(value);
      conditions.push(condition.replace("?", `$${params.length}`));
    };
    if (filter.subject) add("subject = ?", filter.subject);
    if (filter.consumer) add("consumer = ?", filter.consumer);
    if (filter.failedBefore) add("failed_at < ?::timestamptz", filter.failedBefore.toISOString());
    const state = filter.state ?? "open";
    if (state === "open") conditions.push("replayed_at IS NULL AND discarded_at IS NULL");
    if (state === "replayed") conditions.push("replayed_at IS NOT NULL");
    if (state === "discarded") conditions.push("discarded_at IS NOT NULL");
    params.push(Math.min(Math.max(filter.limit ?? 100, 1), 1000));
    const where = conditions.length > 0 ? `WHERE ${conditions.join(" AND ")}` : "";
    const rows = await this.transactions.transaction((_tx, sql) =>
      sql.query<DeadLetterRow>(
        `SELECT ${COLUMNS} FROM ${this.table} ${where} ORDER BY failed_at DESC, id LIMIT $${params.length}::int`,
        params,
      ),
    );
    return rows.map(fromRow);
  }

  async get(id: string): Promise<DeadLetter | undefined> {
    const rows = await this.transactions.transaction((_tx, sql) =>
      sql.query<DeadLetterRow>(`SELECT ${COLUMNS} FROM ${this.table} WHERE id = $1::uuid`, [id]),
    );
    return rows[0] ? fromRow(rows[0]) : undefined;
  }

  /** The letter, locked until the transaction ends; DEAD_LETTER_NOT_FOUND when there is none. */
  async #locked(sql: SqlExecutor, id: string): Promise<DeadLetter> {
    const rows = await sql.query<DeadLetterRow>(`SELECT ${COLUMNS} FROM ${this.table} WHERE id = $1::uuid FOR UPDATE`, [
      id,
    ]);
    if (!rows[0]) throw new MessagingError("DEAD_LETTER_NOT_FOUND", `There is no dead letter ${id}.`);
    return fromRow(rows[0]);
  }

  /**
   * Publishes the dead letter's message again on its subject, through the
   * outbox (the relay must run), with its original event id: every consumer
   * of the subject receives it, and those that already processed it skip it
   * through their inbox.
   */
  async replay(id: string): Promise<DeadLetter> {
    return this.transactions.transaction(async (_tx, sql) => {
      const letter = await this.#locked(sql, id);
      if (letter.discardedAt) {
        throw new MessagingError(
          "DEAD_LETTER_DISCARDED",
          `Dead letter ${id} was discarded by ${letter.discardedBy} (${letter.discardReason}), so it is not replayed.`,
        );
      }
      const parsed = parseJson(letter.payload);
      if (!parsed.ok) {
        throw new MessagingError(
          "DEAD_LETTER_NOT_REPLAYABLE",
          `Dead letter ${id} does not carry JSON, so replaying it would fail again; discard it.`,
        );
      }
      const headers = Object.fromEntries(
        Object.entries(letter.headers).filter(([key]) => !PUBLICATION_HEADERS.has(key.toLowerCase())),
      );
      await enqueue(
        sql,
        [
          {
            subject: letter.subject,
            payload: parsed.value,
            headers: { ...headers, [EVENT_ID_HEADER]: letter.eventId, [REPLAY_OF_HEADER]: letter.id },
          },
        ],
        {
          schema: this.schema,
        },
      );
      const updated = await sql.query<DeadLetterRow>(
        `UPDATE ${this.table} SET replayed_at = CURRENT_TIMESTAMP, replay_count = replay_count + 1 WHERE id = $1::uuid RETURNING ${COLUMNS}`,
        [id],
      );
      return fromRow(updated[0]!);
    });
  }

  /**
   * Marks a dead letter an operator decided not to replay as discarded, keeping the
   * letter, the reason and who gave it. Discarding it again with the same reason answers
   * the letter as it is (a retried request); another reason is refused
   * (DEAD_LETTER_ALREADY_DISCARDED) so the first stays. A replayed letter is not
   * discarded (DEAD_LETTER_ALREADY_REPLAYED): it is no longer waiting for a decision.
   */
  async discard(id: string, discard: DeadLetterDiscard): Promise<DeadLetter> {
    return this.transactions.transaction(async (_tx, sql) => {
      const letter = await this.#locked(sql, id);
      if (letter.discardedAt) {
        if (letter.discardReason === discard.reason) return letter;
        throw new MessagingError(
          "DEAD_LETTER_ALREADY_DISCARDED",
          `Dead letter ${id} was already discarded by ${letter.discardedBy} with another reason (${letter.discardReason}).`,
        );
      }
      if (letter.replayedAt) {
        throw new MessagingError(
          "DEAD_LETTER_ALREADY_REPLAYED",
          `Dead letter ${id} was replayed, so there is nothing left to discard.`,
        );
      }
      const updated = await sql.query<DeadLetterRow>(
        `UPDATE ${this.table} SET discarded_at = CURRENT_TIMESTAMP, discard_reason = $2, discarded_by = $3
          WHERE id = $1::uuid RETURNING ${COLUMNS}`,
        [id, discard.reason, discard.discardedBy],
      );
      return fromRow(updated[0]!);
    });
  }
}
