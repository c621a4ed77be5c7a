import { stringify } from "yaml";
import type { ZodType } from "zod";
import { eventCatalog, eventTypes, type EventPayload, type EventType } from "./catalog.js";
import { createEvent } from "./create-event.js";
import type { EventOrigin } from "./event-definition.js";
import { deadLetterSubject } from "./dead-letter.js";
import { deadLetterJsonSchema, envelopeJsonSchema, payloadJsonSchema, type JsonSchema } from "./json-schemas.js";

/** Bump with any change to the catalog that a subscriber could notice. */
export const CATALOG_VERSION = "1.0.0";

const DESCRIPTION = `Domain events of voltstack, published on NATS JetStream. Battery-storage facilities,
their capacity, charge and discharge, paid grid services and revenue sharing are recorded on
Stacks; each event here says that a confirmed transaction changed something, or (for
flow.schedule.updated) that a service decided something.

This document is written from a subscriber's point of view: every operation is a message
your application receives.

**Envelope.** Every message body is a JSON event envelope: eventId (UUID, de-duplicate on it:
delivery is at least once), type (the subject), schemaVersion, occurredAt, chain (the Stacks
transaction id and block height that made the event true), deployment (the Stacks network and the
contracts' deployer: on a shared NATS server, ignore events of a deployment that is not yours),
facilityId / requestId (what the event is about, or null), traceContext (W3C traceparent /
tracestate), and the payload.

**Numbers.** Energy, power, prices per kWh, basis points, percentages, block heights and ids are
JSON integers (safe integers). Micro-STX amounts (fields ending in Ustx or MicroStx) are decimal
strings, because they can exceed 2^53: parse them as big integers. The services' HTTP APIs follow
the same rule. Principals are Stacks addresses (SP..., ST...), optionally followed by .contract-name.

**Versions.** schemaVersion is bumped for any change a consumer could trip over; new optional
fields may appear without a bump, so ignore fields you do not know.

**Dead letters.** A message a consumer gives up on, after its retries, is published on
dlq.<subject> together with the error and the number of deliveries.

**Headers.** traceparent and tracestate carry the W3C trace context of the publish, so a trace
continues into your consumer.`;

