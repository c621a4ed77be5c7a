import type { PoolConfig } from "pg";
import { assertSchemaName, parseDatabaseUrl } from "./database-url.js";

/** Where a service's data lives and how its connection pool behaves. */
export interface DatabaseOptions {
  /** DATABASE_URL; a `?schema=` in it is used when `schema` is not given. */
  url: string;
  /** The service's own PostgreSQL schema. */
  schema?: string;
  pool?: PoolOptions;
  /** Shown in pg_stat_activity, so operators can tell services apart. */
  applicationName?: string;
}

export interface PoolOptions {
  /** Most connections open at once (Prisma's `connection_limit`). Default 10. */
  max?: number;
  /** Close a connection idle this long, in ms. Default 10,000. */
  idleTimeoutMs?: number;
  /** Give up acquiring or opening a connection after this many ms. Default 5,000. */
  connectionTimeoutMs?: number;
  /** Server-side limit per statement in ms; 0 means none. Default 0. */
  statementTimeoutMs?: number;
}

export interface ResolvedDatabaseOptions {
  schema: string;
  poolConfig: PoolConfig;
}

export const DEFAULT_POOL: Required<PoolOptions> = {
  max: 10,
  idleTimeoutMs: 10_000,
  connectionTimeoutMs: 5_000,
  statementTimeoutMs: 0,
};

export function resolveDatabaseOptions(options: DatabaseOptions): ResolvedDatabaseOptions {
  const parsed = parseDatabaseUrl(options.url);
  const schema = assertSchemaName(options.schema ?? parsed.schema ?? "public");
  const pool = { ...DEFAULT_POOL, ...definedOnly(options.pool ?? {}) };
  const poolConfig: PoolConfig = {
    connectionString: parsed.connectionString,
    max: options.pool?.max ?? parsed.connectionLimit ?? pool.max,
    idleTimeoutMillis: pool.idleTimeoutMs,
    connectionTimeoutMillis: pool.connectionTimeoutMs,
    // Unqualified names in raw SQL (and enum casts) resolve in the service's schema.
    options: `-c search_path="${schema}"`,
    ...(pool.statementTimeoutMs > 0 ? { statement_timeout: pool.statementTimeoutMs } : {}),
    ...(options.applicationName ? { application_name: options.applicationName } : {}),
  };
  return { schema, poolConfig };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
