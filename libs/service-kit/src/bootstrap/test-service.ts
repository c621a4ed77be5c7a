import type { DynamicModule, INestApplication, Type } from "@nestjs/common";
import type { AddressInfo } from "node:net";
import { loadConfig, serviceConfigSchema } from "../config/service-config.js";
import { bootstrapService, type BootstrapOptions } from "./bootstrap-service.js";

export interface TestService {
  app: INestApplication;
  /** e.g. http://127.0.0.1:41234 */
  baseUrl: string;
  close(): Promise<void>;
}

/**
 * Starts a service module exactly as bootstrapService does, on a free port of
 * 127.0.0.1, quietly, without signal handlers. `env` replaces process.env for configuration.
 */
export async function startTestService(
  appModule: Type | DynamicModule,
  options: Partial<BootstrapOptions> & { env?: Record<string, string | undefined> } = {},
): Promise<TestService> {
  const { env, ...rest } = options;
  const config = rest.config ?? loadConfig(serviceConfigSchema({ defaultPort: 0 }), env ?? {});
  const app = await bootstrapService(appModule, {
    name: "test",
    logger: false,
    shutdownSignals: false,
    ...rest,
    config,
    listen: { port: 0, host: "127.0.0.1", ...rest.listen },
  });
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { app, baseUrl: `http://127.0.0.1:${port}`, close: () => app.close() };
}
