export { CATALOG_VERSION, buildAsyncApiDocument, renderAsyncApiYaml } from "./asyncapi-document.js";
export { eventCatalog, eventTypeForContractPrint, eventTypes, isEventType } from "./catalog.js";
export type { EventCatalog, EventPayload, EventPayloadJson, EventType } from "./catalog.js";
export { capacityUpdateReasons } from "./contract-derived/capacity-tracking-events.js";
export { createEvent } from "./create-event.js";
export type { EventMeta } from "./create-event.js";
export { DEAD_LETTER_PREFIX, deadLetterSchema, deadLetterSubject, deadLetterSubjects } from "./dead-letter.js";
export type { DeadLetter } from "./dead-letter.js";
export { chainRefSchema, eventEnvelopeSchema, eventSchema, traceContextSchema } from "./envelope.js";
export type { ChainRef, DeploymentRef, DomainEvent, EventEnvelope, EventJson, TraceContext } from "./envelope.js";
export type { ContractName, EventDefinition, EventOrigin } from "./event-definition.js";
export { EventValidationError } from "./event-validation-error.js";
export { stacksPrincipalSchema } from "./stacks-principal.js";
export { txIdSchema, traceparentSchema, ustxSchema } from "./field-schemas.js";
export { deadLetterJsonSchema, envelopeJsonSchema, payloadJsonSchema } from "./json-schemas.js";
export type { JsonSchema } from "./json-schemas.js";
export { decodeEvent, parseEvent } from "./parse-event.js";
export { payloadFromPrint } from "./print-payload.js";
export { eventStreams } from "./event-streams.js";
export type { EventStream } from "./event-streams.js";
export {
  priceCurveSchema,
  stepMinutesSchema,
  telemetryBatchSchema,
  telemetrySampleSchema,
} from "./external-inputs/external-inputs.js";
export { checkSharesAddUp, FULL_SHARE_BPS, MAX_STAKEHOLDERS } from "./shares-rule.js";
