export { chainEventId } from "./chain-event-id.js";
export { ChainSyncError } from "./chain-sync-error.js";
export { ChainSyncPipeline, type ChainSyncPipelineOptions } from "./chain-sync-pipeline.js";
export {
  type ChainSyncConfig,
  type ChainSyncService,
  type ChainSyncServiceOptions,
  chainSyncServiceFor,
} from "./chain-sync-service.js";
export {
  CHAIN_SYNC_LEDGER_MIGRATION_NAME,
  CHAIN_SYNC_LEDGER_MIGRATION_SQL,
  CHAIN_SYNC_MIGRATION_NAME,
  CHAIN_SYNC_MIGRATION_SQL,
  CHAIN_SYNC_PRISMA_MODELS,
  writeChainSyncMigration,
} from "./chain-sync-schema.js";
export { type ContractErrorStatuses } from "./chain-write-errors.js";
export { CHAIN_WRITE_REFUSALS, FACILITY_SIGNER_REFUSALS } from "./chain-write-refusals.js";
export { parseConsumedEvent } from "./consumed-event.js";
export { derivedEvent, eventsOfPrint } from "./derived-event.js";
export { contractRefusal } from "./contract-refusal.js";
export {
  ChainWriter,
  type ChainWriteResult,
  chainWriterFor,
  DEFAULT_READ_MODEL_WAIT_MS,
  type WriteOptions,
} from "./chain-writer.js";
export {
  type ContractEventSyncOptions,
  type ContractPrintEvent,
  ContractEventSync,
  type DerivedEvent,
  type PrintEventHandler,
  type SyncBlock,
} from "./contract-event-sync.js";
export {
  IDEMPOTENCY_MIGRATION_NAME,
  IDEMPOTENCY_MIGRATION_SQL,
  IDEMPOTENCY_PRISMA_MODEL,
} from "./idempotency-schema.js";
export { PgIdempotencyStore } from "./pg-idempotency-store.js";
export { type FacilitySigners, signerForFacility, type SignerKeys } from "./facility-signer.js";
export { applyDeploymentRecord } from "./deployment-env.js";
export { serviceEventConsumers, serviceReadiness } from "./service-bootstrap.js";
export { type ReadModelResync } from "./resync-controller.js";
export { type FollowedSync, type SyncStatus, SyncStatusReader } from "./sync-status-controller.js";
export { PgCheckpointStore } from "./pg-checkpoint-store.js";
export { type SignerKeySource, SignerKeyStore, type SignerPoolSource } from "./signer-key-store.js";
export {
  DEFAULT_SIGNING_LEASE_TTL_MS,
  type LeaseHolder,
  SigningLeaseHeldError,
  type SigningLeaseOptions,
  SigningLeases,
  signingLeaseScope,
} from "./signing-lease.js";
export {
  DEAD_LETTER_STORE,
  EVENT_CONSUMERS,
  EventConsumersSlot,
  type InfrastructureConfig,
  type InfrastructurePrismaClient,
  NATS_CONNECTION,
  NATS_WATCH,
  PG_POOL,
  PRISMA,
  SIGNER_KEYS,
  SIGNING_LEASES,
  STACKS_CHAIN,
  ServiceInfrastructureModule,
  type ServiceInfrastructureOptions,
  TRANSACTION_JOURNAL,
} from "./service-infrastructure.js";
export { type JournalEntry, type JournalFilter, type TrackOptions, TransactionJournal } from "./transaction-journal.js";
