import { rm } from "node:fs/promises";
import type { INestMicroservice } from "@nestjs/common";
import { natsReadiness } from "@voltstack/service-kit";
import { type PrivateNats, startPrivateNats } from "@voltstack/service-testing";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  connectWatched,
  enqueue,
  JetStreamServer,
  type NatsConnectionWatch,
  OutboxRelay,
  pgExecutor,
  pgTransactions,
  type StreamSpec,
} from "../src/index.js";
import { startConsumerApp } from "./support/consumer-app.js";
import { count, createPool, createTestSchema, uniqueToken, waitFor } from "./support/infra.js";

const streams: StreamSpec[] = [{ name: "WORK", subjects: ["work.>"] }];
/** Longer than the client's default reconnect policy (10 attempts 2 s apart), which closed the connection for good. */
const LONG_OUTAGE_MS = 60_000;

describe("a NATS outage, short or long, ends by itself", () => {
  let nats: PrivateNats;
  let db: Awaited<ReturnType<typeof createTestSchema>>;
  let pool: pg.Pool;
  let watch: NatsConnectionWatch;
  let relay: OutboxRelay;
  let server: JetStreamServer;
  let app: INestMicroservice;
  const prefix = `o${uniqueToken()}.`;
  const handled: number[] = [];
  const relayErrors: unknown[] = [];
  const stateChanges: string[] = [];

  beforeAll(async () => {
    nats = await startPrivateNats();
    db = await createTestSchema();
    pool = createPool(db.schema, `${db.schema}-relay`, 6);
    ({ watch } = await connectWatched(
      { servers: nats.url, name: "outage-test" },
      { log: (line) => stateChanges.push(line), error: (line) => stateChanges.push(line) },
    ));
    relay = new OutboxRelay({
      pool,
      nats: watch.connection,
      schema: db.schema,
      subjectPrefix: prefix,
      streams,
      onError: (error) => relayErrors.push(error),
      onRecovered: () => undefined,
    });
    server = new JetStreamServer({
      service: "outage",
      nats: watch.connection,
      transactions: pgTransactions(pool),
      schema: db.schema,
      subjectPrefix: prefix,
      streams,
      consumerDefaults: { ackWaitMs: 3_000, backoff: { initialMs: 50, factor: 2, maxMs: 500 } },
      onError: () => undefined,
      onStateChange: (line) => stateChanges.push(line),
    });
    app = await startConsumerApp(server, {
      work: async (data, ctx) => {
        await ctx.runOnce(async () => handled.push(data.orderId));
      },
    });
    await relay.start();
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await relay?.stop();
    watch?.stopping();
    await watch?.connection.close();
    await pool?.end();
    await db?.drop();
    await nats?.close();
  });

  async function publish(orderId: number): Promise<void> {
    await enqueue(pgExecutor(db.admin), [{ subject: "work.requested", payload: { orderId } }], { schema: db.schema });
  }

  const ready = () => natsReadiness(watch.connection, watch)(new AbortController().signal);
  const live = () => {
    watch.assertRecoverable();
    expect(server.health().notLive).toEqual([]);
  };

  it(
    "publishes what accumulated and delivers it again after 60 s without NATS, unready meanwhile and live throughout",
    async () => {
      await publish(1);
      await waitFor("the first event handled", () => handled.includes(1), 60_000);
      await expect(ready()).resolves.toBeUndefined();

      await nats.stop();
      await waitFor("the connection seen as lost", () => watch.state === "disconnected", 60_000);
      await expect(ready()).rejects.toThrow(/NATS at .* unreachable for \d+ s, reconnecting/);
      await publish(2);
      await publish(3);
      // The outage itself: waited out, not asserted on.
      await new Promise((resolve) => setTimeout(resolve, LONG_OUTAGE_MS));
      expect(watch.state).toBe("disconnected");
      expect(live).not.toThrow();
      await expect(ready()).rejects.toThrow(/unreachable/);
      expect(await count(db.admin, `SELECT count(*)::int AS n FROM "${db.schema}".outbox WHERE sent_at IS NULL`)).toBe(
        2,
      );

      await nats.start();
      await waitFor("both events handled", () => handled.includes(2) && handled.includes(3), 120_000);
      await waitFor(
        "readiness up again",
        () =>
          ready().then(
            () => true,
            () => false,
          ),
        60_000,
      );
      expect(live).not.toThrow();
      expect(await count(db.admin, `SELECT count(*)::int AS n FROM "${db.schema}".outbox WHERE sent_at IS NULL`)).toBe(
        0,
      );
      expect([...handled].sort()).toEqual([1, 2, 3]);
      // One line when the connection went, one when it came back: not one per attempt.
      expect(stateChanges.filter((line) => line.includes("outage-test"))).toEqual([
        expect.stringMatching(/lost/),
        expect.stringMatching(/back .* after \d+ s and \d+ attempts/),
      ]);
      // The relay said once that it could not publish, not once per retry.
      expect(relayErrors.length).toBe(1);
    },
    LONG_OUTAGE_MS + 300_000,
  );

  it("declares its stream and consumer again when the server comes back without its storage", async () => {
    await nats.stop();
    await rm(nats.storeDir, { recursive: true, force: true });
    await nats.start();
    await publish(4);
    await waitFor("the event after the lost storage handled", () => handled.includes(4), 120_000);
    await waitFor("every consumer fetching", () => server.health().notReady.length === 0, 60_000);
    expect(stateChanges.some((line) => /consumer .* fetching again/.test(line))).toBe(true);
  }, 300_000);
});
