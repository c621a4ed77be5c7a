import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { SubjectNaming, writeMessagingMigration } from "@voltstack/messaging";
import { applyMigrations, createPgPool } from "@voltstack/persistence";

export const databaseUrl = process.env.DATABASE_URL || "postgresql://postgres@127.0.0.1:5432/postgres";
export const natsUrl = process.env.NATS_URL || "nats://127.0.0.1:4222";

export function uniqueToken(): string {
  return randomBytes(4).toString("hex");
}

/**
 * Migrates a fresh schema as a service's deploy step would: the messaging
 * tables' migration plus the service's own, applied by the persistence runner.
 */
export async function migrateServiceSchema(
  schema: string,
  domainMigration: { name: string; sql: string },
): Promise<void> {
  const migrationsDir = await mkdtemp(join(tmpdir(), `${schema}-migrations-`));
  try {
    await writeMessagingMigration(migrationsDir);
    await mkdir(join(migrationsDir, domainMigration.name));
    await writeFile(join(migrationsDir, domainMigration.name, "migration.sql"), domainMigration.sql);
    await writeFile(join(migrationsDir, "migration_lock.toml"), 'provider = "postgresql"\n');
    await applyMigrations({ url: databaseUrl, schema, migrationsDir });
  } finally {
    await rm(migrationsDir, { recursive: true, force: true });
  }
}

export async function dropSchemas(schemas: string[]): Promise<void> {
  const pool = createPgPool({ url: databaseUrl, applicationName: "trace-test-cleanup", pool: { max: 1 } });
  try {
    for (const schema of schemas) await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await pool.end();
  }
}

/** Deletes every stream (and so its consumers) whose name carries this subject prefix. */
export async function removeStreams(subjectPrefix: string): Promise<void> {
  const nc = await connect({ servers: natsUrl, name: "trace-test-cleanup", maxReconnectAttempts: 0 });
  try {
    const jsm = await jetstreamManager(nc);
    const streamPrefix = new SubjectNaming(subjectPrefix).streamName("");
    for await (const info of jsm.streams.list()) {
      if (info.config.name.startsWith(streamPrefix)) await jsm.streams.delete(info.config.name);
    }
  } finally {
    await nc.close();
  }
}

/** Polls `condition` until it holds; fails naming `what` after `timeoutMs`. */
export async function waitFor(
  what: string,
  condition: () => Promise<boolean> | boolean,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
