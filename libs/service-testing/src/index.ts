export { call, expectDocumentedAnswer, type HasService } from "./http-call.js";
export { dropSchema, expectLibraryTablesVerbatim } from "./shared-tables.js";
export {
  type LibraryModelsClient,
  type LibraryModelsSample,
  roundTripLibraryModels,
} from "./shared-models-round-trip.js";
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
