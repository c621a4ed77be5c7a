import { describe, expect, it } from "vitest";
import {
  PersistenceError,
  databaseUrlForSchema,
  parseDatabaseUrl,
  resolveDatabaseOptions,
} from "@voltstack/persistence";

const base = "postgresql://postgres@127.0.0.1:5432/postgres";

describe("database options", () => {
  it("takes the schema and connection limit from a Prisma URL and hides them from pg", () => {
    const parsed = parseDatabaseUrl(`${base}?schema=verification&connection_limit=4&sslmode=disable`);
    expect(parsed.schema).toBe("verification");
    expect(parsed.connectionLimit).toBe(4);
    expect(parsed.connectionString).toBe(`${base}?sslmode=disable`);
  });

  it("prefers explicit settings over the URL and defaults the rest", () => {
    const { schema, poolConfig } = resolveDatabaseOptions({
      url: `${base}?schema=other&connection_limit=4`,
      schema: "capacity",
      pool: { max: 7, statementTimeoutMs: 1500 },
    });
    expect(schema).toBe("capacity");
    expect(poolConfig).toMatchObject({
      max: 7,
      idleTimeoutMillis: 10_000,
      connectionTimeoutMillis: 5_000,
      statement_timeout: 1500,
      options: '-c search_path="capacity"',
    });
    expect(resolveDatabaseOptions({ url: `${base}?connection_limit=4` }).poolConfig.max).toBe(4);
    expect(resolveDatabaseOptions({ url: base }).schema).toBe("public");
  });

  it("refuses schema names that would need quoting and URLs that are not PostgreSQL", () => {
    for (const schema of ['a"b', "Upper", "1abc", "x".repeat(64), ""]) {
      expect(() => resolveDatabaseOptions({ url: base, schema })).toThrow(
        expect.objectContaining({ code: "INVALID_SCHEMA_NAME" }) as PersistenceError,
      );
    }
    expect(() => parseDatabaseUrl("mysql://localhost/db")).toThrow(
      expect.objectContaining({ code: "INVALID_DATABASE_URL" }),
    );
    expect(() => parseDatabaseUrl("not a url")).toThrow(expect.objectContaining({ code: "INVALID_DATABASE_URL" }));
    expect(() => parseDatabaseUrl(`${base}?connection_limit=0`)).toThrow(
      expect.objectContaining({ code: "INVALID_DATABASE_URL" }),
    );
  });

  it("builds the URL Prisma's CLI uses for a service schema", () => {
    expect(databaseUrlForSchema(`${base}?schema=x`, "grid")).toBe(`${base}?schema=grid`);
  });
});
