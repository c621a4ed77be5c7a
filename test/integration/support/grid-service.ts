import "reflect-metadata";
import { Controller, Inject, Module } from "@nestjs/common";
import { NestFactory } from "@nestjs/core";
import { Ctx, EventPattern, type MicroserviceOptions, Payload } from "@nestjs/microservices";
import type { INestMicroservice } from "@nestjs/common";
import type { Pool, PoolClient } from "pg";
import { type DomainEvent, EventValidationError, parseEvent } from "@voltstack/events";
import {
  type JetStreamContext,
  JetStreamExceptionFilter,
  JetStreamServer,
  NonRetryableError,
  pgTransactions,
} from "@voltstack/messaging";
import { SpanAttributes, withSpan } from "@voltstack/observability";
import { FLOW_STREAM } from "./streams.js";

// The downstream service of the trace test: a cut-down "grid" service that
// keeps a read model of every facility's current schedule, fed by
// `flow.schedule.updated` on its own durable JetStream consumer.

export const GRID_SERVICE = "grid";

/** Its own schema's migration, beside the messaging tables. */
export const GRID_MIGRATION = {
  name: "20261124000000_facility_schedules",
  sql: `CREATE TABLE "facility_schedules" (
    "facility_id" INTEGER NOT NULL,
    "schedule_version" INTEGER NOT NULL,
    "step_count" INTEGER NOT NULL,
    "updates_applied" INTEGER NOT NULL,
    CONSTRAINT "facility_schedules_pkey" PRIMARY KEY ("facility_id")
);
`,
};

/** What the handler saw for one delivery, for the test to wait on and inspect. */
export type HandledDelivery = {
  eventId: string;
  deliveryCount: number;
  applied: boolean;
  event: DomainEvent<"flow.schedule.updated">;
};

const HANDLED = Symbol("HANDLED");

@Controller()
class ScheduleProjection {
  constructor(@Inject(HANDLED) private readonly handled: HandledDelivery[]) {}

  @EventPattern<string>("flow.schedule.updated")
  async onScheduleUpdated(@Payload() data: unknown, @Ctx() ctx: JetStreamContext<PoolClient>): Promise<void> {
    let event: DomainEvent<"flow.schedule.updated">;
    try {
      event = parseEvent("flow.schedule.updated", data);
    } catch (error) {
      if (error instanceof EventValidationError) throw new NonRetryableError(error.code, error.message);
      throw error;
    }
    const { facilityId, scheduleVersion, steps } = event.payload;
    const outcome = await withSpan("grid project schedule", { [SpanAttributes.facilityId]: facilityId }, () =>
      // updates_applied counts applications, so a second application of one event would show.
      ctx.runOnce((tx) =>
        tx.query(
          `INSERT INTO facility_schedules (facility_id, schedule_version, step_count, updates_applied)
           VALUES ($1, $2, $3, 1)
           ON CONFLICT (facility_id) DO UPDATE
             SET schedule_version = GREATEST(facility_schedules.schedule_version, EXCLUDED.schedule_version),
                 step_count = EXCLUDED.step_count,
                 updates_applied = facility_schedules.updates_applied + 1`,
          [facilityId, scheduleVersion, steps.length],
        ),
      ),
    );
    this.handled.push({
      eventId: ctx.getEventId(),
      deliveryCount: ctx.getDeliveryCount(),
      applied: outcome.applied,
      event,
    });
  }
}

export type GridServiceOptions = {
  pool: Pool;
  natsUrl: string;
  schema: string;
  subjectPrefix: string;
  handled: HandledDelivery[];
};

/** Starts the consumer as the grid service's main would: a Nest microservice on the JetStream transport. */
export async function startGridService(options: GridServiceOptions): Promise<INestMicroservice> {
  @Module({ controllers: [ScheduleProjection], providers: [{ provide: HANDLED, useValue: options.handled }] })
  class GridModule {}

  const server = new JetStreamServer({
    service: GRID_SERVICE,
    nats: { servers: options.natsUrl, name: GRID_SERVICE },
    transactions: pgTransactions(options.pool),
    schema: options.schema,
    subjectPrefix: options.subjectPrefix,
    streams: [FLOW_STREAM],
  });
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(GridModule, {
    strategy: server,
    logger: false,
  });
  app.useGlobalFilters(new JetStreamExceptionFilter());
  await app.listen();
  return app;
}
