import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import { jetstream } from "@nats-io/jetstream";
import { connect, headers as natsHeaders } from "@nats-io/transport-node";
import type { INestMicroservice } from "@nestjs/common";
import { SpanKind } from "@opentelemetry/api";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import type { Pool } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { durableName, EVENT_ID_HEADER } from "@voltstack/messaging";
import { createTestTracing, defaultInstrumentations, type TestTracing } from "@voltstack/observability";
import { createPgPool } from "@voltstack/persistence";
import { hashApiKey, loadConfig, startTestService, type TestService } from "@voltstack/service-kit";
import { FLOW_MIGRATION, FlowModule, flowConfigSchema, type ScheduleBody } from "./support/flow-service.js";
import { GRID_MIGRATION, GRID_SERVICE, type HandledDelivery, startGridService } from "./support/grid-service.js";
import {
  databaseUrl,
  dropSchemas,
  migrateServiceSchema,
  natsUrl,
  removeStreams,
  uniqueToken,
  waitFor,
} from "./support/infra.js";

// One trace from an HTTP request to another service's event handler:
//   POST (flow, HTTP server span) -> use case span -> outbox row (same transaction)
//   -> relay's "send flow.schedule.updated" (producer) -> JetStream
//   -> grid's "process flow.schedule.updated" (consumer) -> handler's work and its SQL.
// Both services run in this process against the real PostgreSQL and NATS.

const SUBJECT = "flow.schedule.updated";
const OPERATOR = "ST2CY5V39NHDPWSXMW9QDT3HC3GD6Q6XX4CFRK9AG";
const operatorKey = `vsk_operator_${randomBytes(32).toString("hex")}`;

const schedule: ScheduleBody = {
  demandLevelPercent: 82,
  stepMinutes: 60,
  steps: [
    { startsAt: "2026-11-24T06:00:00.000Z", action: "discharge", energyKwh: 500 },
    { startsAt: "2026-11-24T07:00:00.000Z", action: "hold", energyKwh: 0 },
  ],
};

type Replaced = { facilityId: number; scheduleVersion: number; eventId: string };

