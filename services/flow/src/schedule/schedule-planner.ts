import { type StrategyName } from "@voltstack/api";
import { Inject, Injectable, Logger } from "@nestjs/common";
import { type ChainRef, createEvent } from "@voltstack/events";
import { enqueue, prismaExecutor } from "@voltstack/messaging";
import { currentTraceContext } from "@voltstack/observability";
import { SERVICE_CONFIG } from "@voltstack/service-kit";
import type { FlowConfig } from "../flow-config.js";
import { GRID_DEMAND_ROW } from "../chain-sync/flow-projection.js";
import type { Prisma } from "../generated/prisma/client.js";
import { SchedulingStrategies } from "./scheduling-strategies.js";
import type {
  BatterySettings,
  Horizon,
  PlannedSchedule,
  PlanningFacility,
  PlanningInputs,
  ReserveHold,
  ScheduleStep,
} from "./scheduling-strategy.js";
import { type DemandLevels, nextStepStart } from "./strategies/contract-rule/contract-rule.js";

type Tx = Prisma.TransactionClient;

/** The contract's defaults (charge-discharge's data vars) until an admin first sets them. */
export const DEFAULT_DEMAND: DemandLevels = {
  demandLevelPercent: 50,
  lowThresholdPercent: 30,
  highThresholdPercent: 70,
};

// A horizon is at most a week of 5-minute steps.
const MAX_HORIZON_STEPS = 2_016;

// Key of the transaction-scoped advisory lock that serialises recomputations: handlers
// of different subjects (and replicas) run concurrently, and two of them replanning one
// facility from the same version would both store the next one.
const REPLAN_LOCK_KEY = 3103;

/** Where a recomputation comes from: the event that caused it. */
export interface PlanCause {
  chain: ChainRef | null;
  now: Date;
}

/** A schedule as stored: the strategy's plan, and why the facility's own strategy was not used. */
export type StoredPlan = PlannedSchedule & { fallbackReason: string | null };

/**
 * Recomputes facilities' schedules inside the caller's transaction with each facility's
 * strategy and, for each one that changed, stores it under the next version and enqueues
 * flow.schedule.updated in that same transaction. A strategy that cannot plan (no prices ahead,
 * infeasible limits, a solve that timed out) leaves its facilities to the contract's rule, and
 * the schedule says why.
 */
