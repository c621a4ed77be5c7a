import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  durableName,
  ensureConsumer,
  ensureStreams,
  JetStreamServer,
  MESSAGING_MIGRATION_NAME,
  MESSAGING_MIGRATION_SQL,
  MESSAGING_PRISMA_MODELS,
  pgTransactions,
  retryDelayMs,
  type StreamSpec,
  SubjectNaming,
  subjectMatches,
  writeMessagingMigration,
} from "../src/index.js";
import { startConsumerApp } from "./support/consumer-app.js";
import { connectNats, createPool, createTestPrefix, createTestSchema } from "./support/infra.js";

describe("streams and consumers declared in code", () => {
  let db: Awaited<ReturnType<typeof createTestSchema>>;
  let topic: Awaited<ReturnType<typeof createTestPrefix>>;
  let nc: NatsConnection;
  let pool: pg.Pool;

  beforeAll(async () => {
    db = await createTestSchema();
    topic = await createTestPrefix();
    nc = await connectNats("topology-test");
    pool = createPool(db.schema, `${db.schema}-service`, 4);
  });

  afterAll(async () => {
    await nc?.close();
    await pool?.end();
    await topic?.removeStreams();
    await db?.drop();
  });

  it("creates a stream once, leaves it alone when unchanged, and updates changed limits", async () => {
    const jsm = await jetstreamManager(nc);
    const spec: StreamSpec = {
      name: "FACILITY",
      subjects: ["facility.>"],
      maxAgeMs: 60_000,
      duplicateWindowMs: 30_000,
    };
    const name = topic.naming.streamName("FACILITY");
    expect(await ensureStreams(jsm, topic.naming, [spec])).toEqual({ [name]: "created" });
    expect(await ensureStreams(jsm, topic.naming, [spec])).toEqual({ [name]: "unchanged" });
    expect(await ensureStreams(jsm, topic.naming, [{ ...spec, maxAgeMs: 120_000 }])).toEqual({ [name]: "updated" });
    const info = await jsm.streams.info(name);
    expect(info.config).toMatchObject({
      subjects: [`${topic.prefix}facility.>`],
      retention: "limits",
      storage: "file",
      discard: "old",
      max_age: 120_000 * 1_000_000,
      duplicate_window: 30_000 * 1_000_000,
    });
  });

  it("refuses to change a stream's storage in place", async () => {
    const jsm = await jetstreamManager(nc);
    await ensureStreams(jsm, topic.naming, [{ name: "GRID", subjects: ["grid.>"], storage: "memory" }]);
    await expect(
      ensureStreams(jsm, topic.naming, [{ name: "GRID", subjects: ["grid.>"], storage: "file" }]),
    ).rejects.toMatchObject({
      code: "STREAM_CONFIG_CONFLICT",
    });
  });

  it("creates a durable consumer idempotently and updates its ack wait", async () => {
    const jsm = await jetstreamManager(nc);
    await ensureStreams(jsm, topic.naming, [{ name: "CAPACITY", subjects: ["capacity.>"], storage: "memory" }]);
    const spec = {
      stream: topic.naming.streamName("CAPACITY"),
      durable: durableName("registry", "capacity.updated"),
      filterSubject: topic.naming.wire("capacity.updated"),
      description: "registry handling capacity.updated",
      ackWaitMs: 10_000,
      maxAckPending: 100,
    };
    expect(await ensureConsumer(jsm, nc, spec)).toBe("created");
    expect(await ensureConsumer(jsm, nc, spec)).toBe("unchanged");
    expect(await ensureConsumer(jsm, nc, { ...spec, ackWaitMs: 20_000 })).toBe("updated");
    const info = await jsm.consumers.info(spec.stream, spec.durable);
    expect(info.config).toMatchObject({
      ack_policy: "explicit",
      ack_wait: 20_000 * 1_000_000,
      filter_subject: spec.filterSubject,
      max_deliver: -1,
    });
  });

  it("gives every handler one stable durable consumer, the same across restarts and replicas", async () => {
    const streams: StreamSpec[] = [{ name: "WORK", subjects: ["work.>"], storage: "memory" }];
    const start = async () => {
      const server = new JetStreamServer({
        service: "worker",
        nats: nc,
        transactions: pgTransactions(pool),
        schema: db.schema,
        subjectPrefix: topic.prefix,
        streams,
      });
      const app = await startConsumerApp(server, {});
      return { server, app };
    };
    const first = await start();
    const second = await start();
    const expected = [
      { stream: topic.naming.streamName("WORK"), durable: "worker__work_requested" },
      { stream: topic.naming.streamName("WORK"), durable: "worker__work_audited" },
    ];
    expect(first.server.consumers()).toEqual(expected);
    expect(second.server.consumers()).toEqual(expected);
    const jsm = await jetstreamManager(nc);
    const names: string[] = [];
    for await (const info of jsm.consumers.list(topic.naming.streamName("WORK"))) names.push(info.name);
    expect(names.sort()).toEqual(["worker__work_audited", "worker__work_requested"]);
    await first.app.close();
    await second.app.close();
  });

  it("fails start-up when a handler's subject is in no declared stream", async () => {
    const server = new JetStreamServer({
      service: "worker",
      nats: nc,
      transactions: pgTransactions(pool),
      subjectPrefix: topic.prefix,
      streams: [],
    });
    await expect(startConsumerApp(server, {})).rejects.toMatchObject({ code: "NO_STREAM_FOR_SUBJECT" });
    await server.close();
  });
});

