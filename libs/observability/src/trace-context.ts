import { randomBytes } from "node:crypto";
import { context, ROOT_CONTEXT, trace, type Context, type SpanContext } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";

export interface TraceContextCarrier {
  traceparent: string;
  tracestate?: string;
}

const propagator = new W3CTraceContextPropagator();

/**
 * The W3C trace context of the active span, for an event envelope or a
 * message header. Without an active span (telemetry off, or work started
 * outside any request) it is a fresh, unsampled trace id, so an event can
 * still be followed by id through logs and services.
 */
export function currentTraceContext(active: Context = context.active()): TraceContextCarrier {
  if (trace.getSpanContext(active)) {
    const carrier: Record<string, string> = {};
    propagator.inject(active, carrier, {
      set: (target, key, value) => {
        target[key] = value;
      },
    });
    if (carrier.traceparent) {
      return carrier.tracestate
        ? { traceparent: carrier.traceparent, tracestate: carrier.tracestate }
        : { traceparent: carrier.traceparent };
    }
  }
  return { traceparent: `00-${randomBytes(16).toString("hex")}-${randomBytes(8).toString("hex")}-00` };
}

/** The context a carrier (an event's, a journal row's) continues, for a span's parent or link. */
export function contextOf(carrier: TraceContextCarrier): Context {
  return propagator.extract(ROOT_CONTEXT, carrier, {
    get: (target, key) => target[key as keyof TraceContextCarrier],
    keys: (target) => Object.keys(target),
  });
}

/** The span context a carrier names, when it is a valid one. */
export function spanContextOf(carrier: TraceContextCarrier): SpanContext | undefined {
  const spanContext = trace.getSpanContext(contextOf(carrier));
  return spanContext && trace.isSpanContextValid(spanContext) ? spanContext : undefined;
}
