import { trace } from "@opentelemetry/api";
import { pino, stdTimeFunctions, type DestinationStream, type Logger, type LoggerOptions } from "pino";
import { currentRequestId } from "./request-context.js";

export interface CreateLoggerOptions {
  /** Defaults to LOG_LEVEL, then info. */
  level?: string;
  /** Defaults to stdout. */
  destination?: DestinationStream;
  /** Fields on every line, e.g. { service: "voltstack-grid" }. */
  base?: Record<string, unknown>;
}

// Whatever a line is given, these never reach the output: credentials and keys.
const REDACTED_PATHS = [
  "authorization",
  "*.authorization",
  "headers.authorization",
  "*.headers.authorization",
  "apiKey",
  "*.apiKey",
  "privateKey",
  "*.privateKey",
  "secretKey",
  "*.secretKey",
  "password",
  "*.password",
];

// The field names of OpenTelemetry's log correlation, which log back ends join on, and the
// HTTP request id (the X-Request-Id a caller sent or the service made up).
function correlationIds(): Record<string, string> {
  const ids: Record<string, string> = {};
  const span = trace.getActiveSpan();
  const spanContext = span?.spanContext();
  if (span && spanContext && trace.isSpanContextValid(spanContext)) {
    ids.trace_id = spanContext.traceId;
    // Without an exporter no span is made here: the context is the caller's, whose span id
    // would name someone else's work. The trace id still joins the lines.
    if (span.isRecording()) {
      ids.span_id = spanContext.spanId;
      ids.trace_flags = `0${spanContext.traceFlags.toString(16)}`.slice(-2);
    }
  }
  const requestId = currentRequestId();
  if (requestId) ids.request_id = requestId;
  return ids;
}

/**
 * Structured JSON logs, one line each: time, level, the base fields, trace_id and span_id of
 * the active span and request_id of the HTTP request being handled, when there are, and no
 * credential (see REDACTED_PATHS).
 */
export function createLogger(name: string, options: CreateLoggerOptions = {}): Logger {
  const config: LoggerOptions = {
    name,
    level: options.level ?? process.env.LOG_LEVEL ?? "info",
    base: { pid: process.pid, ...options.base },
    timestamp: stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    mixin: correlationIds,
    redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
  };
  return options.destination ? pino(config, options.destination) : pino(config);
}
