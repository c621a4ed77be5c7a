import { context, propagation, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from "@opentelemetry/core";
import type { Instrumentation } from "@opentelemetry/instrumentation";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from "@opentelemetry/sdk-trace-base";

export interface TestTracingOptions {
  /** Enabled against the in-memory provider, e.g. new HttpInstrumentation(). */
  instrumentations?: Instrumentation[];
}

export interface TestTracing {
  exporter: InMemorySpanExporter;
  provider: BasicTracerProvider;
  /** Every finished span, in the order it ended. */
  spans(): ReadableSpan[];
  spansNamed(name: string): ReadableSpan[];
  spansInTrace(traceId: string): ReadableSpan[];
  /** The one finished span called `name`; throws when there is none or several. */
  span(name: string): ReadableSpan;
  /** Waits until a span called `name` has ended (spans of a server end after the response). */
  waitForSpan(name: string | ((span: ReadableSpan) => boolean), timeoutMs?: number): Promise<ReadableSpan>;
  /** The finished span whose span id is this span's parent, if it ended. */
  parentOf(span: ReadableSpan): ReadableSpan | undefined;
  reset(): void;
  /** Disables the instrumentations and unregisters the globals. */
  shutdown(): Promise<void>;
}

/**
 * Global tracing for tests: every span ends up in memory, synchronously.
 * Registers the tracer provider, an AsyncLocalStorage context manager and the
 * W3C propagators globally, as the Node SDK does, replacing whatever was there.
 */
export function createTestTracing(options: TestTracingOptions = {}): TestTracing {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  trace.disable();
  context.disable();
  propagation.disable();
  trace.setGlobalTracerProvider(provider);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(
    new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
  );
  const instrumentations = options.instrumentations ?? [];
  for (const instrumentation of instrumentations) {
    instrumentation.setTracerProvider(provider);
    instrumentation.enable();
  }

  const spans = () => exporter.getFinishedSpans();
  const spansNamed = (name: string) => spans().filter((span) => span.name === name);

  return {
    exporter,
    provider,
    spans,
    spansNamed,
    spansInTrace: (traceId) => spans().filter((span) => span.spanContext().traceId === traceId),
    span(name) {
      const found = spansNamed(name);
      if (found.length !== 1) {
        const names = spans().map((span) => span.name);
        throw new Error(`expected one span "${name}", found ${found.length} among [${names.join(", ")}]`);
      }
      return found[0] as ReadableSpan;
    },
    async waitForSpan(match, timeoutMs = 5_000) {
      const matches = typeof match === "string" ? (span: ReadableSpan) => span.name === match : match;
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = spans().find(matches);
        if (found) return found;
        if (Date.now() > deadline) {
          throw new Error(
            `no matching span within ${timeoutMs} ms among [${spans()
              .map((span) => span.name)
              .join(", ")}]`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    parentOf(span) {
      const parentId = span.parentSpanContext?.spanId;
      return parentId ? spans().find((candidate) => candidate.spanContext().spanId === parentId) : undefined;
    },
    reset: () => exporter.reset(),
    async shutdown() {
      for (const instrumentation of instrumentations) instrumentation.disable();
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}
