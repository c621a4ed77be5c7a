// Starts the capacity service. Telemetry is registered first and everything else is
// imported afterwards (dynamically), so the http, NestJS and pg modules are loaded
// through OpenTelemetry's hooks and get instrumented.
await import("@voltstack/observability/register");

const { loadConfig, bootstrapService } = await import("@voltstack/service-kit");
const { capacityConfigSchema } = await import("./capacity-config.js");
const { capacityBootstrapOptions } = await import("./capacity-service.js");
const { AppModule } = await import("./app.module.js");

const config = loadConfig(capacityConfigSchema);
await bootstrapService(AppModule, capacityBootstrapOptions(config));
