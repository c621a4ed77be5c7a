import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { headers as natsHeaders, type NatsConnection } from "@nats-io/transport-node";
import type { INestMicroservice } from "@nestjs/common";
import { PrismaPg } from "@prisma/adapter-pg";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DeadLetterStore,
  durableName,
  enqueue,
  EVENT_ID_HEADER,
  JetStreamServer,
  MESSAGING_PRISMA_MODELS,
  OutboxRelay,
  prismaExecutor,
  prismaTransactions,
  recordDeadLetter,
} from "../src/index.js";
import { startConsumerApp } from "./support/consumer-app.js";
import { connectNats, createPool, createTestPrefix, createTestSchema, databaseUrl, waitFor } from "./support/infra.js";

// The generated client is not committed; scripts/prisma-generate.ts writes it,
// and this file runs it first when it is missing.
type FixtureModule = typeof import("./prisma-fixture/generated/prisma/client.js");
type FixtureClient = InstanceType<FixtureModule["PrismaClient"]>;
type Tx = Parameters<Parameters<FixtureClient["$transaction"]>[0]>[0];

const fixtureDir = join(import.meta.dirname, "prisma-fixture");

describe("inside Prisma interactive transactions", () => {
  let db: Awaited<ReturnType<typeof createTestSchema>>;
  let topic: Awaited<ReturnType<typeof createTestPrefix>>;
  let prisma: FixtureClient;
  let pool: pg.Pool;
  let nc: NatsConnection;
  let relay: OutboxRelay;
  let app: INestMicroservice;

  beforeAll(async () => {
    if (!existsSync(join(fixtureDir, "generated", "prisma", "client.ts"))) {
      const root = join(import.meta.dirname, "..", "..", "..");
      const run = spawnSync(
        process.execPath,
        ["--import", "tsx", "scripts/prisma-generate.ts", join(fixtureDir, "schema.prisma")],
        { cwd: root, encoding: "utf8" },
      );
      if (run.status !== 0) throw new Error(`prisma generate failed:\n${run.stdout}${run.stderr}`);
    }
    const fixture: FixtureModule = await import("./prisma-fixture/generated/prisma/client.js");
    db = await createTestSchema(
      `CREATE TABLE "shipments" ("id" INTEGER NOT NULL, "event_id" TEXT NOT NULL, CONSTRAINT "shipments_pkey" PRIMARY KEY ("id"));`,
    );
    topic = await createTestPrefix();
    prisma = new fixture.PrismaClient({
      adapter: new PrismaPg({ connectionString: databaseUrl, max: 6 }, { schema: db.schema }),
    });
    pool = createPool(db.schema, `${db.schema}-relay`, 3);
    nc = await connectNats("prisma-test");
    relay = new OutboxRelay({ pool, nats: nc, schema: db.schema, subjectPrefix: topic.prefix });
    await relay.start();
    const server = new JetStreamServer({
      service: "shipping",
      nats: nc,
      transactions: prismaTransactions(prisma),
      schema: db.schema,
      subjectPrefix: topic.prefix,
      streams: [{ name: "WORK", subjects: ["work.>"], storage: "memory" }],
    });
    app = await startConsumerApp<Tx>(server, {
      work: async (data, ctx) => {
        await ctx.runOnce(async (tx) => {
          await tx.shipment.create({ data: { id: data.orderId, eventId: ctx.getEventId() } });
        });
      },
    });
  });

  afterAll(async () => {
    await app?.close();
    await relay?.stop();
    await nc?.close();
    await pool?.end();
    await prisma?.$disconnect();
    await topic?.removeStreams();
    await db?.drop();
  });

  it("uses the exported models verbatim in the service's schema.prisma", () => {
    expect(readFileSync(join(fixtureDir, "schema.prisma"), "utf8")).toContain(MESSAGING_PRISMA_MODELS);
  });

  it("commits events with the domain change, or neither", async () => {
    await expect(
      prisma.$transaction(async (tx) => {
        await tx.shipment.create({ data: { id: 1_000, eventId: "none" } });
        await enqueue(prismaExecutor(tx), [{ subject: "work.audited", payload: { orderId: 1_000 } }], {
          schema: db.schema,
        });
        throw new Error("the domain change failed validation");
      }),
    ).rejects.toThrow("the domain change failed validation");
    expect(await prisma.outboxEvent.count({ where: { subject: "work.audited" } })).toBe(0);
    expect(await prisma.shipment.count({ where: { id: 1_000 } })).toBe(0);
  });

  it("carries events from a Prisma transaction to a handler whose effect commits through Prisma exactly once", async () => {
    const orders = Array.from({ length: 20 }, (_, i) => i + 1);
    const ids = await prisma.$transaction(async (tx) =>
      enqueue(
        prismaExecutor(tx),
        orders.map((orderId) => ({ subject: "work.requested", payload: { orderId } })),
        { schema: db.schema },
      ),
    );
    await waitFor("the shipments", async () => (await prisma.shipment.count()) === orders.length);

    // The same event again under another msgID (as after the duplicate window): the inbox skips it.
    const duplicateHeaders = natsHeaders();
    duplicateHeaders.set(EVENT_ID_HEADER, ids[0]!);
    await jetstream(nc).publish(topic.naming.wire("work.requested"), JSON.stringify({ orderId: 1 }), {
      msgID: "late-copy",
      headers: duplicateHeaders,
    });
    const jsm = await jetstreamManager(nc);
    await waitFor("the copy to be handled", async () => {
      const info = await jsm.consumers.info(topic.naming.streamName("WORK"), durableName("shipping", "work.requested"));
      return info.delivered.stream_seq === 21 && info.num_ack_pending === 0;
    });

    expect(await prisma.shipment.count()).toBe(orders.length);
    const inbox = await prisma.inboxEvent.findMany({ where: { consumer: durableName("shipping", "work.requested") } });
    expect(inbox.map((row) => row.eventId).sort()).toEqual([...ids].sort());
    const outbox = await prisma.outboxEvent.findMany({ where: { subject: "work.requested" }, orderBy: { seq: "asc" } });
    expect(outbox.map((row) => row.id)).toEqual(ids);
    expect(outbox.every((row) => row.sentAt instanceof Date)).toBe(true);
  });

  it("stores and lists dead letters through Prisma, readable with the DeadLetter model", async () => {
    const stored = await prisma.$transaction((tx) =>
      recordDeadLetter(
        prismaExecutor(tx),
        {
          consumer: "shipping__work_requested",
          eventId: "0b6f9a52-5c1e-4d2b-9f43-1f0e7a9d2c11",
          subject: "work.requested",
          stream: "WORK",
          streamSeq: 99,
          payload: new TextEncoder().encode('{"orderId":99}'),
          headers: { "Nats-Msg-Id": "0b6f9a52-5c1e-4d2b-9f43-1f0e7a9d2c11" },
          errorCode: "INVALID_ORDER",
          errorMessage: "Order 99 has no lines.",
          deliveries: 1,
        },
        db.schema,
      ),
    );
    const store = new DeadLetterStore(prismaTransactions(prisma), db.schema);
    expect((await store.list()).map((letter) => letter.id)).toEqual([stored.id]);
    const row = await prisma.deadLetter.findUniqueOrThrow({ where: { id: stored.id } });
    expect(row).toMatchObject({ errorCode: "INVALID_ORDER", streamSeq: 99n, deliveries: 1, replayCount: 0 });
    expect(Buffer.from(row.payload).toString("utf8")).toBe('{"orderId":99}');
    expect(await prisma.outboxEvent.count({ where: { subject: "dlq.work.requested" } })).toBe(1);
  });
});
