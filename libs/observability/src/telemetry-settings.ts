export interface TelemetrySettings {
  enabled: boolean;
  /** Why, in a sentence an operator can act on. */
  reason: string;
}

function isTrue(value: string | undefined): boolean {
  return value?.trim().toLowerCase() === "true";
}

/**
 * Decides from the standard OTEL_* variables alone whether the SDK starts.
 * Off unless an exporter or an OTLP endpoint is configured, and off under
 * NODE_ENV=test unless OTEL_SDK_DISABLED=false says otherwise: tests use the
 * in-memory exporter instead.
 */
export function telemetrySettings(env: NodeJS.ProcessEnv = process.env): TelemetrySettings {
  if (isTrue(env.OTEL_SDK_DISABLED)) return { enabled: false, reason: "OTEL_SDK_DISABLED is true" };
  const exporters = (env.OTEL_TRACES_EXPORTER ?? "")
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "");
  if (exporters.includes("none")) return { enabled: false, reason: "OTEL_TRACES_EXPORTER is none" };
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (exporters.length === 0 && !endpoint) {
    return { enabled: false, reason: "no OTEL_TRACES_EXPORTER or OTEL_EXPORTER_OTLP_ENDPOINT is set" };
  }
  if (env.NODE_ENV === "test" && env.OTEL_SDK_DISABLED?.trim().toLowerCase() !== "false") {
    return { enabled: false, reason: "NODE_ENV is test; set OTEL_SDK_DISABLED=false to export from tests" };
  }
  const target = exporters.length > 0 ? `exporter ${exporters.join(", ")}` : `OTLP to ${endpoint}`;
  return { enabled: true, reason: `traces go to ${target}` };
}
