// Side-effect entry for `node --import @voltstack/observability/register main.js`:
// runs before the application's module graph is loaded, so both require() and
// import of http, @nestjs/* and pg get instrumented. The service name comes
// from OTEL_SERVICE_NAME, then npm_package_name.
import { register } from "node:module";
import { startTelemetry } from "./start-telemetry.js";
import { telemetrySettings } from "./telemetry-settings.js";

if (telemetrySettings().enabled) {
  // The ESM loader hook of import-in-the-middle: it wraps imported modules so
  // that instrumentations can patch them. OpenTelemetry's hooks need every
  // module intercepted (they hook internals), so there is no include list.
  register("@opentelemetry/instrumentation/hook.mjs", import.meta.url);
  startTelemetry({ serviceName: process.env.OTEL_SERVICE_NAME ?? process.env.npm_package_name ?? "voltstack-service" });
}
