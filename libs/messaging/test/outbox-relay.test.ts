import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { register } from "prom-client";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { enqueue, ensureStreams, OutboxRelay, pgExecutor } from "../src/index.js";
import { connectNats, count, createPool, createTestPrefix, createTestSchema, waitFor } from "./support/infra.js";

describe("outbox relay", () => {
  let db: Awaited<ReturnType<typeof createTestSchema>>;
  let topic: Awaited<ReturnType<typeof createTestPrefix>>;
  let nc: NatsConnection;
  const cleanups: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    db = await createTestSchema();
    topic = await createTestPrefix();
    nc = await connectNats("relay-test");
    await ensureStreams(await jetstreamManager(nc), topic.naming, [
      { name: "ORDERS", subjects: ["order.>"], storage: "memory" },
    ]);
  });

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await db.admin.query("DELETE FROM outbox");
    const jsm = await jetstreamManager(nc);
    await jsm.streams.purge(topic.naming.streamName("ORDERS"));
  });

  afterAll(async () => {
    await nc?.close();
    await topic?.removeStreams();
    await db?.drop();
  });

  async function enqueueOrders(n: number, subject = "order.placed"): Promise<string[]> {
    const client = await db.admin.connect();
    try {
      await client.query("BEGIN");
      const ids = await enqueue(
        pgExecutor(client),
        Array.from({ length: n }, (_, i) => ({ subject, payload: { order: i } })),
        { schema: db.schema },
      );
      await client.query("COMMIT");
      return ids;
    } finally {
      client.release();
    }
  }

  async function startRelay(name: string, batchSize: number, onError: (error: unknown) => void = () => undefined) {
    const pool = createPool(db.schema, `${db.schema}-${name}`, 4);
    const natsConnection = await connectNats(name);
    const relay = new OutboxRelay({
      pool,
      nats: natsConnection,
      schema: db.schema,
      subjectPrefix: topic.prefix,
      batchSize,
      onError,
    });
    await relay.start();
    cleanups.push(async () => {
      await relay.stop();
      await natsConnection.close();
      await pool.end();
    });
    return relay;
  }

  const streamMessages = async () =>
    (await (await jetstreamManager(nc)).streams.info(topic.naming.streamName("ORDERS"))).state.messages;
  const pending = () => count(db.admin, "SELECT count(*) AS n FROM outbox WHERE sent_at IS NULL");

  it("publishes each row once in effect when two relays run at the same time", async () => {
    await enqueueOrders(3_000);
    const relays = await Promise.all([startRelay("relay-1", 100), startRelay("relay-2", 100)]);
    await waitFor("the outbox to drain", async () => (await pending()) === 0);
    expect(relays[0]!.published + relays[1]!.published).toBe(3_000);
    expect(await streamMessages()).toBe(3_000);
  });

  it("publishes again after a failure between publishing and marking sent, and JetStream drops the copies", async () => {
    // A statement trigger fails the first "mark sent" once: the relay dies after publishing, before committing.
    await db.admin.query(`
      CREATE SEQUENCE mark_attempts;
      CREATE FUNCTION fail_first_mark() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF nextval('mark_attempts') = 1 THEN RAISE EXCEPTION 'simulated crash before marking sent'; END IF;
        RETURN NULL;
      END $$;
      CREATE TRIGGER fail_first_mark BEFORE UPDATE ON outbox FOR EACH STATEMENT EXECUTE FUNCTION fail_first_mark();`);
    cleanups.push(() =>
      db.admin.query(
        "DROP TRIGGER fail_first_mark ON outbox; DROP FUNCTION fail_first_mark(); DROP SEQUENCE mark_attempts;",
      ),
    );
    const errors: unknown[] = [];
    await enqueueOrders(200);
    const relay = await startRelay("relay-crashing", 500, (error) => errors.push(error));
    await waitFor("the outbox to drain", async () => (await pending()) === 0);
    expect(String(errors[0])).toContain("simulated crash before marking sent");
    expect(relay.published).toBe(200);
    expect(await count(db.admin, "SELECT count(*) AS n FROM outbox WHERE attempts = 1")).toBe(200);
    expect(await streamMessages()).toBe(200);
  });

  it("reports the backlog and its age, and counts published events per subject", async () => {
    const publishedBefore =
      (await register.getSingleMetric("messaging_events_published_total")!.get()).values.find(
        (v) => v.labels.subject === "order.shipped",
      )?.value ?? 0;
    await enqueueOrders(7, "order.shipped");
    // Hold the rows so the relay cannot claim them yet.
    const holder = await db.admin.connect();
    await holder.query("BEGIN");
    await holder.query("SELECT id FROM outbox FOR UPDATE");
    const relay = await startRelay("relay-metrics", 100);
    const backlog = await relay.backlog();
    expect(backlog.pending).toBe(7);
    expect(backlog.oldestAgeSeconds).toBeGreaterThan(0);
    const scraped = await register.metrics();
    expect(scraped).toMatch(new RegExp(`messaging_outbox_backlog\\{schema="${db.schema}"\\} 7`));
    await holder.query("COMMIT");
    holder.release();
    await waitFor("the held rows to be published", async () => (await pending()) === 0);
    const publishedAfter =
      (await register.getSingleMetric("messaging_events_published_total")!.get()).values.find(
        (v) => v.labels.subject === "order.shipped",
      )?.value ?? 0;
    expect(publishedAfter - publishedBefore).toBe(7);
    expect((await relay.backlog()).pending).toBe(0);
  });

  it("keeps the enqueuing transaction atomic: a rollback leaves nothing to publish", async () => {
    const client = await db.admin.connect();
    await client.query("BEGIN");
    await enqueue(pgExecutor(client), [{ subject: "order.placed", payload: { order: 1 } }], { schema: db.schema });
    await client.query("ROLLBACK");
    client.release();
    expect(await count(db.admin, "SELECT count(*) AS n FROM outbox")).toBe(0);
  });
});
