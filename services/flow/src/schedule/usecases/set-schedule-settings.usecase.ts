import { Inject, Injectable } from "@nestjs/common";
import type { ScheduleSettings, scheduleSettingsBody } from "@voltstack/api";
import { InfeasibleScheduleError, InvalidScheduleInputError } from "@voltstack/optimiser";
import { SpanAttributes, withSpan } from "@voltstack/observability";
import { ApiError, type Caller, SERVICE_CONFIG } from "@voltstack/service-kit";
import type { z } from "zod";
import { type FlowConfig, REPLAN_TRANSACTION_MARGIN_MS } from "../../flow-config.js";
import { FacilityRegistryReader } from "../../chain/facility-registry-reader.js";
import type { PrismaClient } from "../../generated/prisma/client.js";
import { PRISMA } from "@voltstack/chain-sync";
import { SchedulePlanner } from "../schedule-planner.js";
import type { BatterySettings, Horizon } from "../scheduling-strategy.js";
import { SchedulingStrategies } from "../scheduling-strategies.js";
import { nextStepStart } from "../strategies/contract-rule/contract-rule.js";

export interface SetScheduleSettingsCommand {
  caller: Caller;
  facilityId: number;
  body: z.output<typeof scheduleSettingsBody>;
}

/**
 * The owner or an operator of a facility (or an admin) declares its battery model and chooses
 * its strategy. An optimal choice is planned once against the facility's levels and reserve
 * before it is stored, so limits that no schedule can meet (a reserve larger than the battery)
 * are refused with the constraint named; then the facility is replanned in the same transaction.
 */
@Injectable()
export class SetScheduleSettingsUseCase {
  constructor(
    @Inject(PRISMA) private readonly prisma: PrismaClient,
    @Inject(SchedulePlanner) private readonly planner: SchedulePlanner,
    @Inject(SchedulingStrategies) private readonly strategies: SchedulingStrategies,
    @Inject(FacilityRegistryReader) private readonly registry: FacilityRegistryReader,
    @Inject(SERVICE_CONFIG) private readonly config: FlowConfig,
  ) {}

  execute({ caller, facilityId, body }: SetScheduleSettingsCommand): Promise<ScheduleSettings> {
    return withSpan("flow set schedule settings", { [SpanAttributes.facilityId]: facilityId }, async () => {
      const principal = await this.authorise(caller, facilityId, body.actAs);
      const defaults = this.planner.defaultSettings();
      const settings: BatterySettings = {
        strategy: body.strategy,
        chargeEfficiencyBps: body.chargeEfficiencyBps ?? defaults.chargeEfficiencyBps,
        dischargeEfficiencyBps: body.dischargeEfficiencyBps ?? defaults.dischargeEfficiencyBps,
        selfDischargeBpsPerDay: body.selfDischargeBpsPerDay ?? defaults.selfDischargeBpsPerDay,
        degradationMicroStxPerKwh: body.degradationMicroStxPerKwh ?? defaults.degradationMicroStxPerKwh,
        maxCyclesPerDay: body.maxCyclesPerDay ?? null,
        endKwh: body.endKwh === undefined || body.endKwh === null ? null : BigInt(body.endKwh),
        executeOnChain: body.executeOnChain,
      };
      const now = new Date();
      await this.prisma.$transaction(
        async (tx) => {
          await this.planner.lock(tx);
          const [facility] = await this.planner.planningFacilities(tx, [facilityId]);
          if (facility && settings.strategy === "optimal") {
            // Feasibility hardly depends on prices: without a curve ahead a flat day is planned.
            const window = await this.planner.priceWindow(tx, now);
            const horizon: Horizon = window?.horizon ?? { startsAt: nextStepStart(now), stepMinutes: 60, count: 24 };
            const prices = window?.prices ?? new Array<number>(horizon.count).fill(0);
            try {
              await this.strategies
                .get("optimal")
                .plan(
                  [{ ...facility, settings }],
                  { demand: await this.planner.currentDemand(tx), prices, fleetLimit: null },
                  horizon,
                );
            } catch (error) {
              if (error instanceof InfeasibleScheduleError) {
                throw ApiError.unprocessable(
                  "SCHEDULE_INFEASIBLE",
                  `No schedule of facility ${facilityId} meets its limits: ${error.message}.`,
                  { facilityId, constraint: error.constraint, ...figures(facility) },
                );
              }
              if (error instanceof InvalidScheduleInputError) {
                throw ApiError.unprocessable("SCHEDULE_INPUT_INVALID", error.message, {
                  facilityId,
                  field: error.field,
                });
              }
              throw error;
            }
          }
          const fields = {
            ...settings,
            updatedBy: principal,
            updatedAt: now,
          };
          await tx.scheduleSettings.upsert({
            where: { facilityId },
            create: { facilityId, ...fields },
            update: fields,
          });
          await this.planner.replan(tx, { chain: null, now }, [facilityId]);
        },
        { timeout: this.config.OPTIMISER_TIMEOUT_MS * 2 + REPLAN_TRANSACTION_MARGIN_MS },
      );
      return settingsView(facilityId, settings, true);
    });
  }

  /** The principal that acts: the facility's owner or an enabled operator among the caller's, or an admin. */
  private async authorise(caller: Caller, facilityId: number, actAs?: string): Promise<string> {
    const { facility, signers } = await this.registry.signers(facilityId, caller);
    const candidates = [...(caller.principals.includes(facility.owner) ? [facility.owner] : []), ...signers.operators];
    if (caller.roles.includes("admin")) {
      for (const principal of caller.principals) {
        if (!candidates.includes(principal) && (await this.registry.isAdmin(principal))) candidates.push(principal);
      }
    }
    const chosen = actAs ? candidates.find((principal) => principal === actAs) : candidates[0];
    if (!chosen) {
      throw ApiError.forbidden(
        "NOT_FACILITY_SIGNER",
        actAs
          ? `${actAs} is not facility ${facilityId}'s owner, one of its operators or an admin.`
          : `None of the caller's principals is facility ${facilityId}'s owner, one of its operators or an admin.`,
        { facilityId, owner: facility.owner, principals: caller.principals },
      );
    }
    return chosen;
  }
}

export function settingsView(facilityId: number, settings: BatterySettings, declared: boolean): ScheduleSettings {
  return { facilityId, ...settings, endKwh: settings.endKwh === null ? null : Number(settings.endKwh), declared };
}

function figures(facility: {
  state: { totalKwh: bigint; storedKwh: bigint; maxPowerKw: bigint };
  reserves: { upKw: bigint; downKw: bigint; durationMinutes: number; programId: number }[];
}) {
  return {
    totalKwh: Number(facility.state.totalKwh),
    storedKwh: Number(facility.state.storedKwh),
    maxPowerKw: Number(facility.state.maxPowerKw),
    reserves: facility.reserves.map((reserve) => ({
      programId: reserve.programId,
      upKw: Number(reserve.upKw),
      downKw: Number(reserve.downKw),
      durationMinutes: reserve.durationMinutes,
    })),
  };
}
