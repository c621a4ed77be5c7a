import {
  type Context,
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  type TextMapSetter,
  trace,
} from "@opentelemetry/api";
import type { MsgHdrs } from "@nats-io/transport-node";

const tracer = () => trace.getTracer("@voltstack/messaging");

/** W3C trace context of the current span, as stored with an outbox row. */
export type StoredTraceContext = { traceparent: string | null; tracestate: string | null };

export function captureTraceContext(active: Context = context.active()): StoredTraceContext {
  const carrier: Record<string, string> = {};
  propagation.inject(active, carrier);
  return { traceparent: carrier.traceparent ?? null, tracestate: carrier.tracestate ?? null };
}

function restoreTraceContext(stored: StoredTraceContext): Context {
  const carrier: Record<string, string> = {};
  if (stored.traceparent) carrier.traceparent = stored.traceparent;
  if (stored.tracestate) carrier.tracestate = stored.tracestate;
  return propagation.extract(ROOT_CONTEXT, carrier);
}

const natsHeaderSetter: TextMapSetter<MsgHdrs> = {
  set(carrier, key, value) {
    carrier.set(key, value);
  },
};

const natsHeaderGetter: TextMapGetter<MsgHdrs | undefined> = {
  keys: (carrier) => carrier?.keys() ?? [],
  get: (carrier, key) => (carrier?.has(key) ? carrier.get(key) : undefined),
};

/**
 * Starts the producer span `send <subject>` as a child of the context stored
 * with the outbox row, and writes its context into the message headers.
 */
export function startSendSpan(subject: string, stored: StoredTraceContext, headers: MsgHdrs, messageId: string): Span {
  const parent = restoreTraceContext(stored);
  const span = tracer().startSpan(
    `send ${subject}`,
    {
      kind: SpanKind.PRODUCER,
      attributes: {
        "messaging.system": "nats",
        "messaging.operation.type": "send",
        "messaging.destination.name": subject,
        "messaging.message.id": messageId,
      },
    },
    parent,
  );
  propagation.inject(trace.setSpan(parent, span), headers, natsHeaderSetter);
  return span;
}

/** Runs a handler inside the consumer span `process <subject>`, a child of the context in the headers. */
export async function withProcessSpan<T>(
  subject: string,
  headers: MsgHdrs | undefined,
  attributes: { messageId: string; consumer: string; deliveryCount: number },
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = propagation.extract(ROOT_CONTEXT, headers, natsHeaderGetter);
  const span = tracer().startSpan(
    `process ${subject}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        "messaging.system": "nats",
        "messaging.operation.type": "process",
        "messaging.destination.name": subject,
        "messaging.message.id": attributes.messageId,
        "messaging.consumer.group.name": attributes.consumer,
        "messaging.message.delivery_count": attributes.deliveryCount,
      },
    },
    parent,
  );
  try {
    return await context.with(trace.setSpan(parent, span), () => work(span));
  } finally {
    span.end();
  }
}

export function recordSpanFailure(span: Span, message: string): void {
  span.setStatus({ code: SpanStatusCode.ERROR, message });
}
