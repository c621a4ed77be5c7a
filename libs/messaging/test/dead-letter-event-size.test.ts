import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DEAD_LETTER_EVENT_DATA_CHARS,
  type DeadLetterEvent,
  deadLetterStreamSpec,
  enqueue,
  ensureStreams,
  OutboxRelay,
  pgExecutor,
  recordDeadLetter,
} from "../src/index.js";
import { connectNats, count, createPool, createTestPrefix, createTestSchema, waitFor } from "./support/infra.js";

// A message near the streams' 1 MiB limit, dead-lettered: its `dlq.<subject>` event must still
// be publishable, or the relay retries it forever and the service's readiness stays down.

describe("the dlq event of a message near the size limit", () => {
  let db: Awaited<ReturnType<typeof createTestSchema>>;
  let topic: Awaited<ReturnType<typeof createTestPrefix>>;
  let nc: NatsConnection;
  let relay: OutboxRelay;
  let relayPool: ReturnType<typeof createPool>;
  let relayNats: NatsConnection;

  beforeAll(async () => {
    db = await createTestSchema();
    topic = await createTestPrefix();
    nc = await connectNats("dlq-size-test");
    await ensureStreams(await jetstreamManager(nc), topic.naming, [
      { name: "WORK", subjects: ["work.>"], storage: "memory" },
      deadLetterStreamSpec({ storage: "memory" }),
    ]);
    relayPool = createPool(db.schema, `${db.schema}-relay`, 4);
    relayNats = await connectNats("dlq-size-relay");
    relay = new OutboxRelay({
      pool: relayPool,
      nats: relayNats,
      schema: db.schema,
      subjectPrefix: topic.prefix,
      onError: () => undefined,
    });
    await relay.start();
  });

  afterAll(async () => {
    await relay?.stop();
    await relayNats?.close();
    await relayPool?.end();
    await nc?.close();
    await topic?.removeStreams();
    await db?.drop();
  });

  const unsent = () => count(db.admin, "SELECT count(*) AS n FROM outbox WHERE sent_at IS NULL");

  async function lastDeadLetterEvent(): Promise<DeadLetterEvent> {
    const jsm = await jetstreamManager(nc);
    const stream = topic.naming.streamName("DLQ");
    const last = await jsm.streams.getMessage(stream, { last_by_subj: `${topic.prefix}dlq.work.requested` });
    return last!.json<DeadLetterEvent>();
  }

  it.each([
    // Quotes and control characters grow when the body is embedded as a JSON string (\" and \u0000).
    ["quotes", Buffer.alloc(1_000_000, '"')],
    ["control characters", Buffer.alloc(1_000_000, 0)],
    // Bytes that are not UTF-8 become U+FFFD, three bytes each.
    ["bytes that are not UTF-8", Buffer.alloc(1_000_000, 0xff)],
  ])(
    "of %s: the event is published with a truncated copy and the size, the row keeps the whole message",
    async (kind, payload) => {
      const letter = await recordDeadLetter(
        pgExecutor(db.admin),
        {
          consumer: "orders",
          eventId: `event-${kind}`,
          subject: "work.requested",
          stream: "WORK",
          streamSeq: 1,
          payload,
          headers: {},
          errorCode: "PAYLOAD_NOT_JSON",
          errorMessage: "not JSON",
          deliveries: 1,
        },
        db.schema,
      );
      // An event enqueued after it must not be held back by it.
      await enqueue(pgExecutor(db.admin), [{ subject: "work.requested", payload: { orderId: 1 } }], {
        schema: db.schema,
      });

      await waitFor("the outbox to drain", async () => (await unsent()) === 0, 60_000);
      expect(relay.failingForMs()).toBeUndefined();

      const event = await lastDeadLetterEvent();
      expect(event.deadLetterId).toBe(letter.id);
      expect(event.dataBytes).toBe(payload.length);
      expect(event.dataTruncated).toBe(true);
      expect(event.data).toBe(letter.payload.slice(0, DEAD_LETTER_EVENT_DATA_CHARS).replaceAll("\u0000", "\ufffd"));

      expect(await count(db.admin, "SELECT length(payload) AS n FROM dead_letters WHERE id = $1", [letter.id])).toBe(
        payload.length,
      );
    },
    120_000,
  );

  it("carries a small message whole", async () => {
    const payload = Buffer.from(JSON.stringify({ orderId: 2, note: "déjà \u0000 vu" }));
    await recordDeadLetter(
      pgExecutor(db.admin),
      {
        consumer: "orders",
        eventId: "event-small",
        subject: "work.requested",
        stream: "WORK",
        streamSeq: 2,
        payload,
        headers: {},
        errorCode: "ORDER_UNKNOWN",
        errorMessage: "no such order",
        deliveries: 1,
      },
      db.schema,
    );
    await waitFor("the outbox to drain", async () => (await unsent()) === 0, 60_000);
    const event = await lastDeadLetterEvent();
    expect({ data: event.data, dataBytes: event.dataBytes, dataTruncated: event.dataTruncated }).toEqual({
      data: payload.toString("utf8"),
      dataBytes: payload.length,
      dataTruncated: false,
    });
  });
});
