import type { SqlExecutor } from "@voltstack/messaging";
import {
  ApiError,
  IDEMPOTENCY_HOLD_RENEW_MS,
  type IdempotencyClaim,
  type IdempotencyRecord,
  type IdempotencyScope,
  type IdempotencyStore,
  type LinkedTransaction,
  pendingWriteAnswer,
  type StoredAnswer,
} from "@voltstack/service-kit";
import { journaledFailure } from "./chain-write-errors.js";
import type { JournalEntry, TransactionJournal } from "./transaction-journal.js";

// A request that holds its key renews its hold until it links a transaction; one whose hold
// was not renewed for this long died before signing anything: a retry may execute it afresh.
const ABANDONED_AFTER_MS = 4 * IDEMPOTENCY_HOLD_RENEW_MS;
// Expired keys are deleted at most this often, by the request that notices.
const PRUNE_INTERVAL_MS = 10 * 60_000;

type Row = {
  caller_id: string;
  idempotency_key: string;
  method: string;
  path: string;
  fingerprint: string;
  state: "executing" | "completed";
  response_status: number | null;
  response_body: unknown;
  response_location: string | null;
  transactions: LinkedTransaction[];
  created_at: Date;
};

/**
 * The idempotency keys in the service's `idempotency_keys` table. A request still executing
 * is answered from the journal entries of the transactions it linked.
 */
// A key released between a claim's two statements each time, this many times over, is a store
// that cannot hold keys now: the request is answered 503 and changes nothing.
const CLAIM_ATTEMPTS = 3;

export class PgIdempotencyStore implements IdempotencyStore {
  #prunedAt = 0;

  constructor(
    private readonly sql: SqlExecutor,
    private readonly journal: TransactionJournal,
  ) {}

  async claim(claim: IdempotencyClaim): Promise<IdempotencyRecord | undefined> {
    await this.#pruneNowAndThen();
    // The row a claim conflicts with may be released (a refusal frees its key) or pruned
    // between the insert and the lookup: then the key is free and the claim is made again.
    for (let attempt = 1; attempt <= CLAIM_ATTEMPTS; attempt += 1) {
      if (await this.#insertOrTakeOver(claim)) return undefined;
      const held = await this.find(claim);
      if (held) return held;
    }
    throw new Error(`Idempotency key ${claim.key} was neither claimed nor found in ${CLAIM_ATTEMPTS} attempts.`);
  }

  /**
   * One statement, so that of concurrent claims exactly one inserts (or takes over an expired
   * or abandoned row); the others find the row it holds. True when this claim holds the key.
   */
  async #insertOrTakeOver(claim: IdempotencyClaim): Promise<boolean> {
    const claimed = await this.sql.query<{ caller_id: string }>(
      `INSERT INTO idempotency_keys AS k (caller_id, idempotency_key, method, path, fingerprint, state, expires_at)
       VALUES ($1, $2, $3, $4, $5, 'executing', now() + $6::bigint * interval '1 millisecond')
       ON CONFLICT (caller_id, idempotency_key) DO UPDATE
          SET method = EXCLUDED.method, path = EXCLUDED.path, fingerprint = EXCLUDED.fingerprint,
              state = 'executing', response_status = NULL, response_body = NULL, response_location = NULL,
              transactions = '[]', created_at = now(), updated_at = now(), expires_at = EXCLUDED.expires_at
        WHERE k.expires_at < now()
           OR (k.state = 'executing' AND k.transactions = '[]' AND k.fingerprint = EXCLUDED.fingerprint
               AND k.updated_at < now() - $7::bigint * interval '1 millisecond')
       RETURNING caller_id`,
      [claim.callerId, claim.key, claim.method, claim.path, claim.fingerprint, claim.retentionMs, ABANDONED_AFTER_MS],
    );
    return claimed.length > 0;
  }

  async renew(scope: IdempotencyScope): Promise<void> {
    await this.sql.execute(
      `UPDATE idempotency_keys SET updated_at = now()
        WHERE caller_id = $1 AND idempotency_key = $2 AND state = 'executing' AND transactions = '[]'`,
      [scope.callerId, scope.key],
    );
  }

