import { Ajv } from "ajv";
import addFormatsPlugin from "ajv-formats";
import { describe, expect, it } from "vitest";
import {
  deadLetterJsonSchema,
  envelopeJsonSchema,
  eventCatalog,
  eventTypes,
  payloadJsonSchema,
} from "@voltstack/events";

// ajv-formats is CommonJS whose default export arrives wrapped under ESM.
type FormatsPlugin = (ajv: Ajv) => Ajv;
const formatsModule = addFormatsPlugin as unknown as FormatsPlugin & { default?: FormatsPlugin };
const addFormats: FormatsPlugin = formatsModule.default ?? formatsModule;

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);

// What outside teams get: the JSON Schemas must agree with the zod schemas on
// the examples, and refuse the mistakes a non-TypeScript producer would make.
describe("generated JSON Schemas", () => {
  it.each(eventTypes)("%s: the schema accepts the example and refuses wrong types", (type) => {
    const validate = ajv.compile(payloadJsonSchema(type));
    const example = eventCatalog[type].example as Record<string, unknown>;
    expect(validate(example), ajv.errorsText(validate.errors)).toBe(true);
    for (const [field, value] of Object.entries(example)) {
      const wrong =
        typeof value === "number"
          ? -1
          : typeof value === "string"
            ? 12
            : typeof value === "boolean"
              ? "yes"
              : value === null
                ? {}
                : null;
      expect(validate({ ...example, [field]: wrong }), `${type}.${field} = ${JSON.stringify(wrong)}`).toBe(false);
      const without = { ...example };
      delete without[field];
      // An input's optional fields (a price curve's source) may be left out.
      const optional = type === "grid.prices.updated" && field === "source";
      expect(validate(without), `${type} without ${field}`).toBe(optional);
    }
  });

  it("describes micro-STX as digit strings and principals with their pattern", () => {
    const validate = ajv.compile(payloadJsonSchema("service.fulfilled"));
    const example = eventCatalog["service.fulfilled"].example;
    expect(validate({ ...example, paymentUstx: 25_000_000 })).toBe(false);
    expect(validate({ ...example, paymentUstx: "-1" })).toBe(false);
    expect(validate({ ...example, requester: "0x1234" })).toBe(false);
  });

  it("validates a whole envelope and a dead letter", () => {
    const envelope = ajv.compile(envelopeJsonSchema());
    const event = {
      eventId: "5f0c6f2e-8a51-4c1e-9d0b-7c2f3e4a5b61",
      type: "facility.suspended",
      schemaVersion: 1,
      occurredAt: "2026-11-24T06:00:00.000Z",
      chain: { txId: `0x${"ab".repeat(32)}`, blockHeight: 7 },
      facilityId: 1,
      requestId: null,
      traceContext: { traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" },
      payload: eventCatalog["facility.suspended"].example,
    };
    expect(envelope(event), ajv.errorsText(envelope.errors)).toBe(true);
    expect(envelope({ ...event, chain: { txId: "abc", blockHeight: 7 } })).toBe(false);
    const deadLetter = ajv.compile(deadLetterJsonSchema());
    const letter = {
      deadLetterId: "0b0e7f1c-5d4a-4c3b-9a2f-1e0d9c8b7a65",
      subject: "facility.suspended",
      eventId: null,
      consumer: "capacity-facility-suspended",
      deliveries: 5,
      error: { code: "EVENT_INVALID", message: "Invalid facility.suspended event" },
      deadLetteredAt: "2026-11-24T06:00:00.000Z",
      data: "{}",
      dataBytes: 2,
      dataTruncated: false,
      traceContext: null,
    };
    expect(deadLetter(letter), ajv.errorsText(deadLetter.errors)).toBe(true);
    expect(deadLetter({ ...letter, deliveries: 0 })).toBe(false);
  });
});
