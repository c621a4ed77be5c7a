import { connect, type NatsConnection } from "@nats-io/transport-node";
import type { INestMicroservice } from "@nestjs/common";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { enqueue, JetStreamServer, OutboxRelay, pgExecutor, pgTransactions, type StreamSpec } from "../src/index.js";
import { startConsumerApp } from "./support/consumer-app.js";
import { createPool, createTestPrefix, createTestSchema, natsUrl, waitFor } from "./support/infra.js";

const streams: StreamSpec[] = [{ name: "WORK", subjects: ["work.>"] }];
const ACK_WAIT_MS = 2_000;

type Delivery = { orderId: number; deliveryCount: number; replica: string };

describe("progress reports and the hand-over after a crash", () => {
  let db: Awaited<ReturnType<typeof createTestSchema>>;
  let topic: Awaited<ReturnType<typeof createTestPrefix>>;
  let pool: pg.Pool;
  let relay: OutboxRelay;
  const connections: NatsConnection[] = [];
  const apps: INestMicroservice[] = [];
  const deliveries: Delivery[] = [];
  /** Handlers of the crashed replica wait on this forever (until the test ends). */
  let releaseHung: () => void = () => undefined;
  const hung = new Promise<void>((resolve) => (releaseHung = resolve));

  beforeAll(async () => {
    db = await createTestSchema();
    topic = await createTestPrefix();
    pool = createPool(db.schema, `${db.schema}-handover`, 10);
    const relayConnection = await connect({ servers: natsUrl, maxReconnectAttempts: -1 });
    connections.push(relayConnection);
    relay = new OutboxRelay({ pool, nats: relayConnection, schema: db.schema, subjectPrefix: topic.prefix });
    await relay.start();
  });

  afterAll(async () => {
    releaseHung();
    for (const app of apps) await app.close().catch(() => undefined);
    await relay?.stop();
    for (const connection of connections) await connection.close().catch(() => undefined);
    await pool?.end();
    await topic?.removeStreams();
    await db?.drop();
  });

  async function startReplica(replica: string, handle: (orderId: number) => Promise<void>) {
    const nats = await connect({ servers: natsUrl, maxReconnectAttempts: -1 });
    connections.push(nats);
    const server = new JetStreamServer({
      service: "handover",
      nats,
      transactions: pgTransactions(pool),
      schema: db.schema,
      subjectPrefix: topic.prefix,
      streams,
      consumerDefaults: { ackWaitMs: ACK_WAIT_MS, concurrency: 2, batchSize: 1 },
      onError: () => undefined,
    });
    apps.push(
      await startConsumerApp(server, {
        work: async (data, ctx) => {
          deliveries.push({ orderId: data.orderId, deliveryCount: ctx.getDeliveryCount(), replica });
          await handle(data.orderId);
        },
      }),
    );
    return { server, nats };
  }

  async function publish(orderId: number): Promise<void> {
    await enqueue(pgExecutor(db.admin), [{ subject: "work.requested", payload: { orderId } }], { schema: db.schema });
  }

  it("does not redeliver a handler that runs for several ack waits while it reports progress", async () => {
    let finished = false;
    await startReplica("steady", async (orderId) => {
      if (orderId !== 1) return;
      // Four ack waits: without progress reports the server would have redelivered it twice.
      await new Promise((resolve) => setTimeout(resolve, 4 * ACK_WAIT_MS));
      finished = true;
    });
    await publish(1);
    await waitFor("the long handler to finish", () => finished, 60_000);
    // A redelivery would have arrived within an ack wait of the last progress report; give it three.
    await publish(2);
    await waitFor("a later event handled", () => deliveries.some((delivery) => delivery.orderId === 2), 60_000);
    await new Promise((resolve) => setTimeout(resolve, 3 * ACK_WAIT_MS));
    expect(deliveries.filter((delivery) => delivery.orderId === 1)).toEqual([
      { orderId: 1, deliveryCount: 1, replica: "steady" },
    ]);
    for (const app of apps.splice(0)) await app.close();
  }, 120_000);

  it("hands the delivery of a replica that died mid-handler to another within seconds, and says it is stuck meanwhile", async () => {
    const crashing = await startReplica("crashing", (orderId) => (orderId === 3 ? hung : Promise.resolve()));
    await publish(3);
    await waitFor("the crashing replica to take the event", () =>
      deliveries.some((delivery) => delivery.orderId === 3 && delivery.replica === "crashing"),
    );
    expect(crashing.server.health().notReady).toEqual([]);
    // Past stuckAfterMs (five minutes by default) the handler counts as stuck: readiness goes down.
    expect(crashing.server.health(Date.now() + 6 * 60_000).notReady).toEqual([
      expect.stringMatching(/^consumer handover__work_requested stuck: a handler has run for \d+ s \(limit 300 s\)$/),
    ]);

    // The process dies: its connection goes without a goodbye, its handler never returns.
    await crashing.nats.close();
    await waitFor("the dead replica's consumer to report it cannot recover", () =>
      crashing.server.health().notLive.some((reason) => reason.includes("closed for good")),
    );
    await startReplica("survivor", async () => undefined);
    const survivorGot = () => deliveries.find((delivery) => delivery.orderId === 3 && delivery.replica === "survivor");
    // Within a few ack waits (2 s each), not the minutes of a long ack wait; bounded loosely for a busy machine.
    await waitFor("the survivor to get the event", () => survivorGot() !== undefined, 45_000);
    expect(survivorGot()!.deliveryCount).toBe(2);
  }, 120_000);
});
