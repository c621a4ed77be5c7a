import { Inject, Injectable } from "@nestjs/common";
import { type ChainRef, createEvent } from "@voltstack/events";
import { enqueue, prismaExecutor } from "@voltstack/messaging";
import { currentTraceContext } from "@voltstack/observability";
import { SERVICE_CONFIG } from "@voltstack/service-kit";
import type { FlowConfig } from "../flow-config.js";
import { GRID_DEMAND_ROW } from "../flow/flow-projection.js";
import type { Prisma } from "../generated/prisma/client.js";
import { type DemandLevels, nextStepStart, planSchedule, type ScheduleStep, STEP_MINUTES } from "./contract-rule.js";

type Tx = Prisma.TransactionClient;

/** The contract's defaults (charge-discharge's data vars) until an admin first sets them. */
export const DEFAULT_DEMAND: DemandLevels = {
  demandLevelPercent: 50,
  lowThresholdPercent: 30,
  highThresholdPercent: 70,
};

// Key of the transaction-scoped advisory lock that serialises recomputations: handlers
// of different subjects (and replicas) run concurrently, and two of them replanning one
// facility from the same version would both store the next one.
const REPLAN_LOCK_KEY = 3103;

/** Where a recomputation comes from: the event that caused it. */
export interface PlanCause {
  chain: ChainRef | null;
  now: Date;
}

/**
 * Recomputes facilities' schedules inside the caller's transaction and, for each one
 * that changed, stores it under the next version and enqueues flow.schedule.updated
 * in that same transaction.
 */
@Injectable()
export class SchedulePlanner {
  constructor(@Inject(SERVICE_CONFIG) private readonly config: FlowConfig) {}

  async currentDemand(tx: Tx): Promise<DemandLevels> {
    const row = await tx.gridDemand.findUnique({ where: { id: GRID_DEMAND_ROW } });
    return row
      ? {
          demandLevelPercent: row.demandLevelPercent,
          lowThresholdPercent: row.lowThresholdPercent,
          highThresholdPercent: row.highThresholdPercent,
        }
      : DEFAULT_DEMAND;
  }

  /** Replans the given facilities, or every facility with known levels; returns those whose schedule changed. */
  /** Holds off other recomputations until `tx` ends (re-entrant within it). */
  async lock(tx: Tx): Promise<void> {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${REPLAN_LOCK_KEY}::bigint)`;
  }

  async replan(tx: Tx, cause: PlanCause, facilityIds?: number[]): Promise<number[]> {
    await this.lock(tx);
    const demand = await this.currentDemand(tx);
    const facilities = await tx.facilityEnergy.findMany({
      where: facilityIds ? { facilityId: { in: facilityIds } } : {},
      orderBy: { facilityId: "asc" },
    });
    const changed: number[] = [];
    const startsAt = nextStepStart(cause.now);
    for (const facility of facilities) {
      const steps = planSchedule(facility, demand, { startsAt, count: this.config.SCHEDULE_STEPS });
      const previous = await tx.flowSchedule.findUnique({ where: { facilityId: facility.facilityId } });
      if (
        previous &&
        previous.demandLevelPercent === demand.demandLevelPercent &&
        sameSteps(previous.steps as unknown as ScheduleStep[], steps)
      ) {
        continue;
      }
      const version = (previous?.version ?? 0) + 1;
      const fields = {
        version,
        demandLevelPercent: demand.demandLevelPercent,
        stepMinutes: STEP_MINUTES,
        steps: steps as unknown as Prisma.InputJsonValue,
        computedAt: cause.now,
      };
      await tx.flowSchedule.upsert({
        where: { facilityId: facility.facilityId },
        create: { facilityId: facility.facilityId, ...fields },
        update: fields,
      });
      const event = createEvent(
        "flow.schedule.updated",
        {
          facilityId: facility.facilityId,
          scheduleVersion: version,
          demandLevelPercent: demand.demandLevelPercent,
          stepMinutes: STEP_MINUTES,
          steps,
        },
        { chain: cause.chain, occurredAt: cause.now, traceContext: currentTraceContext() },
      );
      await enqueue(prismaExecutor(tx), [{ id: event.eventId, subject: event.type, payload: event }], {
        schema: this.config.FLOW_SCHEMA,
      });
      changed.push(facility.facilityId);
    }
    return changed;
  }
}

function sameSteps(a: ScheduleStep[], b: ScheduleStep[]): boolean {
  return (
    a.length === b.length &&
    a.every(
      (step, i) =>
        step.startsAt === b[i]!.startsAt && step.action === b[i]!.action && step.energyKwh === b[i]!.energyKwh,
    )
  );
}
