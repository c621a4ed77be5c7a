import {
  type DynamicModule,
  type ExceptionFilter,
  type INestApplication,
  type LoggerService,
  type LogLevel,
  type Type,
} from "@nestjs/common";
import { NestFactory } from "@nestjs/core";
import { createLogger, PinoNestLogger, propagateTraceContext, serviceIdentity } from "@voltstack/observability";
import type { CustomTransportStrategy, NestMicroservice } from "@nestjs/microservices";
import type { NestExpressApplication } from "@nestjs/platform-express";
import { ApiErrorFilter } from "../errors/api-error-filter.js";
import { ShutdownHooks } from "../lifecycle/shutdown-hooks.js";
import { requestLoggingMiddleware } from "../logging/request-logging.js";
import { httpMetricsMiddleware } from "../metrics/http-metrics.js";
import { buildOpenApiDocument, type OpenApiOptions, serveOpenApi } from "../openapi/openapi.js";
import { verifyJsonBody } from "../validation/json-body.js";
import { serviceRootModule, type ServiceKitModuleOptions } from "./service-kit-module.js";

export interface BootstrapOptions extends ServiceKitModuleOptions {
  /** The service's name, as in the OpenAPI title ("grid"); logs and spans say `voltstack-<name>`. */
  name: string;
  openApi?: Partial<OpenApiOptions>;
  /**
   * Nest's own logger; by default JSON lines through pino (`createLogger`). False silences
   * every line, the access lines too (tests).
   */
  logger?: LoggerService | LogLevel[] | false;
  /** Where the JSON lines go instead of stdout (tests read them). */
  logDestination?: { write(line: string): void };
  /** Listen here instead of the configured HOST and PORT (tests pass port 0). */
  listen?: { port?: number; host?: string };
  /** Signals that start a graceful shutdown; false leaves signals alone (tests). */
  shutdownSignals?: string[] | false;
  /**
   * The transport the service's @EventPattern handlers consume through, built from the
   * started application's providers (`jetStreamConsumers(...)` of @voltstack/messaging).
   * It starts once HTTP listens and stops first on shutdown, in the "intake" phase, so no
   * handler takes new work while the connections it needs are being closed.
   */
  eventConsumers?: (app: INestApplication) => EventConsumers | Promise<EventConsumers>;
}

/** A transport for event handlers, with the exception filters its handlers need. */
export interface EventConsumers {
  transport: CustomTransportStrategy;
  /** The handlers' own: the HTTP application's filters are not inherited. */
  filters?: ExceptionFilter[];
}

/**
 * Starts a service: configuration, health, metrics, OpenAPI at /docs, the error shape,
 * authentication, its event consumers and graceful shutdown around `appModule`.
 * Returns the listening app.
 */
export async function bootstrapService(
  appModule: Type | DynamicModule,
  options: BootstrapOptions,
): Promise<INestApplication> {
  propagateTraceContext();
  const identity = { ...serviceIdentity(), name: process.env.OTEL_SERVICE_NAME?.trim() || `voltstack-${options.name}` };
  const logger = createLogger(identity.name, {
    base: { service: identity.name, version: identity.version, environment: identity.environment },
    ...(options.logDestination ? { destination: options.logDestination } : {}),
    ...(options.logger === false ? { level: "silent" } : {}),
  });
  const app = await NestFactory.create<NestExpressApplication>(serviceRootModule(appModule, options), {
    logger: options.logger ?? new PinoNestLogger(logger),
    // Idle keep-alive sockets would otherwise hold app.close() open.
    forceCloseConnections: true,
  });
  app.disable("x-powered-by");
  // Before Nest registers its default JSON parser, which then leaves this one in place.
  app.useBodyParser("json", { verify: verifyJsonBody });
  // On the HTTP application only: event handlers of a connected transport keep their own error handling.
  app.useGlobalFilters(new ApiErrorFilter());
  app.use(requestLoggingMiddleware(logger));
  app.use(httpMetricsMiddleware());
  serveOpenApi(app, buildOpenApiDocument(app, { title: `${options.name} service`, ...options.openApi }));
  if (options.shutdownSignals !== false) app.enableShutdownHooks(options.shutdownSignals ?? ["SIGTERM", "SIGINT"]);
  const port = options.listen?.port ?? options.config.PORT;
  const host = options.listen?.host ?? options.config.HOST;
  await app.listen(port, host);
  if (options.eventConsumers) {
    try {
      await startEventConsumers(app, await options.eventConsumers(app));
    } catch (error) {
      await app.close();
      throw error;
    }
  }
  return app;
}

async function startEventConsumers(app: INestApplication, { transport, filters = [] }: EventConsumers): Promise<void> {
  app.get(ShutdownHooks).register(
    "event consumers",
    async () => {
      await transport.close();
    },
    "intake",
  );
  // Not deferred, Nest binds the handlers inside connectMicroservice, before the filters
  // below exist; deferred, it would run the app's init hooks again, which already ran at listen.
  const consumers = app.connectMicroservice(
    { strategy: transport },
    { inheritAppConfig: false, deferInitialization: true },
  ) as NestMicroservice;
  consumers.useGlobalFilters(...filters);
  consumers.setIsInitHookCalled(true);
  await app.startAllMicroservices();
}
