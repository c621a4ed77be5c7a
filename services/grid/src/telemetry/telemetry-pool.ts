import type { Provider } from "@nestjs/common";
import type { Pool } from "pg";
import { createPgPool } from "@voltstack/persistence";
import { SERVICE_CONFIG, ShutdownHooks } from "@voltstack/service-kit";
import type { GridConfig } from "../grid-config.js";

/** The telemetry feature's own connections: its array merges go through pg, not Prisma. */
export const TELEMETRY_POOL = Symbol("TELEMETRY_POOL");

// The consumer's batches, HTTP posts and scoring reads at once.
const TELEMETRY_POOL_MAX = 4;

export const telemetryPoolProvider: Provider = {
  provide: TELEMETRY_POOL,
  inject: [SERVICE_CONFIG, ShutdownHooks],
  useFactory: (config: GridConfig, hooks: ShutdownHooks): Pool => {
    const pool = createPgPool({
      url: config.DATABASE_URL,
      schema: config.GRID_SCHEMA,
      applicationName: "grid-telemetry",
      pool: {
        max: TELEMETRY_POOL_MAX,
        idleTimeoutMs: config.DATABASE_POOL_IDLE_TIMEOUT_MS,
        connectionTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS,
        statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
      },
    });
    hooks.register("postgres (telemetry pool)", () => pool.end(), "close");
    return pool;
  },
};
