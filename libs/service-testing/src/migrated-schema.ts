import { randomBytes } from "node:crypto";
import { afterAll, beforeAll } from "vitest";
import { applyMigrations, createPrismaClient, type PrismaClientConstructor } from "@voltstack/persistence";
import { dropSchema } from "./shared-tables.js";
import { databaseUrl } from "./test-urls.js";

export interface MigratedSchemaOptions<Client> {
  /** Names the schema, `<service>_schema_<token>`. */
  service: string;
  migrationsDir: string;
  /** The service's generated client. */
  PrismaClient: PrismaClientConstructor<Client>;
}

/** A freshly migrated schema of the test's own and a Prisma client on it. */
export interface MigratedSchema<Client> {
  readonly schema: string;
  /** The client, once the file's beforeAll has run. */
  readonly prisma: Client;
}

/**
 * For a test file: before its tests, migrates a fresh schema with the service's migrations
 * and opens a Prisma client on it; after them, disconnects the client and drops the schema.
 */
export function migratedSchemaFixture<Client extends { $disconnect(): Promise<void> }>(
  options: MigratedSchemaOptions<Client>,
): MigratedSchema<Client> {
  const schema = `${options.service}_schema_${randomBytes(4).toString("hex")}`;
  let prisma: Client | undefined;

  beforeAll(async () => {
    await applyMigrations({ url: databaseUrl, schema, migrationsDir: options.migrationsDir });
    prisma = createPrismaClient(options.PrismaClient, { url: databaseUrl, schema, pool: { max: 2 } });
  });

  afterAll(async () => {
    await prisma?.$disconnect();
    await dropSchema(databaseUrl, schema);
  });

  return {
    schema,
    get prisma() {
      if (!prisma) throw new Error(`the ${schema} schema is not migrated yet: use its client inside the tests`);
      return prisma;
    },
  };
}
