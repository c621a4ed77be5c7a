export { PersistenceError, type PersistenceErrorCode } from "./persistence-error.js";
export { assertSchemaName, databaseUrlForSchema, parseDatabaseUrl, type ParsedDatabaseUrl } from "./database-url.js";
export {
  DEFAULT_POOL,
  resolveDatabaseOptions,
  type DatabaseOptions,
  type PoolOptions,
  type ResolvedDatabaseOptions,
} from "./database-options.js";
export {
  createPgPool,
  createPrismaClient,
  type PrismaClientConstructor,
  type PrismaClientOptions,
} from "./prisma-client-factory.js";
export { checkDatabaseReady, type PgQueryable, type RawQueryable } from "./database-readiness.js";
export { migrationChecksum, scriptMatchesChecksum } from "./migration-checksum.js";
export { readMigrationsDirectory, type MigrationScript, type MigrationsDirectory } from "./migrations-directory.js";
export {
  applyMigrations,
  listMigrationRecords,
  markMigrationRolledBack,
  type MigrateOptions,
  type MigrateResult,
  type MigrationRecord,
} from "./migration-runner.js";
