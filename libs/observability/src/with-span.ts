import {
  context,
  SpanStatusCode,
  trace,
  type Attributes,
  type Link,
  type Span,
  type SpanKind,
} from "@opentelemetry/api";
import { contextOf, currentTraceContext, spanContextOf, type TraceContextCarrier } from "./trace-context.js";

const TRACER_NAME = "@voltstack/observability";

export interface SpanOptions {
  kind?: SpanKind;
  /**
   * Continue this trace instead of the active one: work done later on behalf of an earlier
   * request (a batch paying what an event recorded) stays in that request's trace.
   */
  parent?: TraceContextCarrier;
  /** Other traces this span also serves (the rest of a batch's requests). */
  links?: TraceContextCarrier[];
}

/**
 * Runs `fn` inside a new active span that is a child of the current one (or of
 * `options.parent`), and ends it when `fn` settles. A thrown error is recorded on the span, which is
 * marked as failed, and rethrown.
 */
export async function withSpan<T>(
  name: string,
  attributes: Attributes,
  fn: (span: Span) => Promise<T> | T,
  options: SpanOptions = {},
): Promise<T> {
  const links = (options.links ?? []).flatMap((carrier): Link[] => {
    const linked = spanContextOf(carrier);
    return linked ? [{ context: linked }] : [];
  });
  const parent = options.parent ? contextOf(options.parent) : context.active();
  return trace
    .getTracer(TRACER_NAME)
    .startActiveSpan(name, { attributes, kind: options.kind, links }, parent, async (span) => {
      try {
        return await fn(span);
      } catch (error) {
        const failure = error instanceof Error ? error : new Error(String(error));
        span.recordException(failure);
        span.setStatus({ code: SpanStatusCode.ERROR, message: failure.message });
        throw error;
      } finally {
        span.end();
      }
    });
}

/**
 * Marks, in the trace of `carrier`, a step that other work took on its behalf later (the
 * follower reading the block of a transaction a request sent): a span that is a child of the
 * carrier and links to the active span (the follower's own), also linked from it. Returns the
 * context to hand on (the events derived from that transaction), so the request's trace goes
 * on through them.
 */
export function continueTrace(name: string, carrier: TraceContextCarrier, attributes: Attributes): TraceContextCarrier {
  const active = trace.getActiveSpan();
  const continued = spanContextOf(carrier);
  if (!continued) return carrier;
  const span = trace
    .getTracer(TRACER_NAME)
    .startSpan(name, { attributes, links: active ? [{ context: active.spanContext() }] : [] }, contextOf(carrier));
  span.end();
  active?.addLink({ context: continued });
  // With telemetry off the span records nothing and carries the carrier's own ids.
  return currentTraceContext(trace.setSpan(context.active(), span));
}
