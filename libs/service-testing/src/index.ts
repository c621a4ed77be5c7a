export { call, expectDocumentedAnswer, type HasService } from "./http-call.js";
export { dropSchema, expectLibraryTablesVerbatim } from "./shared-tables.js";
export {
  type LibraryModelsClient,
  type LibraryModelsSample,
  roundTripLibraryModels,
} from "./shared-models-round-trip.js";
export { type MigratedSchema, migratedSchemaFixture, type MigratedSchemaOptions } from "./migrated-schema.js";
export {
  type Account,
  type ApiKeyEntry,
  type DefaultAccountName,
  type HarnessBase,
  type Received,
  startTestEnvironment,
  type TestEnvironment,
  type TestEnvironmentOptions,
} from "./test-environment.js";
export { harnessBase, type ServiceHarness, serviceHarness } from "./service-harness.js";
export {
  confirmed,
  expectSuccess,
  type HasDevnet,
  settledTransaction,
  type TransactionOutcome,
} from "./transaction-outcome.js";
export { confirmedCall, type HasContracts, walletCall, type WalletCallOptions } from "./wallet-call.js";
export { balanceOf } from "./stx-balance.js";
export { type HasStreams, publishAsRelay, publishAsReplay } from "./event-publishing.js";
export { consumerAcknowledged, consumerCaughtUp } from "./consumer-progress.js";
export {
  expectAllRefusedSigningNothing,
  expectOutOfRangeRefused,
  type OutOfRangeCase,
  operationsRoutesOutOfRange,
} from "./out-of-range.js";
export { databaseUrl, natsUrl } from "./test-urls.js";
export { waitFor } from "./wait-for.js";
export { freePort } from "./free-port.js";
export { type PrivateNats, startPrivateNats } from "./private-nats.js";
export { type PrivatePostgres, startPrivatePostgres } from "./private-postgres.js";
