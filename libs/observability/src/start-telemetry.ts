import { trace } from "@opentelemetry/api";
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from "@opentelemetry/core";
import type { Instrumentation } from "@opentelemetry/instrumentation";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { NodeSDK } from "@opentelemetry/sdk-node";
import { BatchSpanProcessor, type SpanProcessor } from "@opentelemetry/sdk-trace-base";
import { defaultInstrumentations } from "./default-instrumentations.js";
import { JsonLineSpanExporter } from "./json-line-span-exporter.js";
import type { ServiceIdentity } from "./service-identity.js";
import { telemetrySettings } from "./telemetry-settings.js";

export interface TelemetryOptions {
  service: ServiceIdentity;
  /** Read to decide whether to start; the SDK itself reads process.env. */
  env?: NodeJS.ProcessEnv;
  instrumentations?: Instrumentation[];
}

export interface Telemetry {
  enabled: boolean;
  reason: string;
  /** Flushes and stops export; call on graceful shutdown. */
  shutdown(): Promise<void>;
}

let started: Telemetry | undefined;

/**
 * Starts the OpenTelemetry Node SDK when the OTEL_* variables ask for it: HTTP,
 * NestJS and pg instrumentation, W3C trace context and baggage propagation,
 * the exporter chosen by OTEL_TRACES_EXPORTER / OTEL_EXPORTER_OTLP_*.
 * Idempotent: a second call returns the first result.
 *
 * Instrumentation only patches modules loaded after this runs. Under ESM,
 * static imports are evaluated before a module's body, so start it with
 * `node --import @voltstack/observability/register` (see register.ts) or call
 * this from an entry point that loads the application with `await import()`.
 */
export function startTelemetry(options: TelemetryOptions): Telemetry {
  if (started) return started;
  const env = options.env ?? process.env;
  const settings = telemetrySettings(env);
  if (!settings.enabled) {
    started = { ...settings, shutdown: async () => {} };
    return started;
  }
  const instrumentations = options.instrumentations ?? defaultInstrumentations();
  const { service } = options;
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({
      "service.name": service.name,
      "service.namespace": "voltstack",
      "service.version": service.version,
      "deployment.environment": service.environment,
      "deployment.environment.name": service.environment,
    }),
    spanProcessors: spanProcessors(env),
    instrumentations,
    textMapPropagator: new CompositePropagator({
      propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
    }),
    // Metrics are Prometheus (prom-client, /metrics) and logs go to stdout:
    // OTLP for either only when its own variable asks for it.
    ...(env.OTEL_METRICS_EXPORTER ? {} : { metricReaders: [] }),
    ...(env.OTEL_LOGS_EXPORTER ? {} : { logRecordProcessors: [] }),
  });
  sdk.start();
  // The SDK leaves instrumentations to find the tracer provider through the
  // global API of their own @opentelemetry/api copy; a copy of another minor
  // version refuses that global and traces nothing, so hand it over directly.
  for (const instrumentation of instrumentations) instrumentation.setTracerProvider(trace.getTracerProvider());
  started = { ...settings, shutdown: () => sdk.shutdown() };
  return started;
}

/**
 * OTEL_TRACES_EXPORTER's exporters (otlp by default when only an endpoint is set): OTLP over
 * HTTP as the SDK would, and `console` as one JSON line per span instead of the SDK's dump.
 */
function spanProcessors(env: NodeJS.ProcessEnv): SpanProcessor[] {
  const named = (env.OTEL_TRACES_EXPORTER ?? "")
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "" && name !== "none");
  const exporters = named.length > 0 ? named : ["otlp"];
  return exporters.map((name) => {
    if (name === "console") return new BatchSpanProcessor(new JsonLineSpanExporter());
    if (name === "otlp") return new BatchSpanProcessor(new OTLPTraceExporter());
    throw new Error(`OTEL_TRACES_EXPORTER names ${name}; this service exports to otlp or console.`);
  });
}
