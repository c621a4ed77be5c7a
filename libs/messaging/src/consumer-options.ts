import { DEFAULT_RETRY_BACKOFF, type RetryBackoff } from "./retry-policy.js";

/** Per-handler consumer settings; defaults for all handlers, or `@EventPattern(subject, { jetstream: {...} })`. */
export type HandlerConsumerOptions = {
  /** Deliveries before the message goes to the dead-letter store. */
  maxDeliver?: number;
  backoff?: RetryBackoff;
  /**
   * How long the server waits for an ack, or for a sign of progress, before redelivering to
   * another replica. While a handler runs the transport reports progress every third of it,
   * so it bounds the hand-over after a crash, not the handler's duration.
   */
  ackWaitMs?: number;
  /**
   * A handler running longer than this is stuck: readiness goes down and progress is no
   * longer reported, so the server redelivers the message after the ack wait.
   */
  stuckAfterMs?: number;
  /** Unacknowledged messages the server lets this consumer hold, over all replicas. */
  maxAckPending?: number;
  /** Transactions one replica runs at once. Order is kept only with 1 (and batchSize 1). */
  concurrency?: number;
  /**
   * Deliveries that may share one transaction when several are waiting: their
   * handlers run one after the other, their runOnce effects commit together and
   * they are acknowledged after that commit. If any of them fails, the shared
   * transaction is rolled back and each is handled again in a transaction of
   * its own. 1 gives every delivery its own transaction.
   */
  batchSize?: number;
};

export type ResolvedConsumerOptions = Required<HandlerConsumerOptions>;

export const CONSUMER_DEFAULTS: ResolvedConsumerOptions = {
  maxDeliver: 5,
  backoff: DEFAULT_RETRY_BACKOFF,
  ackWaitMs: 15_000,
  stuckAfterMs: 5 * 60_000,
  maxAckPending: 1_000,
  concurrency: 8,
  batchSize: 16,
};
