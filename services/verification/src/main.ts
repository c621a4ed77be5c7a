// Starts the verification service. Telemetry is registered first and everything
// else is imported afterwards (dynamically), so the http, NestJS and pg modules are
// loaded through OpenTelemetry's hooks and get instrumented.
await import("@voltstack/observability/register");

const { loadConfig, bootstrapService } = await import("@voltstack/service-kit");
const { verificationConfigSchema } = await import("./verification-config.js");
const { verificationBootstrapOptions } = await import("./verification-service.js");
const { AppModule } = await import("./app.module.js");

const config = loadConfig(verificationConfigSchema);
await bootstrapService(AppModule, verificationBootstrapOptions(config));
