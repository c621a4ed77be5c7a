// Starts the verification service. Telemetry is registered first and everything
// else is imported afterwards (dynamically), so the http, NestJS and pg modules are
// loaded through OpenTelemetry's hooks and get instrumented.
await import("@voltstack/observability/register");

const { loadConfig, bootstrapService } = await import("@voltstack/service-kit");
const { applyDeploymentRecord } = await import("@voltstack/chain-sync");
const { verificationConfigSchema } = await import("./verification-config.js");
const { verificationBootstrapOptions } = await import("./verification-service.js");
const { AppModule } = await import("./app.module.js");

// DEPLOYMENT_RECORD, when set, supplies the deployer and start height and must match the shipped contracts.
const config = loadConfig(verificationConfigSchema, applyDeploymentRecord());
await bootstrapService(AppModule, verificationBootstrapOptions(config));
