export { JetStreamServer, JETSTREAM_TRANSPORT } from "./jetstream-server.js";
export type { JetStreamServerOptions } from "./jetstream-server.js";
export type { HandlerConsumerOptions } from "./consumer-options.js";
export type { ConsumersHealth } from "./consumer-worker.js";
export {
  connectWatched,
  NATS_RECONNECT_BACKOFF,
  NatsConnectionWatch,
  natsReconnectDelayMs,
} from "./nats-connection.js";
export type { NatsConnectionLog, NatsConnectionState } from "./nats-connection.js";
export { JetStreamContext } from "./jetstream-context.js";
export { JetStreamExceptionFilter } from "./exception-filter.js";
export { jetStreamConsumers } from "./jetstream-consumers.js";
export { MessagingError, NonRetryableError, toHandlerFailure } from "./errors.js";
export type { HandlerFailure } from "./errors.js";
export { OutboxRelay } from "./outbox-relay.js";
export type { OutboxRelayOptions } from "./outbox-relay.js";
export { enqueue } from "./outbox.js";
export type { EnqueueOptions, OutboxEvent } from "./outbox.js";
export { claimInboxEntries, claimInboxEntry, runOnce } from "./inbox.js";
export type { InboxKey, RunOnceResult } from "./inbox.js";
export {
  DEAD_LETTER_EVENT_DATA_CHARS,
  DEAD_LETTER_STATES,
  DeadLetterStore,
  EVENT_ID_HEADER,
  MAX_DISCARD_REASON_LENGTH,
  recordDeadLetter,
  REPLAY_OF_HEADER,
} from "./dead-letters.js";
export type {
  DeadLetter,
  DeadLetterDiscard,
  DeadLetterEvent,
  DeadLetterFilter,
  NewDeadLetter,
} from "./dead-letters.js";
export { pgExecutor, prismaExecutor } from "./sql-executor.js";
export type { PrismaRawClient, SqlExecutor } from "./sql-executor.js";
export { pgTransactions, prismaTransactions } from "./transactions.js";
export type { PrismaTransactionClient, TransactionRunner } from "./transactions.js";
export {
  DEAD_LETTER_DISCARD_MIGRATION_NAME,
  DEAD_LETTER_DISCARD_MIGRATION_SQL,
  MESSAGING_MIGRATION_NAME,
  MESSAGING_MIGRATION_SQL,
  MESSAGING_PRISMA_MODELS,
  messagingTables,
  writeMessagingMigration,
} from "./messaging-schema.js";
export type { MessagingTables } from "./messaging-schema.js";
export {
  deadLetterStreamSpec,
  ensureConsumer,
  ensureStreams,
  STREAM_DEFAULTS,
  streamReplicas,
} from "./stream-topology.js";
export type { ConsumerSpec, StreamSpec } from "./stream-topology.js";
export { deadLetterSubject, durableName, SubjectNaming, subjectMatches } from "./subjects.js";
export { DEFAULT_RETRY_BACKOFF, retryDelayMs } from "./retry-policy.js";
export type { RetryBackoff } from "./retry-policy.js";
export { captureTraceContext } from "./trace-propagation.js";
export type { StoredTraceContext } from "./trace-propagation.js";
export { serverAtLeast } from "./server-version.js";
export {
  consumerLag,
  consumerRestarts,
  eventsConsumed,
  eventsDeadLettered,
  eventsPublished,
  eventsRetried,
  natsConnected,
  natsDisconnectDuration,
  natsReconnects,
  outboxBacklog,
  outboxOldestAge,
  outboxRelayFailing,
} from "./metrics.js";
