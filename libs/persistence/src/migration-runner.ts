import { randomUUID } from "node:crypto";
import pg from "pg";
import { resolveDatabaseOptions } from "./database-options.js";
import { migrationChecksum, scriptMatchesChecksum } from "./migration-checksum.js";
import { readMigrationsDirectory, type MigrationScript } from "./migrations-directory.js";
import { PersistenceError } from "./persistence-error.js";

export interface MigrateOptions {
  /** DATABASE_URL; its `?schema=` is used when `schema` is not given. */
  url: string;
  /** The PostgreSQL schema to migrate; created when missing. */
  schema?: string;
  /** A Prisma migrations directory: `<timestamp>_<name>/migration.sql` plus migration_lock.toml. */
  migrationsDir: string;
  /** How long to wait for another runner (or `prisma migrate`) to finish, in ms. Default 10,000, as Prisma. */
  lockTimeoutMs?: number;
  log?: (message: string) => void;
}

export interface MigrateResult {
  schema: string;
  /** Migrations applied by this run, in order; empty when the schema was up to date. */
  appliedMigrationNames: string[];
}

/** A row of `_prisma_migrations`. */
export interface MigrationRecord {
  id: string;
  checksum: string;
  finishedAt: Date | null;
  migrationName: string;
  logs: string | null;
  rolledBackAt: Date | null;
  startedAt: Date;
  appliedStepsCount: number;
}

/**
 * Prisma Migrate's advisory lock key. Taking the same lock makes this runner and
 * `prisma migrate deploy` exclude each other as well as concurrent copies of either.
 */
const PRISMA_MIGRATE_LOCK_KEY = 72707369;
const DEFAULT_LOCK_TIMEOUT_MS = 10_000;
const LOCK_NOT_AVAILABLE = "55P03";

// The table exactly as Prisma's PostgreSQL connector creates it, so either tool can take over.
const migrationsTableDdl = (schema: string) => `CREATE TABLE "${schema}"."_prisma_migrations" (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
);`;

/**
 * Applies the migrations of a Prisma migrations directory that the schema has not
 * seen yet, recording each in `<schema>._prisma_migrations` the way
 * `prisma migrate deploy` does. Refuses to run while a migration is recorded as
 * failed, or when an applied migration's script has changed since.
 */
export async function applyMigrations(options: MigrateOptions): Promise<MigrateResult> {
  const log = options.log ?? (() => undefined);
  const directory = await readMigrationsDirectory(options.migrationsDir);
  if (directory.lockedProvider !== undefined && directory.lockedProvider !== "postgresql") {
    throw new PersistenceError(
      "MIGRATION_PROVIDER_MISMATCH",
      `The migrations in ${options.migrationsDir} were written for "${directory.lockedProvider}", not postgresql.`,
      { provider: directory.lockedProvider },
    );
  }
  return withLockedSchema(options, async (client, schema) => {
    await initialiseMigrationsTable(client, schema);
    const records = await readMigrationRecords(client, schema);
    refuseFailedMigrations(records);
    refuseChangedMigrations(records, directory.migrations);

    const applied = new Set(records.filter((r) => r.rolledBackAt === null).map((r) => r.migrationName));
    const appliedMigrationNames: string[] = [];
    for (const migration of directory.migrations.filter((m) => !applied.has(m.name))) {
      log(`Applying migration ${migration.name} to schema ${schema}`);
      await applyOne(client, schema, migration);
      appliedMigrationNames.push(migration.name);
    }
    if (appliedMigrationNames.length === 0) log(`Schema ${schema} is up to date`);
    return { schema, appliedMigrationNames };
  });
}

/** The schema's migration history, oldest first; empty when it has none yet. */
export async function listMigrationRecords(
  options: Pick<MigrateOptions, "url" | "schema">,
): Promise<MigrationRecord[]> {
  const { schema, poolConfig } = resolveDatabaseOptions(options);
  const client = new pg.Client(poolConfig);
  await client.connect();
  try {
    const { rows } = await client.query<{ exists: boolean }>("SELECT to_regclass($1) IS NOT NULL AS exists", [
      `"${schema}"."_prisma_migrations"`,
    ]);
    return rows[0]?.exists ? await readMigrationRecords(client, schema) : [];
  } finally {
    await client.end();
  }
}

