import { DeliverPolicy, jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { INestMicroservice } from "@nestjs/common";
import type pg from "pg";
import type { PoolClient } from "pg";
import { register } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type DeadLetterEvent,
  DeadLetterStore,
  durableName,
  enqueue,
  type JetStreamContext,
  JetStreamServer,
  NonRetryableError,
  OutboxRelay,
  pgExecutor,
  pgTransactions,
} from "../src/index.js";
import { startConsumerApp, type WorkEvent } from "./support/consumer-app.js";
import { connectNats, count, createPool, createTestPrefix, createTestSchema, waitFor } from "./support/infra.js";

type Scenario = (data: WorkEvent, ctx: JetStreamContext<PoolClient>) => Promise<void>;

const CONSUMER = durableName("worker", "work.requested");

describe("retries and the dead-letter store", () => {
  let db: Awaited<ReturnType<typeof createTestSchema>>;
  let topic: Awaited<ReturnType<typeof createTestPrefix>>;
  let pool: pg.Pool;
  let nc: NatsConnection;
  let relay: OutboxRelay;
  let app: INestMicroservice;
  let store: DeadLetterStore<PoolClient>;
  const scenarios = new Map<number, Scenario>();
  const deliveries = new Map<number, number>();

  const applyEffect: Scenario = async (data, ctx) => {
    await ctx.runOnce(async (tx) => {
      await tx.query("INSERT INTO effects (order_id) VALUES ($1)", [data.orderId]);
    });
  };

  beforeAll(async () => {
    db = await createTestSchema("CREATE TABLE effects (order_id int NOT NULL);");
    topic = await createTestPrefix();
    pool = createPool(db.schema, `${db.schema}-service`, 8);
    nc = await connectNats("retry-test");
    relay = new OutboxRelay({ pool, nats: nc, schema: db.schema, subjectPrefix: topic.prefix, pollIntervalMs: 200 });
    const server = new JetStreamServer({
      service: "worker",
      nats: nc,
      transactions: pgTransactions(pool),
      schema: db.schema,
      subjectPrefix: topic.prefix,
      streams: [{ name: "WORK", subjects: ["work.>"], storage: "memory" }],
      consumerDefaults: { maxDeliver: 3, backoff: { initialMs: 50, factor: 2, maxMs: 200 }, ackWaitMs: 5_000 },
    });
    app = await startConsumerApp(server, {
      work: async (data, ctx) => {
        deliveries.set(data.orderId, (deliveries.get(data.orderId) ?? 0) + 1);
        await (scenarios.get(data.orderId) ?? applyEffect)(data, ctx);
      },
    });
    await relay.start();
    store = new DeadLetterStore(pgTransactions(pool), db.schema);
  });

  afterAll(async () => {
    await app?.close();
    await relay?.stop();
    await nc?.close();
    await pool?.end();
    await topic?.removeStreams();
    await db?.drop();
  });

  async function publish(orderId: number): Promise<string> {
    const client = await pool.connect();
    try {
      await client.query("BEGIN");
      const [id] = await enqueue(pgExecutor(client), [{ subject: "work.requested", payload: { orderId } }], {
        schema: db.schema,
      });
      await client.query("COMMIT");
      return id!;
    } finally {
      client.release();
    }
  }

  async function settled(): Promise<void> {
    const jsm = await jetstreamManager(nc);
    await waitFor("the consumer to settle", async () => {
      const info = await jsm.consumers.info(topic.naming.streamName("WORK"), CONSUMER);
      return info.num_pending === 0 && info.num_ack_pending === 0;
    });
  }

  async function metric(name: string): Promise<number> {
    const values = (await register.getSingleMetric(name)!.get()).values;
    return values.find((v) => v.labels.subject === "work.requested" && v.labels.consumer === CONSUMER)?.value ?? 0;
  }

  const effectsOf = (orderId: number) =>
    count(db.admin, "SELECT count(*) AS n FROM effects WHERE order_id = $1", [orderId]);

  it("retries a handler that fails twice, then applies its effect once", async () => {
    const retriedBefore = await metric("messaging_events_retried_total");
    scenarios.set(1, async (data, ctx) => {
      if (ctx.getDeliveryCount() < 3) throw new Error("ledger temporarily unavailable");
      await applyEffect(data, ctx);
    });
    await publish(1);
    await waitFor("the effect", async () => (await effectsOf(1)) === 1);
    await settled();
    expect(deliveries.get(1)).toBe(3);
    expect(await effectsOf(1)).toBe(1);
    expect(await metric("messaging_events_retried_total")).toBe(retriedBefore + 2);
    expect(await store.list()).toEqual([]);
  });

  it("keeps the other deliveries of a shared transaction exactly once when one of them fails", async () => {
    const orders = Array.from({ length: 60 }, (_, i) => 100 + i);
    let lastDelivery = 0;
    scenarios.set(130, async (data, ctx) => {
      lastDelivery = ctx.getDeliveryCount();
      if (ctx.getDeliveryCount() === 1) throw new Error("order 130 is not ready yet");
      await applyEffect(data, ctx);
    });
    const client = await pool.connect();
    try {
      await client.query("BEGIN");
      await enqueue(
        pgExecutor(client),
        orders.map((orderId) => ({ subject: "work.requested", payload: { orderId } })),
        { schema: db.schema },
      );
      await client.query("COMMIT");
    } finally {
      client.release();
    }
    const applied = () => count(db.admin, "SELECT count(*) AS n FROM effects WHERE order_id BETWEEN 100 AND 159");
    await waitFor("every effect", async () => (await applied()) === orders.length);
    await settled();
    expect(await applied()).toBe(orders.length);
    expect(
      await count(db.admin, "SELECT count(DISTINCT order_id) AS n FROM effects WHERE order_id BETWEEN 100 AND 159"),
    ).toBe(orders.length);
    // Redelivered once; inside a shared transaction its failure also re-ran it alone before the nak.
    expect(lastDelivery).toBe(2);
  });

  it("dead-letters a handler that always fails, publishes dlq.<subject>, and replays it", async () => {
    scenarios.set(2, async () => {
      throw new Error("downstream rejected the request");
    });
    const eventId = await publish(2);
    await waitFor("the dead letter", async () => (await store.list()).some((letter) => letter.eventId === eventId));
    const [letter] = (await store.list()).filter((candidate) => candidate.eventId === eventId);
    expect(letter).toMatchObject({
      subject: "work.requested",
      consumer: CONSUMER,
      deliveries: 3,
      errorCode: "HANDLER_FAILED",
    });
    expect(letter!.errorMessage).toContain("downstream rejected the request");
    expect(JSON.parse(letter!.payload)).toEqual({ orderId: 2 });
    expect(deliveries.get(2)).toBe(3);
    expect(await metric("messaging_events_dead_lettered_total")).toBeGreaterThanOrEqual(1);

    // The dlq.<subject> event reaches JetStream through the outbox.
    const js = jetstream(nc);
    const dlq = await js.consumers.get(topic.naming.streamName("DLQ"), { deliver_policy: DeliverPolicy.All });
    const dlqMessage = await dlq.next({ expires: 5_000 });
    expect(dlqMessage?.subject).toBe(`${topic.prefix}dlq.work.requested`);
    const dlqEvent = dlqMessage!.json<DeadLetterEvent>();
    expect(dlqEvent).toMatchObject({
      deadLetterId: letter!.id,
      subject: "work.requested",
      eventId,
      consumer: CONSUMER,
      deliveries: 3,
      error: { code: "HANDLER_FAILED", message: letter!.errorMessage },
    });
    expect(JSON.parse(dlqEvent.data)).toEqual({ orderId: 2 });

    // An operator fixes the cause and replays: the handler gets the event again, with its original id.
    scenarios.set(2, async (data, ctx) => {
      expect(ctx.getEventId()).toBe(eventId);
      await applyEffect(data, ctx);
    });
    const replayed = await store.replay(letter!.id);
    expect(replayed.replayCount).toBe(1);
    await waitFor("the replayed effect", async () => (await effectsOf(2)) === 1);
    expect((await store.list()).some((candidate) => candidate.id === letter!.id)).toBe(false);
    expect((await store.get(letter!.id))?.replayedAt).toBeInstanceOf(Date);
  });

  it("sends a non-retryable error to the dead-letter store on the first delivery", async () => {
    scenarios.set(3, async () => {
      throw new NonRetryableError("INVALID_ORDER", "Order 3 has no lines.");
    });
    const eventId = await publish(3);
    await waitFor("the dead letter", async () => (await store.list()).some((letter) => letter.eventId === eventId));
    const letter = (await store.list()).find((candidate) => candidate.eventId === eventId)!;
    expect(letter).toMatchObject({ deliveries: 1, errorCode: "INVALID_ORDER", errorMessage: "Order 3 has no lines." });
    await settled();
    expect(deliveries.get(3)).toBe(1);
    const discarded = await store.discard(letter.id, { reason: "order 3 was cancelled", discardedBy: "ops" });
    expect(discarded).toMatchObject({ discardReason: "order 3 was cancelled", discardedBy: "ops" });
    expect((await store.list()).some((candidate) => candidate.id === letter.id)).toBe(false);
  });

  it("dead-letters a message whose body is not JSON, and refuses to replay it", async () => {
    const js = jetstream(nc);
    await js.publish(`${topic.prefix}work.requested`, "not json {", { msgID: "raw-not-json" });
    await waitFor("the dead letter", async () =>
      (await store.list()).some((letter) => letter.eventId === "raw-not-json"),
    );
    const letter = (await store.list()).find((candidate) => candidate.eventId === "raw-not-json")!;
    expect(letter).toMatchObject({ errorCode: "PAYLOAD_NOT_JSON", deliveries: 1, payload: "not json {" });
    await expect(store.replay(letter.id)).rejects.toMatchObject({ code: "DEAD_LETTER_NOT_REPLAYABLE" });
  });
});
