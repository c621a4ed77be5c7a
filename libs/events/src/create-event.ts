import { randomUUID } from "node:crypto";
import { z } from "zod";
import { eventCatalog, type EventPayload, type EventType } from "./catalog.js";
import {
  eventSchema,
  payloadId,
  type ChainRef,
  type DeploymentRef,
  type EventJson,
  type TraceContext,
} from "./envelope.js";
import { EventValidationError } from "./event-validation-error.js";

export interface EventMeta {
  /** The confirmed transaction that made the event true; required for events made from print events. */
  chain?: ChainRef | null;
  /** The deployment (network and contract deployer) whose chain the event is about; every service sets it. */
  deployment?: DeploymentRef;
  traceContext: TraceContext;
  /** Defaults to now. */
  occurredAt?: Date | string;
  /** Defaults to a random UUID. */
  eventId?: string;
}

/**
 * Builds an event of `type` and validates it against the catalog. Returns it
 * JSON-ready (micro-STX amounts as decimal strings); throws EventValidationError.
 */
export function createEvent<T extends EventType>(type: T, payload: EventPayload<T>, meta: EventMeta): EventJson<T> {
  const definition = eventCatalog[type];
  if (!definition)
    throw new EventValidationError(String(type), [
      { code: "custom", path: ["type"], message: `unknown event type "${String(type)}"`, input: type },
    ]);
  const occurredAt =
    meta.occurredAt instanceof Date ? meta.occurredAt.toISOString() : (meta.occurredAt ?? new Date().toISOString());
  const candidate = {
    eventId: meta.eventId ?? randomUUID(),
    type,
    schemaVersion: definition.version,
    occurredAt,
    chain: meta.chain ?? null,
    ...(meta.deployment ? { deployment: meta.deployment } : {}),
    facilityId: payloadId(payload, "facilityId") ?? null,
    requestId: payloadId(payload, "requestId") ?? null,
    traceContext: meta.traceContext,
    payload,
  };
  const result = z.safeEncode(eventSchema(type) as z.ZodType, candidate);
  if (!result.success) throw new EventValidationError(type, result.error.issues);
  return result.data as EventJson<T>;
}
