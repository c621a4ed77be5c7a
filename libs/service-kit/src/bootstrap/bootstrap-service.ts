import {
  type DynamicModule,
  type INestApplication,
  Logger,
  type LoggerService,
  type LogLevel,
  type Type,
} from "@nestjs/common";
import { NestFactory } from "@nestjs/core";
import type { NestExpressApplication } from "@nestjs/platform-express";
import { ApiErrorFilter } from "../errors/api-error-filter.js";
import { httpMetricsMiddleware } from "../metrics/http-metrics.js";
import { buildOpenApiDocument, type OpenApiOptions, serveOpenApi } from "../openapi/openapi.js";
import { serviceRootModule, type ServiceKitModuleOptions } from "./service-kit-module.js";

export interface BootstrapOptions extends ServiceKitModuleOptions {
  /** The service's name, as in logs and the OpenAPI title. */
  name: string;
  openApi?: Partial<OpenApiOptions>;
  logger?: LoggerService | LogLevel[] | false;
  /** Listen here instead of the configured HOST and PORT (tests pass port 0). */
  listen?: { port?: number; host?: string };
  /** Signals that start a graceful shutdown; false leaves signals alone (tests). */
  shutdownSignals?: string[] | false;
}

/**
 * Starts a service: configuration, health, metrics, OpenAPI at /docs, the error shape,
 * authentication and graceful shutdown around `appModule`. Returns the listening app.
 */
export async function bootstrapService(
  appModule: Type | DynamicModule,
  options: BootstrapOptions,
): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(serviceRootModule(appModule, options), {
    logger: options.logger ?? new Logger(options.name),
    // Idle keep-alive sockets would otherwise hold app.close() open.
    forceCloseConnections: true,
  });
  app.disable("x-powered-by");
  // On the HTTP application only: event handlers of a connected transport keep their own error handling.
  app.useGlobalFilters(new ApiErrorFilter());
  app.use(httpMetricsMiddleware());
  serveOpenApi(app, buildOpenApiDocument(app, { title: `${options.name} service`, ...options.openApi }));
  if (options.shutdownSignals !== false) app.enableShutdownHooks(options.shutdownSignals ?? ["SIGTERM", "SIGINT"]);
  const port = options.listen?.port ?? options.config.PORT;
  const host = options.listen?.host ?? options.config.HOST;
  await app.listen(port, host);
  return app;
}
