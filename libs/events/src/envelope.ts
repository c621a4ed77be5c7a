import { z } from "zod";
import { eventCatalog, type EventPayload, type EventPayloadJson, type EventType } from "./catalog.js";
import { whenFieldsValid } from "./when-fields-valid.js";
import { blockHeightSchema, entityIdSchema, traceparentSchema, tracestateSchema, txIdSchema } from "./field-schemas.js";
import { stacksPrincipalSchema } from "./stacks-principal.js";

export const chainRefSchema = z
  .object({
    txId: txIdSchema,
    blockHeight: blockHeightSchema.meta({ description: "Height of the block that confirmed the transaction" }),
  })
  .meta({ description: "The confirmed Stacks transaction that made the event true" });

export const traceContextSchema = z
  .object({ traceparent: traceparentSchema, tracestate: tracestateSchema.optional() })
  .meta({ description: "W3C Trace Context of the operation that caused the event" });

export const deploymentRefSchema = z
  .object({
    network: z.enum(["devnet", "testnet", "mainnet"]).meta({ description: "The Stacks network" }),
    deployer: stacksPrincipalSchema.meta({ description: "The principal that deployed the five contracts" }),
  })
  .meta({
    description:
      "The deployment the event belongs to: one network and one set of contracts. Subscribers of a shared " +
      "NATS server ignore events of another deployment. Absent only on external inputs and on events " +
      "published before it was added.",
  });

export type ChainRef = z.infer<typeof chainRefSchema>;
export type DeploymentRef = z.infer<typeof deploymentRefSchema>;
export type TraceContext = z.infer<typeof traceContextSchema>;

const envelopeFields = {
  eventId: z.uuid().meta({ description: "Unique id of this event; consumers de-duplicate on it" }),
  type: z.string().meta({ description: "The subject the event is published on" }),
  schemaVersion: z.int().positive().meta({ description: "Version of the payload schema for this type" }),
  occurredAt: z.iso.datetime().meta({ description: "When the change happened (UTC, ISO 8601)" }),
  chain: chainRefSchema.nullable(),
  deployment: deploymentRefSchema.optional(),
  facilityId: entityIdSchema.nullable().meta({ description: "The facility the event is about, when there is one" }),
  requestId: entityIdSchema
    .nullable()
    .meta({ description: "The grid-service request the event is about, when there is one" }),
  traceContext: traceContextSchema,
};

/** Any event's envelope, payload unchecked: for code that handles events of every type. */
export const eventEnvelopeSchema = z.object({ ...envelopeFields, payload: z.unknown() });
export type EventEnvelope = z.infer<typeof eventEnvelopeSchema>;

interface EnvelopeOf<T extends EventType, Payload> {
  eventId: string;
  type: T;
  schemaVersion: number;
  occurredAt: string;
  chain: ChainRef | null;
  deployment?: DeploymentRef;
  facilityId: number | null;
  requestId: number | null;
  traceContext: TraceContext;
  payload: Payload;
}

/** A validated event as TypeScript sees it (micro-STX as bigint). */
export type DomainEvent<T extends EventType = EventType> = { [K in T]: EnvelopeOf<K, EventPayload<K>> }[T];
/** An event as it travels: JSON-safe, micro-STX as decimal strings. */
export type EventJson<T extends EventType = EventType> = { [K in T]: EnvelopeOf<K, EventPayloadJson<K>> }[T];

/** The payload's facilityId or requestId, null when it has none: the envelope repeats it. */
export function payloadId(payload: unknown, key: "facilityId" | "requestId"): unknown {
  return typeof payload === "object" && payload !== null && key in payload
    ? (payload as Record<string, unknown>)[key]
    : null;
}

function buildEventSchema(type: EventType) {
  const definition = eventCatalog[type];
  return z
    .object({
      ...envelopeFields,
      type: z.literal(type),
      schemaVersion: z.literal(definition.version),
      chain: definition.origin.kind === "chain" ? chainRefSchema : chainRefSchema.nullable(),
      payload: definition.payload as z.ZodType,
    })
    .superRefine(
      (event, ctx) => {
        for (const key of ["facilityId", "requestId"] as const) {
          const expected = payloadId(event.payload, key) ?? null;
          if (event[key] !== expected) {
            ctx.addIssue({
              code: "custom",
              path: [key],
              message: `${key} must be ${String(expected)}, the payload's ${key}`,
            });
          }
        }
      },
      { when: whenFieldsValid },
    );
}

const eventSchemas = new Map<EventType, ReturnType<typeof buildEventSchema>>();

/** The full schema (envelope and payload) of one event type, built once. */
export function eventSchema(type: EventType): ReturnType<typeof buildEventSchema> {
  let schema = eventSchemas.get(type);
  if (!schema) {
    schema = buildEventSchema(type);
    eventSchemas.set(type, schema);
  }
  return schema;
}
