import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  continueTrace,
  createTestTracing,
  currentTraceContext,
  type TestTracing,
  withSpan,
} from "@voltstack/observability";

describe("a request's trace continued by later work", () => {
  let tracing: TestTracing;
  beforeEach(() => {
    tracing = createTestTracing();
  });
  afterEach(async () => {
    await tracing.shutdown();
  });

  it("puts the follower's step in the request's trace, linked both ways, and hands on its context", async () => {
    const request = await withSpan("POST /service-requests", {}, () => currentTraceContext());
    const handedOn = await withSpan("chain.sync grid-services", {}, () =>
      continueTrace("chain.confirmed grid-services", request, { "stacks.tx_id": "0xab" }),
    );
    const [requestTrace, requestSpan] = request.traceparent.split("-").slice(1, 3);
    const confirmed = tracing.span("chain.confirmed grid-services");
    const follower = tracing.span("chain.sync grid-services");
    expect(confirmed.spanContext().traceId).toBe(requestTrace);
    expect(confirmed.parentSpanContext?.spanId).toBe(requestSpan);
    expect(confirmed.links.map((link) => link.context.spanId)).toEqual([follower.spanContext().spanId]);
    expect(follower.links.map((link) => link.context.traceId)).toEqual([requestTrace]);
    expect(handedOn.traceparent.split("-").slice(1, 3)).toEqual([requestTrace, confirmed.spanContext().spanId]);
  });

  it("runs a batch in the trace of its first request, linked to the others", async () => {
    const first = await withSpan("first request", {}, () => currentTraceContext());
    const second = await withSpan("second request", {}, () => currentTraceContext());
    await withSpan("revenue distribution-batch", {}, () => undefined, { parent: first, links: [second] });
    const batch = tracing.span("revenue distribution-batch");
    expect(batch.spanContext().traceId).toBe(first.traceparent.split("-")[1]);
    expect(batch.links.map((link) => link.context.traceId)).toEqual([second.traceparent.split("-")[1]]);
  });
});
