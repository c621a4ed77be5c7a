import { safeUint } from "@voltstack/api";
import "reflect-metadata";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { Controller, Inject, Injectable, Module, type OnApplicationBootstrap, Post } from "@nestjs/common";
import type { Pool } from "pg";
import { z } from "zod";
import { createEvent } from "@voltstack/events";
import { enqueue, ensureStreams, OutboxRelay, pgTransactions, SubjectNaming } from "@voltstack/messaging";
import { currentTraceContext, SpanAttributes, withSpan } from "@voltstack/observability";
import { createPgPool } from "@voltstack/persistence";
import {
  envString,
  Roles,
  SERVICE_CONFIG,
  serviceConfigSchema,
  ShutdownHooks,
  ZodBody,
  ZodParam,
} from "@voltstack/service-kit";
import { FLOW_STREAM } from "./streams.js";

// The upstream service of the trace test: a cut-down "flow" service whose HTTP
// API replaces a facility's charge/discharge schedule and announces it with
// `flow.schedule.updated` through the transactional outbox.

export const flowConfigSchema = serviceConfigSchema({
  defaultPort: 3103,
  extra: { FLOW_SCHEMA: envString().default("flow"), SUBJECT_PREFIX: envString().optional() },
});
export type FlowConfig = z.output<typeof flowConfigSchema>;

/** Its own schema's migration, beside the messaging tables. */
export const FLOW_MIGRATION = {
  name: "20261124000000_schedules",
  sql: `CREATE TABLE "schedules" (
    "facility_id" INTEGER NOT NULL,
    "version" INTEGER NOT NULL,
    "demand_level_percent" INTEGER NOT NULL,
    "step_minutes" INTEGER NOT NULL,
    "steps" JSONB NOT NULL,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "schedules_pkey" PRIMARY KEY ("facility_id")
);
`,
};

const FLOW_DB = Symbol("FLOW_DB");
const FLOW_NATS = Symbol("FLOW_NATS");

const facilityIdParam = z.coerce.number().int().positive();

const scheduleBody = z.strictObject({
  demandLevelPercent: safeUint({ max: 100 }),
  stepMinutes: safeUint({ max: 1440 }).min(1),
  steps: z
    .array(
      z.strictObject({
        startsAt: z.iso.datetime(),
        action: z.enum(["charge", "discharge", "hold"]),
        energyKwh: safeUint(),
      }),
    )
    .min(1)
    .max(1000),
});
export type ScheduleBody = z.input<typeof scheduleBody>;

@Controller("facilities")
class SchedulesController {
  constructor(
    @Inject(FLOW_DB) private readonly pool: Pool,
    @Inject(SERVICE_CONFIG) private readonly config: FlowConfig,
  ) {}

  @Post(":facilityId/schedule")
  @Roles("operator")
  replace(
    @ZodParam("facilityId", facilityIdParam) facilityId: number,
    @ZodBody(scheduleBody) body: z.output<typeof scheduleBody>,
  ): Promise<{ facilityId: number; scheduleVersion: number; eventId: string }> {
    return withSpan("flow replace schedule", { [SpanAttributes.facilityId]: facilityId }, () =>
      // The schedule row and the event announcing it commit together, or neither does.
      pgTransactions(this.pool).transaction(async (client, sql) => {
        const { rows } = await client.query<{ version: number }>(
          `INSERT INTO schedules (facility_id, version, demand_level_percent, step_minutes, steps)
           VALUES ($1, 1, $2, $3, $4::jsonb)
           ON CONFLICT (facility_id) DO UPDATE
             SET version = schedules.version + 1,
                 demand_level_percent = EXCLUDED.demand_level_percent,
                 step_minutes = EXCLUDED.step_minutes,
                 steps = EXCLUDED.steps,
                 updated_at = CURRENT_TIMESTAMP
           RETURNING version`,
          [facilityId, body.demandLevelPercent, body.stepMinutes, JSON.stringify(body.steps)],
        );
        const scheduleVersion = rows[0]!.version;
        const event = createEvent(
          "flow.schedule.updated",
          {
            facilityId,
            scheduleVersion,
            strategy: "contract-rule",
            expectedRevenueMicroStx: null,
            fallbackReason: null,
            ...body,
          },
          { traceContext: currentTraceContext() },
        );
        await enqueue(sql, [{ id: event.eventId, subject: event.type, payload: event }], {
          schema: this.config.FLOW_SCHEMA,
        });
        return { facilityId, scheduleVersion, eventId: event.eventId };
      }),
    );
  }
}

/** Declares the service's stream and runs its outbox relay for the life of the app. */
@Injectable()
class FlowEventPublishing implements OnApplicationBootstrap {
  private readonly relay: OutboxRelay;

  constructor(
    @Inject(FLOW_DB) pool: Pool,
    @Inject(FLOW_NATS) private readonly nats: NatsConnection,
    @Inject(SERVICE_CONFIG) private readonly config: FlowConfig,
    @Inject(ShutdownHooks) hooks: ShutdownHooks,
  ) {
    this.relay = new OutboxRelay({ pool, nats, schema: config.FLOW_SCHEMA, subjectPrefix: config.SUBJECT_PREFIX });
    hooks.register("outbox relay", () => this.relay.stop(), "drain");
    hooks.register("nats", () => nats.drain(), "close");
    hooks.register("postgres", () => pool.end(), "close");
  }

  async onApplicationBootstrap(): Promise<void> {
    await ensureStreams(await jetstreamManager(this.nats), new SubjectNaming(this.config.SUBJECT_PREFIX), [
      FLOW_STREAM,
    ]);
    await this.relay.start();
  }
}

@Module({
  controllers: [SchedulesController],
  providers: [
    {
      provide: FLOW_DB,
      inject: [SERVICE_CONFIG],
      useFactory: (config: FlowConfig) =>
        createPgPool({
          url: config.DATABASE_URL,
          schema: config.FLOW_SCHEMA,
          applicationName: "flow",
          pool: { max: config.DATABASE_POOL_MAX, connectionTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS },
        }),
    },
    {
      provide: FLOW_NATS,
      inject: [SERVICE_CONFIG],
      useFactory: (config: FlowConfig) => connect({ servers: config.NATS_URL, name: "flow" }),
    },
    FlowEventPublishing,
  ],
})
export class FlowModule {}
