import { trace } from "@opentelemetry/api";
import { pino, stdTimeFunctions, type DestinationStream, type Logger, type LoggerOptions } from "pino";

export interface CreateLoggerOptions {
  /** Defaults to LOG_LEVEL, then info. */
  level?: string;
  /** Defaults to stdout. */
  destination?: DestinationStream;
  /** Fields on every line, e.g. { service: "grid" }. */
  base?: Record<string, unknown>;
}

// The field names of OpenTelemetry's log correlation, which log back ends join on.
function activeSpanIds(): Record<string, string> {
  const spanContext = trace.getActiveSpan()?.spanContext();
  if (!spanContext || !trace.isSpanContextValid(spanContext)) return {};
  return {
    trace_id: spanContext.traceId,
    span_id: spanContext.spanId,
    trace_flags: `0${spanContext.traceFlags.toString(16)}`.slice(-2),
  };
}

/** Structured JSON logs; each line carries trace_id and span_id of the active span, when there is one. */
export function createLogger(name: string, options: CreateLoggerOptions = {}): Logger {
  const config: LoggerOptions = {
    name,
    level: options.level ?? process.env.LOG_LEVEL ?? "info",
    base: { pid: process.pid, ...options.base },
    timestamp: stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    mixin: activeSpanIds,
  };
  return options.destination ? pino(config, options.destination) : pino(config);
}
