import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { jetstream } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import type { INestMicroservice } from "@nestjs/common";
import { checkDatabaseReady, createPgPool, createPrismaClient } from "@voltstack/persistence";
import { type PrivatePostgres, startPrivatePostgres } from "@voltstack/service-testing";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  enqueue,
  JetStreamServer,
  MESSAGING_MIGRATION_SQL,
  OutboxRelay,
  pgExecutor,
  pgTransactions,
  prismaTransactions,
  type StreamSpec,
} from "../src/index.js";
import { startConsumerApp } from "./support/consumer-app.js";
import { count, createTestPrefix, natsUrl, waitFor } from "./support/infra.js";

const streams: StreamSpec[] = [{ name: "WORK", subjects: ["work.>"] }];
const schema = "restart_test";
const fixtureDir = join(import.meta.dirname, "prisma-fixture");
type FixtureModule = typeof import("./prisma-fixture/generated/prisma/client.js");
type FixtureClient = InstanceType<FixtureModule["PrismaClient"]>;

/** The messaging test fixture's generated Prisma client (generated here when missing). */
async function fixturePrismaClient(): Promise<FixtureModule["PrismaClient"]> {
  if (!existsSync(join(fixtureDir, "generated", "prisma", "client.ts"))) {
    const run = spawnSync(
      process.execPath,
      ["--import", "tsx", "scripts/prisma-generate.ts", join(fixtureDir, "schema.prisma")],
      { cwd: join(import.meta.dirname, "..", "..", ".."), encoding: "utf8" },
    );
    if (run.status !== 0) throw new Error(`prisma generate failed:\n${run.stdout}${run.stderr}`);
  }
  return (await import("./prisma-fixture/generated/prisma/client.js")).PrismaClient;
}

describe("a PostgreSQL restart", () => {
  let postgres: PrivatePostgres;
  let topic: Awaited<ReturnType<typeof createTestPrefix>>;
  let nats: NatsConnection;
  let relayPool: pg.Pool;
  let consumerPool: pg.Pool;
  let admin: pg.Pool;
  let relay: OutboxRelay;
  let app: INestMicroservice;
  let prisma: FixtureClient;
  let prismaApp: INestMicroservice;
  /** Handled by a second consumer whose transactions go through Prisma's pg adapter and its own pool. */
  const handledThroughPrisma: number[] = [];
  const handled: number[] = [];
  const deliveryCounts = new Map<number, number>();
  const stateChanges: string[] = [];
  const uncaught: unknown[] = [];
  const onUncaught = (error: unknown) => uncaught.push(error);

  beforeAll(async () => {
    process.on("uncaughtException", onUncaught);
    postgres = await startPrivatePostgres();
    topic = await createTestPrefix();
    // The pools services use: idle connections that die with the server must not crash the process.
    const pool = (applicationName: string, max: number) =>
      createPgPool({ url: postgres.url, schema, applicationName, pool: { max, connectionTimeoutMs: 2_000 } });
    admin = pool("admin", 2);
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.query(MESSAGING_MIGRATION_SQL);
    relayPool = pool("relay", 3);
    consumerPool = pool("consumer", 4);
    nats = await connect({ servers: natsUrl, maxReconnectAttempts: -1 });
    relay = new OutboxRelay({
      pool: relayPool,
      nats,
      schema,
      subjectPrefix: topic.prefix,
      onError: () => undefined,
      onRecovered: () => undefined,
    });
    await relay.start();
    const server = new JetStreamServer({
      service: "restart",
      nats,
      transactions: pgTransactions(consumerPool),
      schema,
      subjectPrefix: topic.prefix,
      streams,
      // Two deliveries with 50 ms between them: an outage that counted would dead-letter at once.
      consumerDefaults: { ackWaitMs: 3_000, maxDeliver: 2, backoff: { initialMs: 50, factor: 1, maxMs: 50 } },
      onError: () => undefined,
      onStateChange: (line) => stateChanges.push(line),
    });
    app = await startConsumerApp(server, {
      work: async (data, ctx) => {
        deliveryCounts.set(data.orderId, ctx.getDeliveryCount());
        await ctx.runOnce(async () => handled.push(data.orderId));
      },
    });
    prisma = createPrismaClient(await fixturePrismaClient(), {
      url: postgres.url,
      schema,
      applicationName: "prisma-consumer",
      pool: { max: 4, connectionTimeoutMs: 2_000 },
    });
    prismaApp = await startConsumerApp(
      new JetStreamServer({
        service: "restart-prisma",
        nats,
        transactions: prismaTransactions(prisma),
        schema,
        subjectPrefix: topic.prefix,
        streams,
        consumerDefaults: { ackWaitMs: 3_000, maxDeliver: 2, backoff: { initialMs: 50, factor: 1, maxMs: 50 } },
        onError: () => undefined,
      }),
      {
        work: async (data, ctx) => {
          await ctx.runOnce(async () => handledThroughPrisma.push(data.orderId));
        },
      },
    );
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await prismaApp?.close();
    await prisma?.$disconnect();
    await relay?.stop();
    await nats?.close();
    for (const pool of [relayPool, consumerPool, admin]) await pool?.end();
    await topic?.removeStreams();
    await postgres?.close();
    process.off("uncaughtException", onUncaught);
  });

  async function publish(orderId: number): Promise<void> {
    await enqueue(pgExecutor(admin), [{ subject: "work.requested", payload: { orderId } }], { schema });
  }

  for (const mode of ["fast", "immediate"] as const) {
    it(`(${mode} stop) leaves the relay and the consumers working again, the process unharmed`, async () => {
      const first = Math.max(0, ...handled) + 1;
      await publish(first);
      await waitFor("an event handled before the restart", () => handled.includes(first), 60_000);

      await postgres.stop(mode);
      await expect(checkDatabaseReady(relayPool)).rejects.toMatchObject({ code: "DATABASE_NOT_READY" });
      // An event that arrives meanwhile (straight from NATS: the outbox is down too) is held, not burnt.
      const duringOutage = first + 2;
      const heldBefore = stateChanges.length;
      await jetstream(nats).publish(`${topic.prefix}work.requested`, JSON.stringify({ orderId: duringOutage }), {
        msgID: `during-outage-${mode}`,
      });
      await waitFor(
        "the consumer to hold its delivery",
        () => stateChanges.slice(heldBefore).some((line) => line.includes("held until it does")),
        60_000,
      );
      await postgres.start();

      await waitFor(
        "the database answering",
        () =>
          checkDatabaseReady(admin).then(
            () => true,
            () => false,
          ),
        60_000,
      );
      await publish(first + 1);
      await waitFor("an event handled after the restart", () => handled.includes(first + 1), 60_000);
      await waitFor("the held event handled", () => handled.includes(duringOutage), 60_000);
      await waitFor(
        "the Prisma consumer to handle all three",
        () => [first, first + 1, duringOutage].every((orderId) => handledThroughPrisma.includes(orderId)),
        60_000,
      );
      expect(deliveryCounts.get(duringOutage)).toBe(1);
      expect(await count(admin, `SELECT count(*)::int AS n FROM ${schema}.outbox WHERE sent_at IS NULL`)).toBe(0);
      expect(await count(admin, `SELECT count(*)::int AS n FROM ${schema}.dead_letters`)).toBe(0);
      expect(uncaught).toEqual([]);
    }, 180_000);
  }
});
