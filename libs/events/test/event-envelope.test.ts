import { describe, expect, it } from "vitest";
import {
  createEvent,
  decodeEvent,
  eventCatalog,
  eventTypes,
  EventValidationError,
  parseEvent,
  type EventPayload,
  type EventType,
} from "@voltstack/events";
import type { ZodType } from "zod";

const chain = { txId: `0x${"ab".repeat(32)}`, blockHeight: 1042 };
const traceContext = { traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", tracestate: "vendor=1" };

function payloadOf<T extends EventType>(type: T): EventPayload<T> {
  return (eventCatalog[type].payload as ZodType).parse(eventCatalog[type].example) as EventPayload<T>;
}

function validationError(action: () => unknown): EventValidationError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(EventValidationError);
    return error as EventValidationError;
  }
  throw new Error("expected an EventValidationError");
}

describe("event envelope", () => {
  it.each(eventTypes)("%s survives a JSON round trip with its payload intact", (type) => {
    const payload = payloadOf(type);
    const event = createEvent(type, payload, { chain, traceContext });
    const received = parseEvent(type, JSON.parse(JSON.stringify(event)));
    expect(received.payload).toEqual(payload);
    expect(received).toMatchObject({
      type,
      schemaVersion: eventCatalog[type].version,
      traceContext,
      eventId: event.eventId,
    });
    expect(received.chain).toEqual(chain);
  });

  it("carries micro-STX as decimal strings on the wire and as bigint once parsed", () => {
    const payload = payloadOf("service.fulfilled");
    expect(payload.paymentUstx).toBe(25_000_000n);
    const event = createEvent("service.fulfilled", payload, { chain, traceContext });
    expect(event.payload.paymentUstx).toBe("25000000");
    expect(JSON.parse(JSON.stringify(event)).payload.payoutUstx).toBe("23750000");
    expect(decodeEvent("service.fulfilled", JSON.stringify(event)).payload.refundUstx).toBe(1_250_000n);
  });

  it("fills the facility and request ids from the payload", () => {
    const accepted = createEvent("service.accepted", payloadOf("service.accepted"), { chain, traceContext });
    expect(accepted).toMatchObject({ facilityId: 1, requestId: 4 });
    const demand = createEvent("grid.demand.updated", payloadOf("grid.demand.updated"), { chain, traceContext });
    expect(demand).toMatchObject({ facilityId: null, requestId: null });
  });

  it("uses the given event id and time, or a fresh UUID and now", () => {
    const fixed = createEvent("facility.suspended", payloadOf("facility.suspended"), {
      chain,
      traceContext,
      eventId: "0b0e7f1c-5d4a-4c3b-9a2f-1e0d9c8b7a65",
      occurredAt: new Date("2026-01-02T03:04:05.000Z"),
    });
    expect(fixed).toMatchObject({
      eventId: "0b0e7f1c-5d4a-4c3b-9a2f-1e0d9c8b7a65",
      occurredAt: "2026-01-02T03:04:05.000Z",
    });
    const before = Date.now();
    const fresh = createEvent("facility.suspended", payloadOf("facility.suspended"), { chain, traceContext });
    expect(fresh.eventId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(Date.parse(fresh.occurredAt)).toBeGreaterThanOrEqual(before - 1);
  });

  it("requires the chain reference for events made from print events, and not for a service's own", () => {
    const error = validationError(() =>
      createEvent("facility.registered", payloadOf("facility.registered"), { traceContext }),
    );
    expect(error.code).toBe("EVENT_INVALID");
    expect(error.issues.map((issue) => issue.path.join("."))).toContain("chain");
    const schedule = createEvent("flow.schedule.updated", payloadOf("flow.schedule.updated"), { traceContext });
    expect(schedule.chain).toBeNull();
    expect(parseEvent("flow.schedule.updated", schedule).chain).toBeNull();
  });

  it("refuses a bad transaction id, block height, traceparent or time", () => {
    const payload = payloadOf("facility.approved");
    const cases = [
      { meta: { chain: { ...chain, txId: "ab".repeat(32) }, traceContext }, path: "chain.txId" },
      { meta: { chain: { ...chain, blockHeight: -1 }, traceContext }, path: "chain.blockHeight" },
      { meta: { chain, traceContext: { traceparent: "00-0000-01" } }, path: "traceContext.traceparent" },
      {
        meta: { chain, traceContext: { traceparent: `00-${"0".repeat(32)}-00f067aa0ba902b7-01` } },
        path: "traceContext.traceparent",
      },
      { meta: { chain, traceContext, occurredAt: "yesterday" }, path: "occurredAt" },
      { meta: { chain, traceContext, eventId: "not-a-uuid" }, path: "eventId" },
    ];
    for (const { meta, path } of cases) {
      const error = validationError(() => createEvent("facility.approved", payload, meta));
      expect(error.issues.map((issue) => issue.path.join("."))).toContain(path);
    }
  });

  it("refuses a payload that breaks its schema when creating, with the zod issues and a readable message", () => {
    const payload = { ...payloadOf("service.requested"), paymentUstx: -5n };
    const error = validationError(() => createEvent("service.requested", payload, { chain, traceContext }));
    expect(error.code).toBe("EVENT_INVALID");
    expect(error.eventType).toBe("service.requested");
    expect(error.issues[0]?.path).toEqual(["payload", "paymentUstx"]);
    expect(error.message).toContain("Invalid service.requested event");
    expect(error.message).toContain("payload.paymentUstx");
  });

  it("refuses an incoming event of another type, another schema version, or with mismatched ids", () => {
    const event = createEvent("facility.approved", payloadOf("facility.approved"), { chain, traceContext });
    const paths = (input: unknown, type: EventType = "facility.approved") =>
      validationError(() => parseEvent(type, input)).issues.map((issue) => issue.path.join("."));
    expect(paths(event, "facility.rejected")).toContain("type");
    expect(paths({ ...event, schemaVersion: 2 })).toContain("schemaVersion");
    expect(paths({ ...event, facilityId: 9 })).toContain("facilityId");
    expect(paths({ ...event, requestId: 1 })).toContain("requestId");
    expect(paths({ ...event, traceContext: undefined })).toContain("traceContext");
    expect(paths({ ...event, payload: { ...event.payload, capacityKwh: "2000" } })).toContain("payload.capacityKwh");
  });

  it("refuses unknown types and undecodable data with the same error code", () => {
    expect(validationError(() => parseEvent("facility.exploded" as EventType, {})).code).toBe("EVENT_INVALID");
    const notJson = validationError(() => decodeEvent("facility.approved", new TextEncoder().encode("{not json")));
    expect(notJson.code).toBe("EVENT_INVALID");
    expect(notJson.message).toContain("not JSON");
  });

  it("decodes an event from its UTF-8 bytes", () => {
    const event = createEvent("capacity.updated", payloadOf("capacity.updated"), { chain, traceContext });
    const received = decodeEvent("capacity.updated", new TextEncoder().encode(JSON.stringify(event)));
    expect(received.payload.availableKwh).toBe(800);
  });
});
