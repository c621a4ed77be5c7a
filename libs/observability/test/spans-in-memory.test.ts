import { SpanStatusCode, trace } from "@opentelemetry/api";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createTestTracing,
  currentTraceContext,
  SpanAttributes,
  withSpan,
  type TestTracing,
} from "@voltstack/observability";

describe("in-memory tracing", () => {
  let tracing: TestTracing;
  beforeEach(() => {
    tracing = createTestTracing();
  });
  afterEach(async () => {
    await tracing.shutdown();
  });

  it("records nested withSpan calls as parent and child in one trace", async () => {
    const result = await withSpan("use-case register-facility", { [SpanAttributes.facilityId]: 7 }, async () =>
      withSpan(
        "chain call register-facility",
        {
          [SpanAttributes.chainContract]: "ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM.facility-registry",
          [SpanAttributes.chainFunction]: "register-facility",
        },
        async (span) => {
          await new Promise((resolve) => setImmediate(resolve));
          span.setAttribute(SpanAttributes.chainTxId, "0xabc");
          return 42;
        },
      ),
    );
    expect(result).toBe(42);
    const parent = tracing.span("use-case register-facility");
    const child = tracing.span("chain call register-facility");
    expect(tracing.parentOf(child)).toBe(parent);
    expect(parent.parentSpanContext).toBeUndefined();
    expect(child.spanContext().traceId).toBe(parent.spanContext().traceId);
    expect(tracing.spansInTrace(parent.spanContext().traceId)).toHaveLength(2);
    expect(child.attributes).toMatchObject({ "stacks.function": "register-facility", "stacks.tx_id": "0xabc" });
    expect(parent.attributes[SpanAttributes.facilityId]).toBe(7);
  });

  it("keeps concurrent spans in their own traces", async () => {
    await Promise.all(
      ["a", "b"].map((name) =>
        withSpan(`root ${name}`, {}, () => withSpan(`leaf ${name}`, {}, () => new Promise((r) => setTimeout(r, 5)))),
      ),
    );
    for (const name of ["a", "b"]) {
      expect(tracing.parentOf(tracing.span(`leaf ${name}`))).toBe(tracing.span(`root ${name}`));
    }
    expect(tracing.span("root a").spanContext().traceId).not.toBe(tracing.span("root b").spanContext().traceId);
  });

  it("marks a span failed, records the exception and rethrows", async () => {
    await expect(
      withSpan("chain call fulfil-request", {}, async () => {
        throw new Error("ERR_REQUEST_NOT_ACCEPTED");
      }),
    ).rejects.toThrow("ERR_REQUEST_NOT_ACCEPTED");
    const span = tracing.span("chain call fulfil-request");
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: "ERR_REQUEST_NOT_ACCEPTED" });
    expect(span.events.map((event) => event.name)).toContain("exception");
  });

  it("gives the active span's context as a W3C traceparent, and a fresh one outside any span", async () => {
    const inside = await withSpan("publish", {}, (span) => ({
      carrier: currentTraceContext(),
      ids: span.spanContext(),
    }));
    expect(inside.carrier.traceparent).toBe(`00-${inside.ids.traceId}-${inside.ids.spanId}-01`);
    const outside = currentTraceContext();
    expect(outside.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
    expect(outside.traceparent).not.toContain(inside.ids.traceId);
    expect(trace.getActiveSpan()).toBeUndefined();
  });

  it("finds spans by name and waits for one that ends later", async () => {
    setTimeout(() => trace.getTracer("test").startSpan("late").end(), 20);
    const late = await tracing.waitForSpan("late", 2_000);
    expect(late.name).toBe("late");
    expect(() => tracing.span("missing")).toThrow(/expected one span "missing", found 0/);
    tracing.reset();
    expect(tracing.spans()).toEqual([]);
  });
});
