/** Stable machine codes for every failure this library reports. */
export type PersistenceErrorCode =
  | "INVALID_DATABASE_URL"
  | "INVALID_SCHEMA_NAME"
  | "MIGRATIONS_DIR_NOT_FOUND"
  | "MIGRATION_SCRIPT_MISSING"
  | "MIGRATION_PROVIDER_MISMATCH"
  | "MIGRATION_SCHEMA_NOT_EMPTY"
  | "MIGRATION_LOCK_TIMEOUT"
  | "MIGRATION_PREVIOUSLY_FAILED"
  | "MIGRATION_CHECKSUM_MISMATCH"
  | "MIGRATION_FAILED"
  | "MIGRATION_NOT_FAILED"
  | "DATABASE_NOT_READY";

export class PersistenceError extends Error {
  override readonly name = "PersistenceError";

  constructor(
    readonly code: PersistenceErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