describe("trace propagation from an HTTP request through the outbox and NATS into another service", () => {
  const token = uniqueToken();
  const flowSchema = `trace_flow_${token}`;
  const gridSchema = `trace_grid_${token}`;
  const subjectPrefix = `trace${token}.`;
  const consumer = durableName(GRID_SERVICE, SUBJECT);
  const handled: HandledDelivery[] = [];
  let tracing: TestTracing;
  let flow: TestService;
  let grid: INestMicroservice;
  let gridPool: Pool;
  let flowDb: Pool;

  beforeAll(async () => {
    tracing = createTestTracing({ instrumentations: defaultInstrumentations() });
    // The instrumentations patch http and pg when they are required after being
    // enabled (as Express and pg are in a service preloaded with the register
    // hook); both patch shared prototypes, so the ES-module imports see it too.
    const require = createRequire(import.meta.url);
    require("node:http");
    require("pg");

    await migrateServiceSchema(flowSchema, FLOW_MIGRATION);
    await migrateServiceSchema(gridSchema, GRID_MIGRATION);
    flowDb = createPgPool({
      url: databaseUrl,
      schema: flowSchema,
      applicationName: "trace-test-flow-reader",
      pool: { max: 2 },
    });
    gridPool = createPgPool({ url: databaseUrl, schema: gridSchema, applicationName: "grid", pool: { max: 4 } });

    grid = await startGridService({ pool: gridPool, natsUrl, schema: gridSchema, subjectPrefix, handled });
    const env = {
      DATABASE_URL: databaseUrl,
      NATS_URL: natsUrl,
      DATABASE_POOL_MAX: "4",
      FLOW_SCHEMA: flowSchema,
      SUBJECT_PREFIX: subjectPrefix,
      AUTH_API_KEYS: JSON.stringify([
        { name: "grid-operator", sha256: hashApiKey(operatorKey), role: "operator", principals: [OPERATOR] },
      ]),
    };
    flow = await startTestService(FlowModule, { name: "flow", config: loadConfig(flowConfigSchema, env) });
  });

  afterAll(async () => {
    await flow?.close();
    await grid?.close();
    await gridPool?.end();
    await flowDb?.end();
    await removeStreams(subjectPrefix);
    await dropSchemas([flowSchema, gridSchema]);
    await tracing?.shutdown();
  });

  function replaceSchedule(facilityId: number, authorization?: string): Promise<Response> {
    return fetch(`${flow.baseUrl}/facilities/${facilityId}/schedule`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(authorization ? { authorization } : {}) },
      body: JSON.stringify(schedule),
    });
  }

  async function replaceScheduleAndWaitForGrid(facilityId: number): Promise<Replaced> {
    const response = await replaceSchedule(facilityId, `Bearer ${operatorKey}`);
    expect(response.status).toBe(201);
    const replaced = (await response.json()) as Replaced;
    await waitFor(`grid to handle event ${replaced.eventId}`, () =>
      handled.some((h) => h.eventId === replaced.eventId),
    );
    return replaced;
  }

  /** The chain of finished spans above `span`, nearest first. */
  function ancestors(span: ReadableSpan): ReadableSpan[] {
    const chain: ReadableSpan[] = [];
    for (let parent = tracing.parentOf(span); parent; parent = tracing.parentOf(parent)) chain.push(parent);
    return chain;
  }

  /** The one finished span called `name` in the trace. */
  function onlySpanInTrace(traceId: string, name: string): ReadableSpan {
    const found = tracing.spansInTrace(traceId).filter((span) => span.name === name);
    expect(found, `spans "${name}" in trace ${traceId}`).toHaveLength(1);
    return found[0]!;
  }

  const spanId = (span: ReadableSpan) => span.spanContext().spanId;
  const traceIdOf = (span: ReadableSpan) => span.spanContext().traceId;

  it("keeps one trace id from the HTTP server span through send and process spans into the handler's work", async () => {
    const { eventId } = await replaceScheduleAndWaitForGrid(7);

    const processSpan = await tracing.waitForSpan(
      (span) => span.name === `process ${SUBJECT}` && span.attributes["messaging.message.id"] === eventId,
    );
    const serverSpan = await tracing.waitForSpan(
      (span) => span.kind === SpanKind.SERVER && span.attributes["url.path"] === "/facilities/7/schedule",
    );
    const traceId = traceIdOf(serverSpan);

    // The request starts the trace (the test's fetch sends no traceparent).
    expect(serverSpan.parentSpanContext).toBeUndefined();
    expect(serverSpan.attributes).toMatchObject({ "http.request.method": "POST", "http.response.status_code": 201 });

    const useCase = onlySpanInTrace(traceId, "flow replace schedule");
    expect(ancestors(useCase)).toContain(serverSpan);

    // The domain row and the outbox row were written inside the use case, in one transaction.
    const upstreamSql = tracing
      .spansInTrace(traceId)
      .filter((span) => span.attributes["db.system.name"] === "postgresql");
    const statements = upstreamSql.map((span) => String(span.attributes["db.query.text"]));
    expect(statements.some((text) => text.startsWith("INSERT INTO schedules"))).toBe(true);
    expect(statements.some((text) => text.includes("INSERT INTO") && text.includes("outbox"))).toBe(true);

    // The trace context the event carries is the use case's span, in the envelope and on the outbox row.
    const expectedTraceparent = `00-${traceId}-${spanId(useCase)}-01`;
    const outbox = await flowDb.query<{
      traceparent: string;
      sent_at: Date | null;
      payload: { traceContext: unknown };
    }>("SELECT traceparent, sent_at, payload FROM outbox WHERE id = $1", [eventId]);
    expect(outbox.rows).toHaveLength(1);
    expect(outbox.rows[0]!.traceparent).toBe(expectedTraceparent);
    expect(outbox.rows[0]!.sent_at).not.toBeNull();
    expect(outbox.rows[0]!.payload.traceContext).toEqual({ traceparent: expectedTraceparent });

    const delivered = handled.filter((h) => h.eventId === eventId);
    expect(delivered).toHaveLength(1);
    expect(delivered[0]!.event.eventId).toBe(eventId);
    expect(delivered[0]!.event.traceContext).toEqual({ traceparent: expectedTraceparent });

    // The relay's producer span continues the use case's trace...
    const sends = tracing
      .spansNamed(`send ${SUBJECT}`)
      .filter((span) => span.attributes["messaging.message.id"] === eventId);
    expect(sends).toHaveLength(1);
    const send = sends[0]!;
    expect(send.kind).toBe(SpanKind.PRODUCER);
    expect(traceIdOf(send)).toBe(traceId);
    expect(send.parentSpanContext?.spanId).toBe(spanId(useCase));
    expect(send.attributes).toMatchObject({
      "messaging.system": "nats",
      "messaging.operation.type": "send",
      "messaging.destination.name": SUBJECT,
    });

    // ...and the consumer span in the other service is the producer span's child.
    expect(processSpan.kind).toBe(SpanKind.CONSUMER);
    expect(traceIdOf(processSpan)).toBe(traceId);
    expect(processSpan.parentSpanContext?.spanId).toBe(spanId(send));
    expect(processSpan.attributes).toMatchObject({
      "messaging.system": "nats",
      "messaging.operation.type": "process",
      "messaging.destination.name": SUBJECT,
      "messaging.consumer.group.name": consumer,
      "messaging.message.delivery_count": 1,
    });

    // The handler's work runs inside the process span, and its SQL inside that work.
    const work = onlySpanInTrace(traceId, "grid project schedule");
    expect(work.parentSpanContext?.spanId).toBe(spanId(processSpan));
    const effect = tracing
      .spansInTrace(traceId)
      .filter((span) => String(span.attributes["db.query.text"] ?? "").startsWith("INSERT INTO facility_schedules"));
    expect(effect).toHaveLength(1);
    expect(ancestors(effect[0]!)).toContain(work);

    // Every span of the trace hangs from the HTTP request.
    const inTrace = tracing.spansInTrace(traceId);
    for (const span of inTrace.filter((candidate) => candidate !== serverSpan)) {
      expect(ancestors(span), `span "${span.name}" should descend from the request`).toContain(serverSpan);
    }
    expect(inTrace).toEqual(expect.arrayContaining([serverSpan, useCase, send, processSpan, work]));

    // The effect was applied once, recorded in the inbox in the same transaction.
    const readModel = await gridPool.query(
      "SELECT schedule_version, step_count, updates_applied FROM facility_schedules WHERE facility_id = 7",
    );
    expect(readModel.rows).toEqual([{ schedule_version: 1, step_count: 2, updates_applied: 1 }]);
    const inbox = await gridPool.query("SELECT consumer, subject FROM inbox WHERE event_id = $1", [eventId]);
    expect(inbox.rows).toEqual([{ consumer, subject: SUBJECT }]);
  });

  it("applies the effect once when the same event is delivered again", async () => {
    const { eventId } = await replaceScheduleAndWaitForGrid(8);
    const published = await flowDb.query<{ payload: string }>(
      "SELECT payload::text AS payload FROM outbox WHERE id = $1",
      [eventId],
    );

    // A second copy of the event, as a replay or a publish beyond the duplicate window delivers it.
    const nc = await connect({ servers: natsUrl, name: "trace-test-redelivery", maxReconnectAttempts: 0 });
    try {
      const copyHeaders = natsHeaders();
      copyHeaders.set(EVENT_ID_HEADER, eventId);
      await jetstream(nc).publish(`${subjectPrefix}${SUBJECT}`, published.rows[0]!.payload, { headers: copyHeaders });
    } finally {
      await nc.close();
    }
    await waitFor("grid to handle the second copy", () => handled.filter((h) => h.eventId === eventId).length === 2);

    expect(handled.filter((h) => h.eventId === eventId).map((h) => h.applied)).toEqual([true, false]);
    const readModel = await gridPool.query(
      "SELECT schedule_version, updates_applied FROM facility_schedules WHERE facility_id = 8",
    );
    expect(readModel.rows).toEqual([{ schedule_version: 1, updates_applied: 1 }]);
    const inbox = await gridPool.query("SELECT count(*)::int AS n FROM inbox WHERE event_id = $1", [eventId]);
    expect(inbox.rows[0]).toEqual({ n: 1 });
  });

  it("refuses the request without an API key and neither writes nor enqueues anything", async () => {
    const response = await replaceSchedule(9);
    expect(response.status).toBe(401);
    expect(((await response.json()) as { code: string }).code).toBe("UNAUTHENTICATED");
    const written = await flowDb.query(
      "SELECT (SELECT count(*)::int FROM schedules WHERE facility_id = 9) AS schedules, (SELECT count(*)::int FROM outbox WHERE payload -> 'payload' ->> 'facilityId' = '9') AS events",
    );
    expect(written.rows[0]).toEqual({ schedules: 0, events: 0 });
  });
});
