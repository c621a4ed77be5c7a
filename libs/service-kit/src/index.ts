import "reflect-metadata";

export { ConfigError, type ConfigIssue } from "./config/config-error.js";
export { envEnum, envInt, envJson, envList, envSchemaName, envString, envUrl } from "./config/env-fields.js";
export {
  chainServiceChecks,
  chainServiceFields,
  type SignerKeySource,
  signerKeySources,
  signerPools,
} from "./config/chain-service-config.js";
export { baseConfigShape, loadConfig, serviceConfigSchema, type BaseServiceConfig } from "./config/service-config.js";

export { ApiError, type ApiErrorBody } from "./errors/api-error.js";
export { ApiErrorFilter } from "./errors/api-error-filter.js";

export {
  ZodBody,
  ZodParam,
  ZodQuery,
  ZodValidationPipe,
  openApiSchemaOf,
  type ValidationIssue,
} from "./validation/zod-validation.js";
export { MAX_JSON_BODY_DEPTH } from "./validation/json-body.js";

export { ROLES, type Caller, type Role } from "./auth/roles.js";
export type { ApiKeyEntry, AuthOptions, JwtOptions } from "./auth/auth-options.js";
export { hashApiKey } from "./auth/api-key-authenticator.js";
export { ActsFor, CurrentCaller, Public, Roles, type PrincipalLocation } from "./auth/auth-decorators.js";
export { assertMayActFor, mayActFor } from "./auth/principal-access.js";
export { AUTH_OPTIONS, AuthGuard } from "./auth/auth-guard.js";

export {
  type ConnectionStateLike,
  LIVENESS_CHECKS,
  READINESS_CHECKS,
  natsReadiness,
  type NatsLike,
  type ReadinessCheck,
  type ReadinessChecks,
} from "./health/readiness-checks.js";
export { HTTP_DURATION_METRIC, httpMetricsMiddleware } from "./metrics/http-metrics.js";
export { ShutdownHooks, type ShutdownPhase } from "./lifecycle/shutdown-hooks.js";

export { buildOpenApiDocument, serveOpenApi, type OpenApiOptions } from "./openapi/openapi.js";
export { type ObservedAnswer, undocumentedAnswer } from "./openapi/answer-check.js";
export { answerSchemaOf, mergeRefusals, Operation, type OperationDoc, type Refusals } from "./openapi/operation.js";

export {
  IDEMPOTENCY_KEY_HEADER,
  IDEMPOTENCY_KEY_MAX_LENGTH,
  IDEMPOTENT_REPLAYED_HEADER,
  idempotencyKeyOf,
} from "./idempotency/idempotency-key.js";
export {
  IDEMPOTENCY_HOLD_RENEW_MS,
  IDEMPOTENCY_KEY_RETENTION_MS,
  IDEMPOTENCY_STORE,
  type IdempotencyClaim,
  type IdempotencyRecord,
  type IdempotencyScope,
  type IdempotencyStore,
  type LinkedTransaction,
  type StoredAnswer,
} from "./idempotency/idempotency-store.js";
export {
  currentIdempotentRequest,
  type IdempotentRequest,
  runIdempotentRequest,
} from "./idempotency/idempotent-request.js";
export { IdempotencyInterceptor } from "./idempotency/idempotency.interceptor.js";
export { pendingWriteAnswer, type PendingWriteBody, WritePendingError } from "./idempotency/pending-write.js";
export { requestFingerprint } from "./idempotency/request-fingerprint.js";

export {
  SERVICE_CONFIG,
  authOptionsFromConfig,
  serviceRootModule,
  type ReadinessFactory,
  type ServiceKitModuleOptions,
} from "./bootstrap/service-kit-module.js";
export { bootstrapService, type BootstrapOptions, type EventConsumers } from "./bootstrap/bootstrap-service.js";
export { startTestService, type TestService } from "./bootstrap/test-service.js";
