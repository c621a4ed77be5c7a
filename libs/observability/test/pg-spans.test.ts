import { createRequire } from "node:module";
import { SpanKind } from "@opentelemetry/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestTracing, defaultInstrumentations, withSpan, type TestTracing } from "@voltstack/observability";

// pg is CommonJS: required after the instrumentation is enabled, it is patched.
type Pg = typeof import("pg");

describe("pg instrumentation", () => {
  let tracing: TestTracing;
  let pg: Pg;

  beforeAll(() => {
    tracing = createTestTracing({ instrumentations: defaultInstrumentations() });
    pg = createRequire(import.meta.url)("pg") as Pg;
  });

  afterAll(async () => {
    await tracing.shutdown();
  });

  it("records a client span for each query inside a traced operation, and none outside", async () => {
    const client = new pg.Client({
      connectionString: process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres",
    });
    await client.connect();
    try {
      await client.query("SELECT 1 AS outside");
      const rows = await withSpan(
        "read-model query",
        {},
        async () => (await client.query("SELECT $1::int AS answer", [42])).rows,
      );
      expect(rows).toEqual([{ answer: 42 }]);
    } finally {
      await client.end();
    }
    const querySpans = tracing
      .spans()
      .filter((span) => span.kind === SpanKind.CLIENT && span.attributes["db.system.name"] === "postgresql");
    expect(querySpans).toHaveLength(1);
    const [query] = querySpans;
    expect(query?.attributes).toMatchObject({ "db.query.text": "SELECT $1::int AS answer", "server.port": 5432 });
    expect(tracing.parentOf(query!)).toBe(tracing.span("read-model query"));
  });
});
