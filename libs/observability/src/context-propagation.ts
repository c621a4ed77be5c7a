import { context, propagation } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from "@opentelemetry/core";

/**
 * Makes the active trace context follow async work and cross process boundaries (W3C
 * headers on HTTP and NATS, the outbox's stored context) even when no spans are exported;
 * the SDK registers the same when it starts. Without it, a trace id handed in (a request's
 * traceparent, an event's, a batch's first request's) would be lost at the first await or
 * the next hop, and the journal, the events and the log lines would each get a new one.
 * Leaves whatever is already registered (the SDK's, a test's) in place.
 */
export function propagateTraceContext(): void {
  const manager = new AsyncLocalStorageContextManager();
  if (context.setGlobalContextManager(manager)) manager.enable();
  propagation.setGlobalPropagator(
    new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
  );
}
