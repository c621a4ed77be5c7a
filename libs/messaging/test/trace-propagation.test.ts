import type { NatsConnection } from "@nats-io/transport-node";
import type { INestMicroservice } from "@nestjs/common";
import { context, propagation, SpanKind, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { enqueue, JetStreamServer, OutboxRelay, pgExecutor, pgTransactions } from "../src/index.js";
import { startConsumerApp } from "./support/consumer-app.js";
import { connectNats, createPool, createTestPrefix, createTestSchema, waitFor } from "./support/infra.js";

describe("W3C trace context through the outbox and NATS", () => {
  const exporter = new InMemorySpanExporter();
  let db: Awaited<ReturnType<typeof createTestSchema>>;
  let topic: Awaited<ReturnType<typeof createTestPrefix>>;
  let pool: pg.Pool;
  let producerNats: NatsConnection;
  let consumerNats: NatsConnection;
  let relay: OutboxRelay;
  let app: INestMicroservice;
  const seenInHandler: Array<{ traceId: string; spanId: string; eventId: string }> = [];

  beforeAll(async () => {
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());

    db = await createTestSchema();
    topic = await createTestPrefix();
    pool = createPool(db.schema, `${db.schema}-service`, 6);
    producerNats = await connectNats("trace-producer");
    consumerNats = await connectNats("trace-consumer");
    relay = new OutboxRelay({ pool, nats: producerNats, schema: db.schema, subjectPrefix: topic.prefix });
    await relay.start();
    const server = new JetStreamServer({
      service: "billing",
      nats: consumerNats,
      transactions: pgTransactions(pool),
      schema: db.schema,
      subjectPrefix: topic.prefix,
      streams: [{ name: "WORK", subjects: ["work.>"], storage: "memory" }],
    });
    app = await startConsumerApp(server, {
      work: async (_data, ctx) => {
        const active = trace.getActiveSpan()!.spanContext();
        await ctx.runOnce(async () => {
          seenInHandler.push({ traceId: active.traceId, spanId: active.spanId, eventId: ctx.getEventId() });
        });
      },
    });
  });

  afterAll(async () => {
    await app?.close();
    await relay?.stop();
    await producerNats?.close();
    await consumerNats?.close();
    await pool?.end();
    await topic?.removeStreams();
    await db?.drop();
    trace.disable();
    context.disable();
    propagation.disable();
  });

  it("continues the enqueuing request's trace in the send and process spans", async () => {
    const tracer = trace.getTracer("test");
    const { rootTraceId, rootSpanId, eventId } = await tracer.startActiveSpan("POST /orders", async (root) => {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        const [id] = await enqueue(pgExecutor(client), [{ subject: "work.requested", payload: { orderId: 7 } }], {
          schema: db.schema,
        });
        await client.query("COMMIT");
        return { rootTraceId: root.spanContext().traceId, rootSpanId: root.spanContext().spanId, eventId: id! };
      } finally {
        client.release();
        root.end();
      }
    });

    const stored = await db.admin.query<{ traceparent: string }>("SELECT traceparent FROM outbox WHERE id = $1", [
      eventId,
    ]);
    expect(stored.rows[0]!.traceparent).toBe(`00-${rootTraceId}-${rootSpanId}-01`);

    await waitFor("the handler", () => seenInHandler.length === 1);
    const spans = exporter.getFinishedSpans();
    const byName = (name: string): ReadableSpan => {
      const span = spans.find((candidate) => candidate.name === name);
      if (!span) throw new Error(`no span ${name} among ${spans.map((s) => s.name).join(", ")}`);
      return span;
    };
    await waitFor("the process span to end", () =>
      exporter.getFinishedSpans().some((span) => span.name === "process work.requested"),
    );
    const send = byName("send work.requested");
    const processSpan = exporter.getFinishedSpans().find((span) => span.name === "process work.requested")!;

    expect(send.kind).toBe(SpanKind.PRODUCER);
    expect(send.spanContext().traceId).toBe(rootTraceId);
    expect(send.parentSpanContext?.spanId).toBe(rootSpanId);
    expect(send.attributes).toMatchObject({
      "messaging.system": "nats",
      "messaging.destination.name": "work.requested",
      "messaging.message.id": eventId,
    });

    expect(processSpan.kind).toBe(SpanKind.CONSUMER);
    expect(processSpan.spanContext().traceId).toBe(rootTraceId);
    expect(processSpan.parentSpanContext?.spanId).toBe(send.spanContext().spanId);
    expect(processSpan.attributes).toMatchObject({
      "messaging.system": "nats",
      "messaging.consumer.group.name": "billing__work_requested",
    });

    // The handler runs inside the process span, so its own spans (pg, HTTP) join the trace.
    expect(seenInHandler[0]).toEqual({ traceId: rootTraceId, spanId: processSpan.spanContext().spanId, eventId });
  });
});
