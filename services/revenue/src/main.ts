// Starts the revenue service. Telemetry is registered first and everything
// else is imported afterwards (dynamically), so the http, NestJS and pg modules are
// loaded through OpenTelemetry's hooks and get instrumented.
await import("@voltstack/observability/register");

const { loadConfig, bootstrapService } = await import("@voltstack/service-kit");
const { revenueConfigSchema } = await import("./revenue-config.js");
const { revenueBootstrapOptions } = await import("./revenue-service.js");
const { AppModule } = await import("./app.module.js");

const config = loadConfig(revenueConfigSchema);
await bootstrapService(AppModule, revenueBootstrapOptions(config));