/**
 * Marks a failed migration as rolled back, as `prisma migrate resolve --rolled-back`
 * does, after the operator has repaired the schema; the next run applies it again.
 */
export async function markMigrationRolledBack(
  options: Omit<MigrateOptions, "migrationsDir">,
  migrationName: string,
): Promise<void> {
  await withLockedSchema(options, async (client, schema) => {
    await initialiseMigrationsTable(client, schema);
    const { rowCount } = await client.query(
      `UPDATE "${schema}"."_prisma_migrations" SET rolled_back_at = clock_timestamp()
       WHERE migration_name = $1 AND finished_at IS NULL AND rolled_back_at IS NULL`,
      [migrationName],
    );
    if (rowCount === 0) {
      throw new PersistenceError(
        "MIGRATION_NOT_FAILED",
        `Migration ${migrationName} cannot be marked as rolled back because it is not recorded as failed in schema ${schema}.`,
        { migrationName, schema },
      );
    }
  });
}

async function withLockedSchema<T>(
  options: Pick<MigrateOptions, "url" | "schema" | "lockTimeoutMs">,
  work: (client: pg.Client, schema: string) => Promise<T>,
): Promise<T> {
  const { schema, poolConfig } = resolveDatabaseOptions({ ...options, applicationName: "voltstack-migrate" });
  const client = new pg.Client(poolConfig);
  // A dropped connection also rejects the running query; without a listener it would crash the process.
  client.on("error", () => undefined);
  await client.connect();
  try {
    await acquireMigrateLock(client, options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS);
    // Only create a missing schema: CREATE SCHEMA needs a privilege deploy users often lack.
    const { rowCount } = await client.query("SELECT 1 FROM pg_namespace WHERE nspname = $1", [schema]);
    if (rowCount === 0) await client.query(`CREATE SCHEMA "${schema}"`);
    return await work(client, schema);
  } finally {
    // Ending the session releases the advisory lock.
    await client.end();
  }
}

async function acquireMigrateLock(client: pg.Client, timeoutMs: number): Promise<void> {
  await client.query(`SET lock_timeout = ${Math.max(1, Math.round(timeoutMs))}`);
  try {
    await client.query(`SELECT pg_advisory_lock(${PRISMA_MIGRATE_LOCK_KEY})`);
  } catch (cause) {
    if ((cause as { code?: string }).code === LOCK_NOT_AVAILABLE) {
      throw new PersistenceError(
        "MIGRATION_LOCK_TIMEOUT",
        `Another migration run held the migration lock for more than ${timeoutMs} ms; try again when it has finished.`,
        { timeoutMs },
        { cause },
      );
    }
    throw cause;
  }
  // Migration scripts themselves wait for table locks as long as they need.
  await client.query("RESET lock_timeout");
}

async function initialiseMigrationsTable(client: pg.Client, schema: string): Promise<void> {
  const { rows } = await client.query<{ relname: string }>(
    `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind = 'r' AND n.nspname = $1`,
    [schema],
  );
  const tables = rows.map((row) => row.relname);
  if (tables.includes("_prisma_migrations")) return;
  // Like Prisma: a schema holding tables but no history was not made by migrations.
  const foreign = tables.filter((name) => name !== "spatial_ref_sys");
  if (foreign.length > 0) {
    throw new PersistenceError(
      "MIGRATION_SCHEMA_NOT_EMPTY",
      `Schema ${schema} already holds tables (${foreign.join(", ")}) but no migration history; baseline it before migrating.`,
      { schema, tables: foreign },
    );
  }
  await client.query(migrationsTableDdl(schema));
}

