import { randomBytes } from "node:crypto";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import pg from "pg";
import { DEAD_LETTER_DISCARD_MIGRATION_SQL, MESSAGING_MIGRATION_SQL, SubjectNaming } from "../../src/index.js";

export const databaseUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
export const natsUrl = process.env.NATS_URL ?? "nats://127.0.0.1:4222";

export function uniqueToken(): string {
  return randomBytes(4).toString("hex");
}

/** A pool whose connections resolve unqualified names in `schema`, tagged so a test can kill them. */
export function createPool(schema: string, applicationName: string, max = 10): pg.Pool {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max,
    application_name: applicationName,
    options: `-c search_path=${schema}`,
  });
  // Killed connections surface as errors on idle clients; a test kills them on purpose.
  pool.on("error", () => undefined);
  return pool;
}

/** A fresh schema with the messaging tables, created from the exported migration SQL. */
export async function createTestSchema(
  extraSql = "",
): Promise<{ schema: string; admin: pg.Pool; drop: () => Promise<void> }> {
  const schema = `msg_test_${uniqueToken()}`;
  const admin = createPool(schema, `${schema}-admin`, 4);
  await admin.query(`CREATE SCHEMA "${schema}"`);
  await admin.query(MESSAGING_MIGRATION_SQL);
  await admin.query(DEAD_LETTER_DISCARD_MIGRATION_SQL);
  if (extraSql) await admin.query(extraSql);
  return {
    schema,
    admin,
    drop: async () => {
      await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
      await admin.end();
    },
  };
}

/** Ends, server-side, every PostgreSQL connection of one component: a crash as the database sees it. */
export async function killConnections(admin: pg.Pool, applicationName: string): Promise<void> {
  await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1", [
    applicationName,
  ]);
}

export async function connectNats(name: string): Promise<NatsConnection> {
  return connect({ servers: natsUrl, name, maxReconnectAttempts: 0 });
}

/** A subject prefix of its own, and removal of the streams made under it. */
export async function createTestPrefix(): Promise<{
  prefix: string;
  naming: SubjectNaming;
  removeStreams: () => Promise<void>;
}> {
  const prefix = `t${uniqueToken()}.`;
  const naming = new SubjectNaming(prefix);
  return {
    prefix,
    naming,
    removeStreams: async () => {
      const nc = await connectNats("cleanup");
      const jsm = await jetstreamManager(nc);
      const streamPrefix = naming.streamName("");
      for await (const info of jsm.streams.list()) {
        if (info.config.name.startsWith(streamPrefix)) await jsm.streams.delete(info.config.name);
      }
      await nc.close();
    },
  };
}

/** Polls `condition` until it holds; fails with `what` after `timeoutMs`. */
export async function waitFor(
  what: string,
  condition: () => Promise<boolean> | boolean,
  timeoutMs = 20_000,
  everyMs = 25,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

export async function count(pool: pg.Pool, sql: string, params: unknown[] = []): Promise<number> {
  const result = await pool.query<{ n: number }>(sql, params);
  return Number(result.rows[0]!.n);
}
