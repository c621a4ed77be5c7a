import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  applyMigrations,
  listMigrationRecords,
  markMigrationRolledBack,
  migrationChecksum,
  type PersistenceError,
  type PersistenceErrorCode,
} from "@voltstack/persistence";
import {
  copyOfFixtureMigrations,
  databaseUrl,
  dropSchemas,
  fixtureMigrations,
  uniqueSchema,
  withClient,
} from "./test-database.js";

const MIGRATIONS = ["20261120090000_init", "20261121090000_revenue_shares"];
const created: string[] = [];
const cleanups: Array<() => Promise<void>> = [];

function schemaForTest(): string {
  const schema = uniqueSchema("migrate");
  created.push(schema);
  return schema;
}

async function editableMigrations(): Promise<string> {
  const copy = await copyOfFixtureMigrations();
  cleanups.push(copy.remove);
  return copy.dir;
}

function rejectsWithCode(promise: Promise<unknown>, code: PersistenceErrorCode): Promise<void> {
  return expect(promise).rejects.toMatchObject({ code } satisfies Partial<PersistenceError>);
}

afterAll(async () => {
  await dropSchemas(...created);
  await Promise.all(cleanups.map((cleanup) => cleanup()));
});

describe("migration runner", () => {
  it("applies every migration to a fresh schema and records them as prisma migrate deploy does", async () => {
    const schema = schemaForTest();
    const result = await applyMigrations({ url: databaseUrl, schema, migrationsDir: fixtureMigrations });
    expect(result).toEqual({ schema, appliedMigrationNames: MIGRATIONS });

    const records = await listMigrationRecords({ url: databaseUrl, schema });
    expect(records.map((r) => r.migrationName)).toEqual(MIGRATIONS);
    for (const record of records) {
      const script = await readFile(join(fixtureMigrations, record.migrationName, "migration.sql"), "utf8");
      expect(record.checksum).toBe(migrationChecksum(script));
      expect(record.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(record.appliedStepsCount).toBe(1);
      expect(record.logs).toBeNull();
      expect(record.rolledBackAt).toBeNull();
      expect(record.finishedAt!.getTime()).toBeGreaterThanOrEqual(record.startedAt.getTime());
    }

    const columns = await withClient(async (client) => {
      const { rows } = await client.query(
        `SELECT column_name, data_type, character_maximum_length, is_nullable, column_default
         FROM information_schema.columns WHERE table_schema = $1 AND table_name = '_prisma_migrations'
         ORDER BY ordinal_position`,
        [schema],
      );
      return rows;
    });
    // Prisma's own DDL for PostgreSQL, column for column.
    expect(columns).toEqual([
      {
        column_name: "id",
        data_type: "character varying",
        character_maximum_length: 36,
        is_nullable: "NO",
        column_default: null,
      },
      {
        column_name: "checksum",
        data_type: "character varying",
        character_maximum_length: 64,
        is_nullable: "NO",
        column_default: null,
      },
      {
        column_name: "finished_at",
        data_type: "timestamp with time zone",
        character_maximum_length: null,
        is_nullable: "YES",
        column_default: null,
      },
      {
        column_name: "migration_name",
        data_type: "character varying",
        character_maximum_length: 255,
        is_nullable: "NO",
        column_default: null,
      },
      {
        column_name: "logs",
        data_type: "text",
        character_maximum_length: null,
        is_nullable: "YES",
        column_default: null,
      },
      {
        column_name: "rolled_back_at",
        data_type: "timestamp with time zone",
        character_maximum_length: null,
        is_nullable: "YES",
        column_default: null,
      },
      {
        column_name: "started_at",
        data_type: "timestamp with time zone",
        character_maximum_length: null,
        is_nullable: "NO",
        column_default: "now()",
      },
      {
        column_name: "applied_steps_count",
        data_type: "integer",
        character_maximum_length: null,
        is_nullable: "NO",
        column_default: "0",
      },
    ]);
  });

  it("does nothing when run again", async () => {
    const schema = schemaForTest();
    await applyMigrations({ url: databaseUrl, schema, migrationsDir: fixtureMigrations });
    const before = await listMigrationRecords({ url: databaseUrl, schema });

    const again = await applyMigrations({ url: databaseUrl, schema, migrationsDir: fixtureMigrations });
    expect(again.appliedMigrationNames).toEqual([]);
    expect(await listMigrationRecords({ url: databaseUrl, schema })).toEqual(before);
  });

  it("applies only the migrations added since the last run, in name order", async () => {
    const schema = schemaForTest();
    const dir = await editableMigrations();
    const later = await readFile(join(dir, MIGRATIONS[1]!, "migration.sql"), "utf8");
    await rm(join(dir, MIGRATIONS[1]!), { recursive: true });

    expect((await applyMigrations({ url: databaseUrl, schema, migrationsDir: dir })).appliedMigrationNames).toEqual([
      MIGRATIONS[0],
    ]);
    await mkdir(join(dir, MIGRATIONS[1]!));
    await writeFile(join(dir, MIGRATIONS[1]!, "migration.sql"), later);
    expect((await applyMigrations({ url: databaseUrl, schema, migrationsDir: dir })).appliedMigrationNames).toEqual([
      MIGRATIONS[1],
    ]);
  });

  it("refuses to run when an applied migration was changed, and applies nothing", async () => {
    const schema = schemaForTest();
    const dir = await editableMigrations();
    await applyMigrations({ url: databaseUrl, schema, migrationsDir: dir });
    const initPath = join(dir, MIGRATIONS[0]!, "migration.sql");
    const original = await readFile(initPath, "utf8");

    // Line endings rewritten by git are not a change (Prisma's rule).
    await writeFile(initPath, original.replaceAll("\n", "\r\n"));
    expect((await applyMigrations({ url: databaseUrl, schema, migrationsDir: dir })).appliedMigrationNames).toEqual([]);

    await writeFile(initPath, original.replace('"name" TEXT NOT NULL', '"name" VARCHAR(80) NOT NULL'));
    await mkdir(join(dir, "20261122090000_more"));
    await writeFile(join(dir, "20261122090000_more", "migration.sql"), 'CREATE TABLE "more" ("id" INTEGER NOT NULL);');
    const refused = applyMigrations({ url: databaseUrl, schema, migrationsDir: dir });
    await expect(refused).rejects.toMatchObject({
      code: "MIGRATION_CHECKSUM_MISMATCH",
      details: { migrationNames: [MIGRATIONS[0]] },
      message: expect.stringContaining(MIGRATIONS[0]!),
    });
    const names = (await listMigrationRecords({ url: databaseUrl, schema })).map((r) => r.migrationName);
    expect(names).toEqual(MIGRATIONS);
  });

  it("records a failed migration, rolls back its statements and blocks later runs until it is resolved", async () => {
    const schema = schemaForTest();
    const dir = await editableMigrations();
    const brokenPath = join(dir, MIGRATIONS[1]!, "migration.sql");
    const good = await readFile(brokenPath, "utf8");
    await writeFile(brokenPath, `${good}\nALTER TABLE "no_such_table" ADD COLUMN "x" INTEGER;\n`);

    const failed = applyMigrations({ url: databaseUrl, schema, migrationsDir: dir });
    await expect(failed).rejects.toMatchObject({ code: "MIGRATION_FAILED", details: { migrationName: MIGRATIONS[1] } });
    const records = await listMigrationRecords({ url: databaseUrl, schema });
    expect(records).toHaveLength(2);
    const failedRecord = records[1]!;
    expect(failedRecord).toMatchObject({
      migrationName: MIGRATIONS[1],
      finishedAt: null,
      rolledBackAt: null,
      appliedStepsCount: 0,
    });
    expect(failedRecord.logs).toContain("Database error code: 42P01");
    expect(failedRecord.logs).toContain('relation "no_such_table" does not exist');
    // The whole script ran as one implicit transaction: its first statement left nothing behind.
    const table = await withClient((c) => c.query("SELECT to_regclass($1) AS t", [`"${schema}".revenue_share`]));
    expect(table.rows[0].t).toBeNull();

    await writeFile(brokenPath, good);
    await rejectsWithCode(
      applyMigrations({ url: databaseUrl, schema, migrationsDir: dir }),
      "MIGRATION_PREVIOUSLY_FAILED",
    );
    await rejectsWithCode(
      markMigrationRolledBack({ url: databaseUrl, schema }, MIGRATIONS[0]!),
      "MIGRATION_NOT_FAILED",
    );

    await markMigrationRolledBack({ url: databaseUrl, schema }, MIGRATIONS[1]!);
    const rerun = await applyMigrations({ url: databaseUrl, schema, migrationsDir: dir });
    expect(rerun.appliedMigrationNames).toEqual([MIGRATIONS[1]]);
    const history = await listMigrationRecords({ url: databaseUrl, schema });
    expect(history.map((r) => [r.migrationName, r.finishedAt !== null, r.rolledBackAt !== null])).toEqual([
      [MIGRATIONS[0], true, false],
      [MIGRATIONS[1], false, true],
      [MIGRATIONS[1], true, false],
    ]);
  });

  it("serialises concurrent runners so each migration is applied exactly once", async () => {
    const schema = schemaForTest();
    const results = await Promise.all(
      Array.from({ length: 4 }, () => applyMigrations({ url: databaseUrl, schema, migrationsDir: fixtureMigrations })),
    );
    expect(results.flatMap((r) => r.appliedMigrationNames).sort()).toEqual(MIGRATIONS);
    expect(results.filter((r) => r.appliedMigrationNames.length > 0)).toHaveLength(1);
    expect((await listMigrationRecords({ url: databaseUrl, schema })).map((r) => r.migrationName)).toEqual(MIGRATIONS);
  });

  it("gives up with a clear error when another runner holds the lock too long", async () => {
    const schema = schemaForTest();
    await withClient(async (holder) => {
      await holder.query("SELECT pg_advisory_lock(72707369)");
      try {
        await rejectsWithCode(
          applyMigrations({ url: databaseUrl, schema, migrationsDir: fixtureMigrations, lockTimeoutMs: 200 }),
          "MIGRATION_LOCK_TIMEOUT",
        );
      } finally {
        await holder.query("SELECT pg_advisory_unlock(72707369)");
      }
    });
    expect(
      (await applyMigrations({ url: databaseUrl, schema, migrationsDir: fixtureMigrations })).appliedMigrationNames,
    ).toEqual(MIGRATIONS);
  });

  it("refuses a schema that holds tables but no migration history", async () => {
    const schema = schemaForTest();
    await withClient(async (client) => {
      await client.query(`CREATE SCHEMA "${schema}"`);
      await client.query(`CREATE TABLE "${schema}".legacy (id int)`);
    });
    await expect(applyMigrations({ url: databaseUrl, schema, migrationsDir: fixtureMigrations })).rejects.toMatchObject(
      {
        code: "MIGRATION_SCHEMA_NOT_EMPTY",
        details: { tables: ["legacy"] },
      },
    );
  });

  it("refuses migrations locked to another provider and directories without a script", async () => {
    const schema = schemaForTest();
    const dir = await editableMigrations();
    await writeFile(join(dir, "migration_lock.toml"), 'provider = "mysql"\n');
    await rejectsWithCode(
      applyMigrations({ url: databaseUrl, schema, migrationsDir: dir }),
      "MIGRATION_PROVIDER_MISMATCH",
    );

    await writeFile(join(dir, "migration_lock.toml"), 'provider = "postgresql"\n');
    await mkdir(join(dir, "20261123090000_empty"));
    await rejectsWithCode(
      applyMigrations({ url: databaseUrl, schema, migrationsDir: dir }),
      "MIGRATION_SCRIPT_MISSING",
    );
    await rejectsWithCode(
      applyMigrations({ url: databaseUrl, schema, migrationsDir: join(dir, "missing") }),
      "MIGRATIONS_DIR_NOT_FOUND",
    );
  });
});
