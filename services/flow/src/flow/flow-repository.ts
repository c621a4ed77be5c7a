import { type StrategyName } from "@voltstack/api";
import { Inject, Injectable } from "@nestjs/common";
import type { PrismaClient } from "../generated/prisma/client.js";
import type { FlowRecord, FlowRecordPage, GridDemand, Schedule, ScheduleStep, SuggestedAction } from "@voltstack/api";
import { PRISMA } from "@voltstack/chain-sync";
import { suggestedAction } from "../schedule/strategies/contract-rule/contract-rule.js";
import { DEFAULT_DEMAND } from "../schedule/schedule-planner.js";
import { GRID_DEMAND_ROW } from "../chain-sync/flow-projection.js";

export interface FlowRecordFilter {
  facilityId?: number;
  action?: "charge" | "discharge";
  recordedBy?: string;
  /** Keyset paging: records with a greater id. */
  after?: number;
  limit: number;
}

/** Reads of the flow read model; queries never go to the chain. */
@Injectable()
export class FlowRepository {
  constructor(@Inject(PRISMA) private readonly prisma: PrismaClient) {}

  async gridDemand(): Promise<GridDemand> {
    const row = await this.prisma.gridDemand.findUnique({ where: { id: GRID_DEMAND_ROW } });
    if (!row) return { ...DEFAULT_DEMAND, lastTxid: null, lastHeight: null, updatedAt: null };
    return {
      demandLevelPercent: row.demandLevelPercent,
      lowThresholdPercent: row.lowThresholdPercent,
      highThresholdPercent: row.highThresholdPercent,
      lastTxid: row.lastTxid,
      lastHeight: row.lastHeight,
      updatedAt: row.updatedAt.toISOString(),
    };
  }

  async flowRecords(filter: FlowRecordFilter): Promise<FlowRecordPage> {
    const rows = await this.prisma.flowRecord.findMany({
      where: {
        ...(filter.facilityId !== undefined ? { facilityId: filter.facilityId } : {}),
        ...(filter.action ? { action: filter.action } : {}),
        ...(filter.recordedBy ? { recordedBy: filter.recordedBy } : {}),
        ...(filter.after !== undefined ? { recordId: { gt: filter.after } } : {}),
      },
      orderBy: { recordId: "asc" },
      take: filter.limit + 1,
    });
    const page = rows.slice(0, filter.limit);
    return {
      items: page.map((row) => ({
        recordId: row.recordId,
        facilityId: row.facilityId,
        action: row.action as FlowRecord["action"],
        energyKwh: Number(row.energyKwh),
        demandLevelPercent: row.demandLevelPercent,
        storedAfterKwh: Number(row.storedAfterKwh),
        recordedBy: row.recordedBy,
        txid: row.txid,
        blockHeight: row.blockHeight,
        recordedAt: row.recordedAt.toISOString(),
      })),
      nextAfter: rows.length > filter.limit ? page[page.length - 1]!.recordId : null,
    };
  }

  /** The contract's rule applied to the read model; undefined while the facility's levels are unknown. */
  async suggestedAction(facilityId: number): Promise<SuggestedAction | undefined> {
    const energy = await this.prisma.facilityEnergy.findUnique({ where: { facilityId } });
    if (!energy) return undefined;
    const demand = await this.gridDemand();
    const { action, energyKwh } = suggestedAction(energy, demand);
    return {
      facilityId,
      action,
      energyKwh: Number(energyKwh),
      basis: {
        demand: {
          demandLevelPercent: demand.demandLevelPercent,
          lowThresholdPercent: demand.lowThresholdPercent,
          highThresholdPercent: demand.highThresholdPercent,
        },
        storedKwh: Number(energy.storedKwh),
        availableKwh: Number(energy.availableKwh),
        maxPowerKw: Number(energy.maxPowerKw),
        capacityHeight: energy.capacityHeight,
      },
    };
  }

  async schedule(facilityId: number): Promise<Schedule | undefined> {
    const row = await this.prisma.flowSchedule.findUnique({ where: { facilityId } });
    if (!row) return undefined;
    return {
      facilityId,
      scheduleVersion: row.version,
      demandLevelPercent: row.demandLevelPercent,
      strategy: row.strategy as StrategyName,
      expectedRevenueMicroStx: row.expectedRevenueMicroStx?.toString() ?? null,
      fallbackReason: row.fallbackReason,
      stepMinutes: row.stepMinutes,
      steps: row.steps as unknown as ScheduleStep[],
      computedAt: row.computedAt.toISOString(),
    };
  }
}
