// Side-effect entry for `node --import @voltstack/observability/register main.js`:
// runs before the application's module graph is loaded, so both require() and
// import of http, @nestjs/* and pg get instrumented. The service's identity
// (service.name voltstack-<service>, its version and environment) comes from
// serviceIdentity().
import { register } from "node:module";
import { propagateTraceContext } from "./context-propagation.js";
import { serviceIdentity } from "./service-identity.js";
import { startTelemetry } from "./start-telemetry.js";
import { telemetrySettings } from "./telemetry-settings.js";

if (telemetrySettings().enabled) {
  // The ESM loader hook of import-in-the-middle: it wraps imported modules so
  // that instrumentations can patch them. OpenTelemetry's hooks need every
  // module intercepted (they hook internals), so there is no include list.
  register("@opentelemetry/instrumentation/hook.mjs", import.meta.url);
  startTelemetry({ service: serviceIdentity() });
} else {
  propagateTraceContext();
}