const EXAMPLE_META = {
  eventId: "5f0c6f2e-8a51-4c1e-9d0b-7c2f3e4a5b61",
  occurredAt: "2026-11-24T06:00:00.000Z",
  chain: { txId: `0x${"5b4e9f4a3c1d2e6f708192a3b4c5d6e7".repeat(2)}`, blockHeight: 1042 },
  deployment: { network: "testnet" as const, deployer: "ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM" },
  traceContext: { traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" },
};

function camelCase(subject: string): string {
  return subject.replace(/[.-](\w)/g, (_match, letter: string) => letter.toUpperCase());
}

function pascalCase(subject: string): string {
  const camel = camelCase(subject);
  return camel.charAt(0).toUpperCase() + camel.slice(1);
}

function exampleEvent(type: EventType) {
  const payload: unknown = (eventCatalog[type].payload as ZodType).parse(eventCatalog[type].example);
  return createEvent(type, payload as EventPayload<typeof type>, EXAMPLE_META);
}

function originText(type: EventType): string {
  const origin = eventCatalog[type].origin;
  if (origin.kind === "service") return `Published by the ${origin.service} service (off-chain).`;
  if (origin.kind === "external") return `Published by ${origin.publisher}, outside voltstack; voltstack consumes it.`;
  const folds = origin.folds?.length ? ` and its ${origin.folds.join(", ")} prints in the same transaction` : "";
  return `Made from the \`${origin.topic}\` print event of the ${origin.contract} contract${folds}, once the transaction is confirmed.`;
}

function tagOf(origin: EventOrigin): string {
  if (origin.kind === "chain") return origin.contract;
  if (origin.kind === "service") return `${origin.service}-service`;
  return "external-inputs";
}

function messageFor(type: EventType) {
  const definition = eventCatalog[type];
  return {
    name: type,
    title: type,
    summary: definition.summary,
    description: `${definition.description}\n\n${originText(type)}`,
    contentType: "application/json",
    headers: { $ref: "#/components/schemas/MessageHeaders" },
    payload: {
      allOf: [
        { $ref: "#/components/schemas/EventEnvelope" },
        {
          type: "object",
          properties: {
            type: { const: type },
            schemaVersion: { const: definition.version },
            ...(definition.origin.kind === "chain"
              ? { chain: { type: "object", description: "Never null: the event comes from a confirmed transaction" } }
              : {}),
            payload: { $ref: `#/components/schemas/${pascalCase(type)}Payload` },
          },
        },
      ],
    },
    examples: [{ name: `${camelCase(type)}Example`, payload: exampleEvent(type) }],
    tags: [
      {
        name: tagOf(definition.origin),
      },
    ],
  };
}

const messageHeaders: JsonSchema = {
  type: "object",
  properties: {
    traceparent: { type: "string", description: "W3C Trace Context of the publish" },
    tracestate: { type: "string", description: "W3C Trace Context vendor entries" },
    "Nats-Msg-Id": {
      type: "string",
      description: "De-duplication id of the publish (JetStream drops a repeat within the stream's duplicate window)",
    },
  },
};

/** The AsyncAPI 3.0 document of the catalog, as a plain object. */
export function buildAsyncApiDocument(): Record<string, unknown> {
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {
    EventEnvelope: envelopeJsonSchema(),
    MessageHeaders: messageHeaders,
    DeadLetter: deadLetterJsonSchema(),
  };

  for (const type of eventTypes) {
    const id = camelCase(type);
    schemas[`${pascalCase(type)}Payload`] = payloadJsonSchema(type);
    messages[id] = messageFor(type);
    channels[id] = {
      address: type,
      title: type,
      summary: eventCatalog[type].summary,
      messages: { [id]: { $ref: `#/components/messages/${id}` } },
    };
    operations[`receive${pascalCase(type)}`] = {
      action: "receive",
      channel: { $ref: `#/channels/${id}` },
      summary: `Receive ${type}`,
      messages: [{ $ref: `#/channels/${id}/messages/${id}` }],
    };
  }

  channels.deadLetters = {
    address: deadLetterSubject("{subject}"),
    title: "dead letters",
    summary: "Messages a consumer gave up on, one subject per original subject.",
    parameters: { subject: { enum: [...eventTypes], description: "The original subject" } },
    messages: { deadLetter: { $ref: "#/components/messages/deadLetter" } },
  };
  operations.receiveDeadLetter = {
    action: "receive",
    channel: { $ref: "#/channels/deadLetters" },
    summary: "Receive dead letters",
    messages: [{ $ref: "#/channels/deadLetters/messages/deadLetter" }],
  };
  messages.deadLetter = {
    name: "dead-letter",
    title: "dead letter",
    summary: "A message its consumer gave up on after its retries, with the error.",
    contentType: "application/json",
    payload: { $ref: "#/components/schemas/DeadLetter" },
  };

  return {
    asyncapi: "3.0.0",
    info: { title: "voltstack events", version: CATALOG_VERSION, description: DESCRIPTION, license: { name: "MIT" } },
    defaultContentType: "application/json",
    servers: {
      local: {
        host: "127.0.0.1:4222",
        protocol: "nats",
        description: "NATS with JetStream as the local system runs it; your operator gives you the production address.",
      },
    },
    channels,
    operations,
    components: { schemas, messages },
  };
}

/** The AsyncAPI document as YAML, exactly as docs/asyncapi.yaml holds it. */
export function renderAsyncApiYaml(): string {
  const header =
    "# Generated from libs/events by `npm run asyncapi`. Do not edit: change the catalog and regenerate.\n";
  // YAML 1.1 rules quote strings such as timestamps and "yes", which 1.1 readers
  // (js-yaml among them) would otherwise turn into dates and booleans.
  return header + stringify(buildAsyncApiDocument(), { version: "1.1", lineWidth: 0, aliasDuplicateObjects: false });
}
