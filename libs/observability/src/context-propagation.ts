import { context } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";

/**
 * Makes the active trace context follow async work even when no spans are exported (the
 * SDK registers this itself when it starts). Without it, a trace id handed in (an event's
 * traceparent, a batch's first request) would be lost at the first await, and the journal,
 * the events a transaction causes and the log lines would each get a new one. Leaves a
 * context manager already registered (the SDK's, a test's) in place.
 */
export function propagateTraceContext(): void {
  const manager = new AsyncLocalStorageContextManager();
  if (context.setGlobalContextManager(manager)) manager.enable();
}
