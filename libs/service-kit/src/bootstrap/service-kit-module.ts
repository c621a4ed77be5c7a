import {
  type DynamicModule,
  Global,
  type InjectionToken,
  Module,
  type ModuleMetadata,
  type Provider,
  type Type,
} from "@nestjs/common";
import { APP_GUARD, APP_INTERCEPTOR } from "@nestjs/core";
import { TerminusModule } from "@nestjs/terminus";
import { AUTH_OPTIONS, AuthGuard } from "../auth/auth-guard.js";
import type { AuthOptions } from "../auth/auth-options.js";
import type { BaseServiceConfig } from "../config/service-config.js";
import { HealthController, READINESS_TIMEOUT_MS } from "../health/health.controller.js";
import { READINESS_CHECKS, type ReadinessChecks } from "../health/readiness-checks.js";
import { SHUTDOWN_TIMEOUT_MS, ShutdownHooks } from "../lifecycle/shutdown-hooks.js";
import { IdempotencyInterceptor } from "../idempotency/idempotency.interceptor.js";
import { MetricsController } from "../metrics/metrics.controller.js";

/** The validated configuration, injectable anywhere in the service. */
export const SERVICE_CONFIG = Symbol("SERVICE_CONFIG");

/** Readiness checks built from the service's own providers (which its module must export). */
export interface ReadinessFactory {
  inject?: InjectionToken[];
  useFactory: (...dependencies: never[]) => ReadinessChecks | Promise<ReadinessChecks>;
}

export interface ServiceKitModuleOptions {
  config: BaseServiceConfig;
  readiness?: ReadinessChecks | ReadinessFactory;
  /** Extra modules the readiness factory's dependencies come from. */
  imports?: ModuleMetadata["imports"];
}

export function authOptionsFromConfig(config: BaseServiceConfig): AuthOptions {
  const jwtConfigured = config.AUTH_JWT_ISSUER !== undefined && config.AUTH_JWT_AUDIENCE !== undefined;
  return {
    apiKeys: config.AUTH_API_KEYS ?? [],
    ...(jwtConfigured
      ? {
          jwt: {
            issuer: config.AUTH_JWT_ISSUER!,
            audience: config.AUTH_JWT_AUDIENCE!,
            ...(config.AUTH_JWKS_URL ? { jwksUrl: config.AUTH_JWKS_URL } : {}),
            ...(config.AUTH_JWT_PUBLIC_KEY ? { publicKeyPem: config.AUTH_JWT_PUBLIC_KEY } : {}),
            algorithms: config.AUTH_JWT_ALGORITHMS,
            rolesClaim: config.AUTH_JWT_ROLES_CLAIM,
            principalsClaim: config.AUTH_JWT_PRINCIPALS_CLAIM,
            ...(config.AUTH_JWT_ROLE_MAP ? { roleMap: config.AUTH_JWT_ROLE_MAP } : {}),
            clockToleranceSeconds: config.AUTH_JWT_CLOCK_TOLERANCE_S,
          },
        }
      : {}),
  };
}

@Global()
@Module({})
class ServiceKitCoreModule {
  static forRoot(config: BaseServiceConfig): DynamicModule {
    const providers: Provider[] = [
      { provide: SERVICE_CONFIG, useValue: config },
      { provide: AUTH_OPTIONS, useValue: authOptionsFromConfig(config) },
      { provide: SHUTDOWN_TIMEOUT_MS, useValue: config.SHUTDOWN_TIMEOUT_MS },
      ShutdownHooks,
    ];
    return { module: ServiceKitCoreModule, providers, exports: [SERVICE_CONFIG, AUTH_OPTIONS, ShutdownHooks] };
  }
}

/**
 * The root module of a service: its AppModule plus configuration, health, metrics,
 * the error shape and authentication. bootstrapService builds it.
 */
export function serviceRootModule(appModule: Type | DynamicModule, options: ServiceKitModuleOptions): DynamicModule {
  @Module({})
  class ServiceRootModule {}

  const readiness = options.readiness ?? {};
  const readinessProvider: Provider =
    typeof readiness.useFactory === "function"
      ? {
          provide: READINESS_CHECKS,
          useFactory: readiness.useFactory as ReadinessFactory["useFactory"],
          inject: (readiness as ReadinessFactory).inject ?? [],
        }
      : { provide: READINESS_CHECKS, useValue: readiness };

  return {
    module: ServiceRootModule,
    imports: [
      TerminusModule.forRoot({ logger: false }),
      ServiceKitCoreModule.forRoot(options.config),
      appModule,
      ...(options.imports ?? []),
    ],
    controllers: [HealthController, MetricsController],
    providers: [
      readinessProvider,
      { provide: READINESS_TIMEOUT_MS, useValue: options.config.READINESS_TIMEOUT_MS },
      { provide: APP_GUARD, useClass: AuthGuard },
      // After the guard, so that keys are scoped to the authenticated caller.
      { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
    ],
  };
}