async function readMigrationRecords(client: pg.Client, schema: string): Promise<MigrationRecord[]> {
  const { rows } = await client.query<{
    id: string;
    checksum: string;
    finished_at: Date | null;
    migration_name: string;
    logs: string | null;
    rolled_back_at: Date | null;
    started_at: Date;
    applied_steps_count: number;
  }>(`SELECT * FROM "${schema}"."_prisma_migrations" ORDER BY started_at ASC`);
  return rows.map((row) => ({
    id: row.id,
    checksum: row.checksum,
    finishedAt: row.finished_at,
    migrationName: row.migration_name,
    logs: row.logs,
    rolledBackAt: row.rolled_back_at,
    startedAt: row.started_at,
    appliedStepsCount: row.applied_steps_count,
  }));
}

function refuseFailedMigrations(records: MigrationRecord[]): void {
  const failed = records.filter((r) => r.finishedAt === null && r.rolledBackAt === null);
  if (failed.length === 0) return;
  const lines = failed.map(
    (r) =>
      `The ${r.migrationName} migration started at ${r.startedAt.toISOString()} failed${r.logs?.trim() ? `:\n${r.logs.trim()}` : ""}`,
  );
  throw new PersistenceError(
    "MIGRATION_PREVIOUSLY_FAILED",
    `A failed migration blocks new ones; repair the schema, then mark it rolled back (or applied).\n${lines.join("\n")}`,
    { migrationNames: failed.map((r) => r.migrationName) },
  );
}

function refuseChangedMigrations(records: MigrationRecord[], migrations: MigrationScript[]): void {
  const byName = new Map(migrations.map((m) => [m.name, m]));
  const changed = records
    .filter((r) => r.finishedAt !== null && r.rolledBackAt === null)
    .filter((r) => {
      const local = byName.get(r.migrationName);
      return local !== undefined && !scriptMatchesChecksum(local.script, r.checksum);
    })
    .map((r) => r.migrationName);
  if (changed.length === 0) return;
  throw new PersistenceError(
    "MIGRATION_CHECKSUM_MISMATCH",
    `Applied migrations were modified after they were applied: ${changed.join(", ")}. Restore them and add a new migration instead.`,
    { migrationNames: changed },
  );
}

// The same sequence of writes as Prisma: a started row, the script, then the step count
// and finished_at; on failure the error goes into logs and the row stays unfinished.
async function applyOne(client: pg.Client, schema: string, migration: MigrationScript): Promise<void> {
  const table = `"${schema}"."_prisma_migrations"`;
  const id = randomUUID();
  await client.query(
    `INSERT INTO ${table} (id, checksum, started_at, migration_name) VALUES ($1, $2, clock_timestamp(), $3)`,
    [id, migrationChecksum(migration.script), migration.name],
  );
  try {
    // One simple-protocol query: PostgreSQL runs a multi-statement script as one implicit transaction.
    await client.query(migration.script);
  } catch (cause) {
    const logs = describeScriptError(migration, cause);
    await client.query(`UPDATE ${table} SET logs = $2 WHERE id = $1`, [id, logs]);
    throw new PersistenceError("MIGRATION_FAILED", logs, { migrationName: migration.name, schema }, { cause });
  }
  await client.query(`UPDATE ${table} SET applied_steps_count = applied_steps_count + 1 WHERE id = $1`, [id]);
  await client.query(`UPDATE ${table} SET finished_at = clock_timestamp() WHERE id = $1`, [id]);
}

function describeScriptError(migration: MigrationScript, cause: unknown): string {
  const error = cause as { code?: string; message?: string; position?: string; detail?: string };
  const position = Number(error.position);
  const line =
    Number.isInteger(position) && position > 0 ? migration.script.slice(0, position).split("\n").length : undefined;
  return [
    "A migration failed to apply. New migrations cannot be applied before the error is recovered from.",
    "",
    `Migration name: ${migration.name}`,
    "",
    `Database error code: ${error.code ?? "none"}`,
    "",
    "Database error:",
    `${error.message ?? String(cause)}${line === undefined ? "" : ` (line ${line})`}${error.detail ? `\n${error.detail}` : ""}`,
  ].join("\n");
}