@Injectable()
export class SchedulePlanner {
  private readonly logger = new Logger(SchedulePlanner.name);

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: FlowConfig,
    @Inject(SchedulingStrategies) private readonly strategies: SchedulingStrategies,
  ) {}

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

  /** Holds off other recomputations until `tx` ends (re-entrant within it). */
  async lock(tx: Tx): Promise<void> {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${REPLAN_LOCK_KEY}::bigint)`;
  }

  /** The service's defaults for a facility whose owner declared no battery model. */
  defaultSettings(): BatterySettings {
    return {
      strategy: this.config.SCHEDULE_STRATEGY,
      chargeEfficiencyBps: this.config.BATTERY_CHARGE_EFFICIENCY_BPS,
      dischargeEfficiencyBps: this.config.BATTERY_DISCHARGE_EFFICIENCY_BPS,
      selfDischargeBpsPerDay: this.config.BATTERY_SELF_DISCHARGE_BPS_PER_DAY,
      degradationMicroStxPerKwh: this.config.BATTERY_DEGRADATION_MICRO_STX_PER_KWH,
      maxCyclesPerDay: null,
      endKwh: null,
      executeOnChain: false,
    };
  }

  get fleetLimit(): PlanningInputs["fleetLimit"] {
    const { FLEET_IMPORT_LIMIT_KW: importKw, FLEET_EXPORT_LIMIT_KW: exportKw } = this.config;
    if (importKw === 0 && exportKw === 0) return null;
    return { importKw: importKw || null, exportKw: exportKw || null };
  }

  /** Replans the given facilities, or every facility with known levels; returns those whose schedule changed. */
  async replan(tx: Tx, cause: PlanCause, facilityIds?: number[]): Promise<number[]> {
    await this.lock(tx);
    const demand = await this.currentDemand(tx);
    let ids = facilityIds;
    // A shared connection couples every optimally planned facility: replanning one replans them all.
    if (ids && this.fleetLimit) {
      const optimal = await this.facilitiesUsing(tx, "optimal");
      if (ids.some((id) => optimal.includes(id))) ids = [...new Set([...ids, ...optimal])];
    }
    const facilities = await this.planningFacilities(tx, ids);
    const plans = await this.plan(tx, facilities, demand, cause.now);
    const changed: number[] = [];
    for (const plan of plans) {
      if (await this.store(tx, plan, demand, cause)) changed.push(plan.facilityId);
    }
    return changed;
  }

  /**
   * Plans the facilities, each group with its strategy; a group whose strategy fails is
   * planned by the contract's rule instead, with the failure as the reason.
   */
  async plan(tx: Tx, facilities: PlanningFacility[], demand: DemandLevels, now: Date): Promise<StoredPlan[]> {
    const ruleHorizon: Horizon = { startsAt: nextStepStart(now), stepMinutes: 60, count: this.config.SCHEDULE_STEPS };
    const base: PlanningInputs = { demand, prices: null, fleetLimit: this.fleetLimit };
    const rule = (group: PlanningFacility[]) => this.strategies.contractRule.plan(group, base, ruleHorizon);
    const ruled = facilities.filter((facility) => facility.settings.strategy === "contract-rule");
    const optimal = facilities.filter((facility) => facility.settings.strategy === "optimal");
    const plans: StoredPlan[] = (await rule(ruled)).map((plan) => ({ ...plan, fallbackReason: null }));
    if (optimal.length > 0) {
      const window = await this.priceWindow(tx, now);
      try {
        const planned = await this.strategies
          .get("optimal")
          .plan(optimal, { ...base, prices: window?.prices ?? null }, window?.horizon ?? ruleHorizon);
        plans.push(...planned.map((plan) => ({ ...plan, fallbackReason: null })));
      } catch (error) {
        const reason = describeFailure(error);
        this.logger.warn(`optimal planning of ${optimal.length} facilities fell back to the contract rule: ${reason}`);
        plans.push(...(await rule(optimal)).map((plan) => ({ ...plan, fallbackReason: reason })));
      }
    }
    return plans.sort((a, b) => a.facilityId - b.facilityId);
  }

  /** The facilities with known levels, as strategies see them: levels, battery model, reserve. */
  async planningFacilities(tx: Tx, facilityIds?: number[]): Promise<PlanningFacility[]> {
    const where = facilityIds ? { facilityId: { in: facilityIds } } : {};
    const [levels, settings, commitments] = await Promise.all([
      tx.facilityEnergy.findMany({ where, orderBy: { facilityId: "asc" } }),
      tx.scheduleSettings.findMany({ where }),
      tx.reserveCommitment.findMany({ where, orderBy: { programId: "asc" } }),
    ]);
    const settingsOf = new Map(settings.map((row) => [row.facilityId, row]));
    return levels.map((level) => {
      const own = settingsOf.get(level.facilityId);
      return {
        state: { ...level },
        settings: own
          ? {
              strategy: own.strategy as StrategyName,
              chargeEfficiencyBps: own.chargeEfficiencyBps,
              dischargeEfficiencyBps: own.dischargeEfficiencyBps,
              selfDischargeBpsPerDay: own.selfDischargeBpsPerDay,
              degradationMicroStxPerKwh: own.degradationMicroStxPerKwh,
              maxCyclesPerDay: own.maxCyclesPerDay,
              endKwh: own.endKwh,
              executeOnChain: own.executeOnChain,
            }
          : this.defaultSettings(),
        reserves: commitments
          .filter((commitment) => commitment.facilityId === level.facilityId)
          .map((commitment): ReserveHold => ({
            programId: commitment.programId,
            product: commitment.product,
            upKw: commitment.upKw,
            downKw: commitment.downKw,
            durationMinutes: commitment.durationMinutes,
          })),
      };
    });
  }

  /** The price curve's steps from the next step boundary on (at most a week), or null when none is ahead. */
  async priceWindow(tx: Tx, now: Date): Promise<{ horizon: Horizon; prices: number[] } | null> {
    const curve = await tx.priceCurve.findUnique({ where: { id: 1 } });
    if (!curve) return null;
    const stepMs = curve.stepMinutes * 60_000;
    const first = Math.max(0, Math.ceil((now.getTime() - curve.startsAt.getTime()) / stepMs));
    const prices = curve.pricesMicroStxPerKwh.slice(first, first + MAX_HORIZON_STEPS);
    if (prices.length === 0) return null;
    return {
      horizon: {
        startsAt: new Date(curve.startsAt.getTime() + first * stepMs),
        stepMinutes: curve.stepMinutes,
        count: prices.length,
      },
      prices,
    };
  }

  private async facilitiesUsing(tx: Tx, strategy: StrategyName): Promise<number[]> {
    const chosen = await tx.scheduleSettings.findMany({ select: { facilityId: true, strategy: true } });
    if (this.config.SCHEDULE_STRATEGY !== strategy) {
      return chosen.filter((row) => row.strategy === strategy).map((row) => row.facilityId);
    }
    const elsewhere = new Set(chosen.filter((row) => row.strategy !== strategy).map((row) => row.facilityId));
    const all = await tx.facilityEnergy.findMany({ select: { facilityId: true } });
    return all.map((row) => row.facilityId).filter((id) => !elsewhere.has(id));
  }

  /** Stores the plan under the next version and enqueues its event, unless nothing changed. */
  private async store(tx: Tx, plan: StoredPlan, demand: DemandLevels, cause: PlanCause): Promise<boolean> {
    const { facilityId } = plan;
    const previous = await tx.flowSchedule.findUnique({ where: { facilityId } });
    if (
      previous &&
      previous.demandLevelPercent === demand.demandLevelPercent &&
      previous.strategy === plan.strategy &&
      previous.stepMinutes === plan.stepMinutes &&
      previous.fallbackReason === plan.fallbackReason &&
      previous.expectedRevenueMicroStx === plan.expectedRevenueMicroStx &&
      sameSteps(previous.steps as unknown as ScheduleStep[], plan.steps)
    ) {
      return false;
    }
    const version = (previous?.version ?? 0) + 1;
    const fields = {
      version,
      demandLevelPercent: demand.demandLevelPercent,
      stepMinutes: plan.stepMinutes,
      steps: plan.steps as unknown as Prisma.InputJsonValue,
      strategy: plan.strategy,
      expectedRevenueMicroStx: plan.expectedRevenueMicroStx,
      fallbackReason: plan.fallbackReason,
      computedAt: cause.now,
    };
    await tx.flowSchedule.upsert({ where: { facilityId }, create: { facilityId, ...fields }, update: fields });
    const event = createEvent(
      "flow.schedule.updated",
      {
        facilityId,
        scheduleVersion: version,
        demandLevelPercent: demand.demandLevelPercent,
        strategy: plan.strategy,
        expectedRevenueMicroStx: plan.expectedRevenueMicroStx?.toString() ?? null,
        fallbackReason: plan.fallbackReason,
        stepMinutes: plan.stepMinutes,
        steps: plan.steps,
      },
      {
        chain: cause.chain,
        deployment: { network: this.config.STACKS_NETWORK, deployer: this.config.CONTRACT_DEPLOYER },
        occurredAt: cause.now,
        traceContext: currentTraceContext(),
      },
    );
    await enqueue(prismaExecutor(tx), [{ id: event.eventId, subject: event.type, payload: event }], {
      schema: this.config.FLOW_SCHEMA,
    });
    return true;
  }
}

function describeFailure(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const constraint = (error as { constraint?: unknown }).constraint;
    const prefix =
      typeof code === "string" ? `${code}${typeof constraint === "string" ? ` (${constraint})` : ""}: ` : "";
    return `${prefix}${error.message}`.slice(0, 500);
  }
  return String(error).slice(0, 500);
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
