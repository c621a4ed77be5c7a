import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import {
  CHAIN_SYNC_LEDGER_MIGRATION_NAME,
  CHAIN_SYNC_LEDGER_MIGRATION_SQL,
  CHAIN_SYNC_MIGRATION_NAME,
  CHAIN_SYNC_MIGRATION_SQL,
  CHAIN_SYNC_PRISMA_MODELS,
  IDEMPOTENCY_MIGRATION_NAME,
  IDEMPOTENCY_MIGRATION_SQL,
  IDEMPOTENCY_PRISMA_MODEL,
} from "@voltstack/chain-sync";
import {
  DEAD_LETTER_DISCARD_MIGRATION_NAME,
  DEAD_LETTER_DISCARD_MIGRATION_SQL,
  MESSAGING_MIGRATION_NAME,
  MESSAGING_MIGRATION_SQL,
  MESSAGING_PRISMA_MODELS,
} from "@voltstack/messaging";
import { createPgPool } from "@voltstack/persistence";

/** Asserts that a service's schema.prisma and migrations carry the libraries' tables verbatim. */
export function expectLibraryTablesVerbatim(migrationsDir: string): void {
  const prismaSchema = readFileSync(join(migrationsDir, "..", "schema.prisma"), "utf8");
  expect(prismaSchema).toContain(MESSAGING_PRISMA_MODELS);
  expect(prismaSchema).toContain(CHAIN_SYNC_PRISMA_MODELS);
  expect(prismaSchema).toContain(IDEMPOTENCY_PRISMA_MODEL);
  const migration = (name: string) => readFileSync(join(migrationsDir, name, "migration.sql"), "utf8");
  expect(migration(MESSAGING_MIGRATION_NAME)).toBe(MESSAGING_MIGRATION_SQL);
  expect(migration(DEAD_LETTER_DISCARD_MIGRATION_NAME)).toBe(DEAD_LETTER_DISCARD_MIGRATION_SQL);
  expect(migration(CHAIN_SYNC_MIGRATION_NAME)).toBe(CHAIN_SYNC_MIGRATION_SQL);
  expect(migration(CHAIN_SYNC_LEDGER_MIGRATION_NAME)).toBe(CHAIN_SYNC_LEDGER_MIGRATION_SQL);
  expect(migration(IDEMPOTENCY_MIGRATION_NAME)).toBe(IDEMPOTENCY_MIGRATION_SQL);
}

/** Drops a schema a test created, with a connection of its own. */
export async function dropSchema(url: string, schema: string): Promise<void> {
  const pool = createPgPool({ url, pool: { max: 1 } });
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await pool.end();
}
