import { type ExportResult, ExportResultCode, hrTimeToMilliseconds } from "@opentelemetry/core";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace-base";

const STATUS = ["unset", "ok", "error"] as const;
const KIND = ["internal", "server", "client", "producer", "consumer"] as const;

/**
 * Writes each finished span as one JSON line (`"span": name` with trace, span and parent
 * ids, timing, status, attributes and links), for OTEL_TRACES_EXPORTER=console: the SDK's
 * own console exporter prints multi-line object dumps that neither grep nor a log shipper
 * can follow.
 */
export class JsonLineSpanExporter implements SpanExporter {
  constructor(private readonly write: (line: string) => void = (line) => process.stdout.write(line)) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    for (const span of spans) this.write(`${JSON.stringify(spanLine(span))}\n`);
    done({ code: ExportResultCode.SUCCESS });
  }

  async shutdown(): Promise<void> {}

  async forceFlush(): Promise<void> {}
}

function spanLine(span: ReadableSpan): Record<string, unknown> {
  const context = span.spanContext();
  return {
    time: new Date(hrTimeToMilliseconds(span.startTime)).toISOString(),
    service: span.resource.attributes["service.name"],
    span: span.name,
    kind: KIND[span.kind],
    trace_id: context.traceId,
    span_id: context.spanId,
    ...(span.parentSpanContext ? { parent_span_id: span.parentSpanContext.spanId } : {}),
    duration_ms: Math.round(hrTimeToMilliseconds(span.duration) * 1000) / 1000,
    status: STATUS[span.status.code],
    ...(span.status.message ? { status_message: span.status.message } : {}),
    attributes: span.attributes,
    ...(span.links.length > 0
      ? { links: span.links.map((link) => ({ trace_id: link.context.traceId, span_id: link.context.spanId })) }
      : {}),
  };
}
