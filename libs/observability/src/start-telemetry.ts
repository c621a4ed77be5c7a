import { trace } from "@opentelemetry/api";
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from "@opentelemetry/core";
import type { Instrumentation } from "@opentelemetry/instrumentation";
import { NodeSDK } from "@opentelemetry/sdk-node";
import { defaultInstrumentations } from "./default-instrumentations.js";
import { telemetrySettings } from "./telemetry-settings.js";

export interface TelemetryOptions {
  serviceName: string;
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
  const sdk = new NodeSDK({
    serviceName: options.serviceName,
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
