import { randomBytes } from "node:crypto";
import { context, trace, type Context } from "@opentelemetry/api";
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
