/** The injection token of the service's IdempotencyStore (chain-sync provides the PostgreSQL one). */
export const IDEMPOTENCY_STORE = Symbol("IDEMPOTENCY_STORE");

/** How long a key is kept, and so how long a retry with it is answered from the first request. */
export const IDEMPOTENCY_KEY_RETENTION_MS = 24 * 60 * 60 * 1000;

/**
 * How often a request that holds a key and has signed nothing yet renews its hold. A store
 * counts a hold not renewed for several of these as abandoned (its process died).
 */
export const IDEMPOTENCY_HOLD_RENEW_MS = 5_000;

/** An answer as it is sent again: status, JSON body (null for none) and Location, if any. */
export interface StoredAnswer {
  status: number;
  body: unknown;
  location?: string | null;
}

/** A chain transaction a keyed request broadcast, with what its writer needs to answer its outcome. */
export interface LinkedTransaction {
  txid: string;
  /** The writer's HTTP status of each contract error constant. */
  errorStatuses: Readonly<Record<string, number>>;
  /** Set on a fee bump: the txid of the transaction it stands in for (one of the two is mined). */
  replaces?: string;
}

/** The identity of one keyed request: a caller's key. */
export interface IdempotencyScope {
  callerId: string;
  key: string;
}

export interface IdempotencyClaim extends IdempotencyScope {
  method: string;
  path: string;
  fingerprint: string;
  retentionMs: number;
}

export interface IdempotencyRecord extends IdempotencyScope {
  method: string;
  path: string;
  fingerprint: string;
  /** executing: the first request has not answered for good yet; completed: `answer` is final. */
  state: "executing" | "completed";
  answer: StoredAnswer | null;
  transactions: LinkedTransaction[];
  createdAt: Date;
}

/**
 * Where keyed requests are remembered. `claim` is atomic: of concurrent requests with one
 * key, exactly one is told to execute.
 */
export interface IdempotencyStore {
  /**
   * Records the request as executing and returns undefined when the key is new (or expired,
   * or held by a request that died before signing anything); otherwise returns the record
   * that holds the key.
   */
  claim(claim: IdempotencyClaim): Promise<IdempotencyRecord | undefined>;
  /**
   * Says that the request holding the key is still alive and has not signed yet; a holder
   * that stops saying so (its process died) is taken over by a retry within seconds.
   */
  renew(scope: IdempotencyScope): Promise<void>;
  /** Adds a transaction to the record; called before the transaction is broadcast. */
  link(scope: IdempotencyScope, transaction: LinkedTransaction): Promise<void>;
  /** Keeps the final answer. */
  complete(scope: IdempotencyScope, answer: StoredAnswer): Promise<void>;
  /** Forgets a request that changed nothing (refused before signing), so the key may be used again. */
  release(scope: IdempotencyScope): Promise<void>;
  /** The answer for an executing record from its transactions' state now; undefined when it has none. */
  answerFromTransactions(record: IdempotencyRecord): Promise<StoredAnswer | undefined>;
  /** The record of a key as it is now. */
  find(scope: IdempotencyScope): Promise<IdempotencyRecord | undefined>;
}