describe("naming, backoff and the migration snippet", () => {
  it("maps logical subjects, stream names and durable names", () => {
    const naming = new SubjectNaming("staging.");
    expect(naming.wire("service.fulfilled")).toBe("staging.service.fulfilled");
    expect(naming.logical("staging.service.fulfilled")).toBe("service.fulfilled");
    expect(naming.streamName("EVENTS")).toBe("staging_EVENTS");
    expect(durableName("grid-services", "service.fulfilled")).toBe("grid-services__service_fulfilled");
    expect(durableName("audit", "facility.>")).toBe("audit__facility_all");
    expect(() => new SubjectNaming("no-dot")).toThrow(/must be dot-separated/);
  });

  it("matches subjects against stream filters with NATS wildcards", () => {
    expect(subjectMatches("facility.>", "facility.approved")).toBe(true);
    expect(subjectMatches("facility.>", "facility")).toBe(false);
    expect(subjectMatches("facility.*", "facility.approved")).toBe(true);
    expect(subjectMatches("facility.*", "facility.a.b")).toBe(false);
    expect(subjectMatches("grid.demand.updated", "grid.demand.updated")).toBe(true);
    expect(subjectMatches("grid.>", "flow.recorded")).toBe(false);
  });

  it("backs off exponentially up to a ceiling", () => {
    const backoff = { initialMs: 1_000, factor: 2, maxMs: 5_000 };
    expect([1, 2, 3, 4, 5].map((delivery) => retryDelayMs(backoff, delivery))).toEqual([
      1_000, 2_000, 4_000, 5_000, 5_000,
    ]);
  });

  it("writes the migration into a Prisma migrations folder, with models covering every table", async () => {
    const dir = await mkdtemp(join(tmpdir(), "messaging-migration-"));
    try {
      const file = await writeMessagingMigration(dir);
      expect(file).toBe(join(dir, MESSAGING_MIGRATION_NAME, "migration.sql"));
      expect(await readFile(file, "utf8")).toBe(MESSAGING_MIGRATION_SQL);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    for (const table of ["outbox", "inbox", "dead_letters"]) {
      expect(MESSAGING_MIGRATION_SQL).toContain(`CREATE TABLE "${table}"`);
      expect(MESSAGING_PRISMA_MODELS).toContain(`@@map("${table}")`);
    }
  });
});