  async link(scope: IdempotencyScope, transaction: LinkedTransaction): Promise<void> {
    const updated = await this.sql.execute(
      `UPDATE idempotency_keys SET transactions = transactions || $3::jsonb, updated_at = now()
        WHERE caller_id = $1 AND idempotency_key = $2 AND state = 'executing'`,
      [scope.callerId, scope.key, JSON.stringify([transaction])],
    );
    // Refusing the broadcast is the safe way out: a transaction must never go out unlinked.
    if (updated !== 1) {
      throw ApiError.conflict(
        "IDEMPOTENCY_KEY_IN_USE",
        "The Idempotency-Key was taken over by a retry while this request was still preparing its transaction; nothing was broadcast.",
        { key: scope.key },
      );
    }
  }

  async complete(scope: IdempotencyScope, answer: StoredAnswer): Promise<void> {
    await this.sql.execute(
      `UPDATE idempotency_keys
          SET state = 'completed', response_status = $3, response_body = $4::jsonb, response_location = $5,
              updated_at = now()
        WHERE caller_id = $1 AND idempotency_key = $2`,
      [scope.callerId, scope.key, answer.status, JSON.stringify(answer.body ?? null), answer.location ?? null],
    );
  }

  async release(scope: IdempotencyScope): Promise<void> {
    await this.sql.execute(
      `DELETE FROM idempotency_keys
        WHERE caller_id = $1 AND idempotency_key = $2 AND state = 'executing' AND transactions = '[]'`,
      [scope.callerId, scope.key],
    );
  }

  async find(scope: IdempotencyScope): Promise<IdempotencyRecord | undefined> {
    const rows = await this.sql.query<Row>(
      `SELECT caller_id, idempotency_key, method, path, fingerprint, state, response_status, response_body,
              response_location, transactions, created_at
         FROM idempotency_keys WHERE caller_id = $1 AND idempotency_key = $2`,
      [scope.callerId, scope.key],
    );
    return rows[0] && toRecord(rows[0]);
  }

  /**
   * The request's writes as their journal entries show them: a fee bump counts with the
   * transaction it replaces (one of them at most is mined). Failed when a write failed
   * (its contract error), pending while one may still confirm, else confirmed (the last).
   */
  async answerFromTransactions(record: IdempotencyRecord): Promise<StoredAnswer | undefined> {
    if (record.transactions.length === 0) return undefined;
    const writes: Array<Array<{ link: LinkedTransaction; entry: JournalEntry | undefined }>> = [];
    for (const link of record.transactions) {
      const seen = { link, entry: await this.journal.get(link.txid) };
      if (link.replaces !== undefined && writes.length > 0) writes[writes.length - 1]!.push(seen);
      else writes.push([seen]);
    }
    let pending: string | undefined;
    let confirmed: JournalEntry | undefined;
    for (const attempts of writes) {
      const mined = attempts.find(({ entry }) => entry?.status === "confirmed")?.entry;
      if (mined) {
        confirmed = mined;
        continue;
      }
      // An entry not found is one whose journaling did not finish: it may still be on its way.
      const waiting = attempts.findLast(({ entry }) => entry === undefined || entry.status === "pending");
      if (waiting) {
        pending ??= waiting.entry?.txid ?? waiting.link.txid;
        continue;
      }
      const last = attempts[attempts.length - 1]!;
      const failure = journaledFailure(last.entry!, last.link.errorStatuses);
      return { status: failure.status, body: failure.toBody() };
    }
    if (pending !== undefined) return pendingWriteAnswer(pending);
    return { status: 200, body: { txid: confirmed!.txid, blockHeight: confirmed!.blockHeight } };
  }

  async #pruneNowAndThen(): Promise<void> {
    if (Date.now() - this.#prunedAt < PRUNE_INTERVAL_MS) return;
    this.#prunedAt = Date.now();
    await this.sql.execute("DELETE FROM idempotency_keys WHERE expires_at < now()");
  }
}

function toRecord(row: Row): IdempotencyRecord {
  return {
    callerId: row.caller_id,
    key: row.idempotency_key,
    method: row.method,
    path: row.path,
    fingerprint: row.fingerprint,
    state: row.state,
    answer:
      row.state === "completed" && row.response_status !== null
        ? { status: row.response_status, body: row.response_body, location: row.response_location }
        : null,
    transactions: row.transactions,
    createdAt: row.created_at,
  };
}
