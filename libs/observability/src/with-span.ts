import { SpanStatusCode, trace, type Attributes, type Span, type SpanKind } from "@opentelemetry/api";

const TRACER_NAME = "@voltstack/observability";

export interface SpanOptions {
  kind?: SpanKind;
}

/**
 * Runs `fn` inside a new active span that is a child of the current one, and
 * ends it when `fn` settles. A thrown error is recorded on the span, which is
 * marked as failed, and rethrown.
 */
export async function withSpan<T>(
  name: string,
  attributes: Attributes,
  fn: (span: Span) => Promise<T> | T,
  options: SpanOptions = {},
): Promise<T> {
  return trace.getTracer(TRACER_NAME).startActiveSpan(name, { attributes, kind: options.kind }, async (span) => {
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
