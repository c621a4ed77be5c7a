import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  durableName,
  enqueue,
  JetStreamServer,
  OutboxRelay,
  pgExecutor,
  pgTransactions,
  type StreamSpec,
} from "../src/index.js";
import { startConsumerApp } from "./support/consumer-app.js";
import {
  connectNats,
  count,
  createPool,
  createTestPrefix,
  createTestSchema,
  killConnections,
  waitFor,
} from "./support/infra.js";

const EVENTS = 10_000;
const EVENTS_PER_TRANSACTION = 50;
const streams: StreamSpec[] = [{ name: "WORK", subjects: ["work.>"] }];

describe("outbox -> JetStream -> inbox", () => {
  let db: Awaited<ReturnType<typeof createTestSchema>>;
  let topic: Awaited<ReturnType<typeof createTestPrefix>>;

  beforeAll(async () => {
    db = await createTestSchema(
      `CREATE TABLE orders (id int PRIMARY KEY); CREATE TABLE effects (event_id text NOT NULL, order_id int NOT NULL);`,
    );
    topic = await createTestPrefix();
  });

  afterAll(async () => {
    await topic?.removeStreams();
    await db?.drop();
  });

  let redeliveries = 0;

  function startComponents(generation: string) {
    const relayPool = createPool(db.schema, `${db.schema}-relay-${generation}`, 4);
    const consumerPool = createPool(db.schema, `${db.schema}-consumer-${generation}`, 12);
    return { relayPool, consumerPool };
  }

  async function startRelay(pool: pg.Pool, nc: NatsConnection) {
    const relay = new OutboxRelay({
      pool,
      nats: nc,
      schema: db.schema,
      subjectPrefix: topic.prefix,
      onError: () => undefined,
    });
    await relay.start();
    return relay;
  }

  async function startConsumer(pool: pg.Pool, nc: NatsConnection) {
    const server = new JetStreamServer({
      service: "worker",
      nats: nc,
      transactions: pgTransactions(pool),
      schema: db.schema,
      subjectPrefix: topic.prefix,
      streams,
      consumerDefaults: {
        ackWaitMs: 2_000,
        concurrency: 24,
        backoff: { initialMs: 50, factor: 2, maxMs: 500 },
        maxDeliver: 20,
      },
      onError: () => undefined,
    });
    const app = await startConsumerApp(server, {
      work: async (data, ctx) => {
        if (ctx.getDeliveryCount() > 1) redeliveries += 1;
        await ctx.runOnce(async (tx) => {
          await tx.query("INSERT INTO effects (event_id, order_id) VALUES ($1, $2)", [ctx.getEventId(), data.orderId]);
        });
      },
    });
    return app;
  }

  it("applies each of 10,000 events exactly once across a crash of the relay and the consumer", async () => {
    const first = startComponents("a");
    const natsRelayA = await connectNats("relay-a");
    const natsConsumerA = await connectNats("consumer-a");
    const relayA = await startRelay(first.relayPool, natsRelayA);
    const consumerA = await startConsumer(first.consumerPool, natsConsumerA);

    // The domain side: orders and their events committed together. Half is
    // produced before the crash and half after, so both the killed and the
    // restarted relay have work.
    let crashed!: () => void;
    const crash = new Promise<void>((resolve) => (crashed = resolve));
    const producing = (async () => {
      const client = await db.admin.connect();
      try {
        for (let start = 0; start < EVENTS; start += EVENTS_PER_TRANSACTION) {
          if (start === EVENTS / 2) await crash;
          await client.query("BEGIN");
          const ids = Array.from({ length: EVENTS_PER_TRANSACTION }, (_, i) => start + i);
          await client.query("INSERT INTO orders (id) SELECT unnest($1::int[])", [ids]);
          await enqueue(
            pgExecutor(client),
            ids.map((orderId) => ({ subject: "work.requested", payload: { orderId } })),
            { schema: db.schema },
          );
          await client.query("COMMIT");
        }
      } finally {
        client.release();
      }
    })();

    await waitFor(
      "a quarter of the effects",
      async () => (await count(db.admin, "SELECT count(*) AS n FROM effects")) >= EVENTS / 4,
      30_000,
    );

    // Crash: NATS connections cut without draining, PostgreSQL sessions terminated mid-transaction.
    await Promise.all([natsRelayA.close(), natsConsumerA.close()]);
    await killConnections(db.admin, `${db.schema}-relay-a`);
    await killConnections(db.admin, `${db.schema}-consumer-a`);
    await relayA.stop();
    await consumerA.close();
    await Promise.all([first.relayPool.end(), first.consumerPool.end()]);
    const effectsAtCrash = await count(db.admin, "SELECT count(*) AS n FROM effects");
    expect(effectsAtCrash).toBeLessThan(EVENTS);

    const second = startComponents("b");
    const natsRelayB = await connectNats("relay-b");
    const natsConsumerB = await connectNats("consumer-b");
    const relayB = await startRelay(second.relayPool, natsRelayB);
    const consumerB = await startConsumer(second.consumerPool, natsConsumerB);
    crashed();

    await producing;
    await waitFor(
      "every event's effect",
      async () => (await count(db.admin, "SELECT count(DISTINCT event_id) AS n FROM effects")) === EVENTS,
      60_000,
    );

    // Let every redelivery the crash caused arrive before counting duplicates.
    const jsm = await jetstreamManager(natsConsumerB);
    const stream = topic.naming.streamName("WORK");
    await waitFor(
      "the consumer to settle",
      async () => {
        const info = await jsm.consumers.info(stream, durableName("worker", "work.requested"));
        return info.num_pending === 0 && info.num_ack_pending === 0;
      },
      30_000,
    );

    // The crash left deliveries unacknowledged; they came back and changed nothing.
    expect(redeliveries).toBeGreaterThan(0);
    expect(await count(db.admin, "SELECT count(*) AS n FROM effects")).toBe(EVENTS);
    expect(await count(db.admin, "SELECT count(DISTINCT order_id) AS n FROM effects")).toBe(EVENTS);
    expect(await count(db.admin, "SELECT count(*) AS n FROM inbox")).toBe(EVENTS);
    expect(await count(db.admin, "SELECT count(*) AS n FROM outbox WHERE sent_at IS NULL")).toBe(0);
    expect(await count(db.admin, "SELECT count(*) AS n FROM dead_letters")).toBe(0);
    // Re-published rows of the killed relay were dropped by msgID de-duplication.
    expect((await jsm.streams.info(stream)).state.messages).toBe(EVENTS);

    await relayB.stop();
    await consumerB.close();
    await Promise.all([natsRelayB.close(), natsConsumerB.close()]);
    await Promise.all([second.relayPool.end(), second.consumerPool.end()]);
  }, 90_000);
});
