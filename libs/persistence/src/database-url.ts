import { PersistenceError } from "./persistence-error.js";

// PostgreSQL folds unquoted names to lower case and limits identifiers to 63
// bytes; service schemas are plain identifiers so they never need escaping.
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Query parameters Prisma's URLs carry that the `pg` driver must not see. */
const PRISMA_ONLY_PARAMS = ["schema", "connection_limit", "pool_timeout", "pgbouncer", "statement_cache_size"];

export interface ParsedDatabaseUrl {
  /** The URL without Prisma-only parameters, as `pg` accepts it. */
  connectionString: string;
  /** `?schema=` when present. */
  schema: string | undefined;
  /** `?connection_limit=` when present. */
  connectionLimit: number | undefined;
}

export function assertSchemaName(schema: string): string {
  if (!SCHEMA_NAME.test(schema)) {
    throw new PersistenceError(
      "INVALID_SCHEMA_NAME",
      `Schema name "${schema}" is not allowed: use 1-63 lower-case letters, digits or underscores, not starting with a digit.`,
      { schema },
    );
  }
  return schema;
}

export function parseDatabaseUrl(url: string): ParsedDatabaseUrl {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new PersistenceError("INVALID_DATABASE_URL", "DATABASE_URL is not a valid URL.", {}, { cause });
  }
  if (parsed.protocol !== "postgresql:" && parsed.protocol !== "postgres:") {
    throw new PersistenceError(
      "INVALID_DATABASE_URL",
      `DATABASE_URL must start with postgresql:// (got ${parsed.protocol}//).`,
      { protocol: parsed.protocol },
    );
  }
  const schema = parsed.searchParams.get("schema") ?? undefined;
  const limit = parsed.searchParams.get("connection_limit");
  const connectionLimit = limit === null ? undefined : Number(limit);
  if (connectionLimit !== undefined && !(Number.isInteger(connectionLimit) && connectionLimit > 0)) {
    throw new PersistenceError(
      "INVALID_DATABASE_URL",
      `connection_limit must be a positive integer (got "${limit}").`,
      {
        connectionLimit: limit,
      },
    );
  }
  for (const name of PRISMA_ONLY_PARAMS) parsed.searchParams.delete(name);
  return { connectionString: parsed.toString(), schema: schema && assertSchemaName(schema), connectionLimit };
}

/** The URL a Prisma CLI or another tool uses for one service's schema. */
export function databaseUrlForSchema(url: string, schema: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set("schema", assertSchemaName(schema));
  return parsed.toString();
}
