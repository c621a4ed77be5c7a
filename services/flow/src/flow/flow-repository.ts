import { Inject, Injectable } from "@nestjs/common";
import type { PrismaClient } from "../generated/prisma/client.js";
import { PRISMA } from "@voltstack/chain-sync";
import { type DemandLevels, suggestedAction } from "../schedule/strategies/contract-rule/contract-rule.js";
import type { ScheduleStep } from "../schedule/scheduling-strategy.js";
import { DEFAULT_DEMAND } from "../schedule/schedule-planner.js";
import { GRID_DEMAND_ROW } from "../chain-sync/flow-projection.js";

export interface GridDemandView extends DemandLevels {
  /** Null while no admin has set demand or thresholds: the contract's defaults apply. */
  lastTxid: string | null;
  lastHeight: number | null;
  updatedAt: string | null;
}

/** A flow record as the API shows it; kWh as JSON integers, as in the events. */
export interface FlowRecordView {
  recordId: number;
  facilityId: number;
  action: "charge" | "discharge";
  energyKwh: number;
  demandLevelPercent: number;
  storedAfterKwh: number;
  recordedBy: string;
  txid: string;
  blockHeight: number;
  recordedAt: string;
}

export interface FlowRecordFilter {
  facilityId?: number;
  action?: "charge" | "discharge";
  recordedBy?: string;
  /** Keyset paging: records with a greater id. */
  after?: number;
  limit: number;
}

export interface SuggestedActionView {
  facilityId: number;
  action: "charge" | "discharge" | "hold";
  energyKwh: number;
  basis: { demand: DemandLevels; storedKwh: number; availableKwh: number; maxPowerKw: number; capacityHeight: number };
}

export interface ScheduleView {
  facilityId: number;
  scheduleVersion: number;
  demandLevelPercent: number;
  /** The strategy that produced the steps; fallbackReason says why it is not the facility's own. */
  strategy: string;
  /** What the steps earn at the price curve net of wear, micro-STX; null when no curve priced them. */
  expectedRevenueMicroStx: string | null;
  fallbackReason: string | null;
  stepMinutes: number;
  steps: ScheduleStep[];
  computedAt: string;
}

/** Reads of the flow read model; queries never go to the chain. */
@Injectable()
export class FlowRepository {
  constructor(@Inject(PRISMA) private readonly prisma: PrismaClient) {}

  async gridDemand(): Promise<GridDemandView> {
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

  async flowRecords(filter: FlowRecordFilter): Promise<{ items: FlowRecordView[]; nextAfter: number | null }> {
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
        action: row.action as "charge" | "discharge",
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
  async suggestedAction(facilityId: number): Promise<SuggestedActionView | undefined> {
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

  async schedule(facilityId: number): Promise<ScheduleView | undefined> {
    const row = await this.prisma.flowSchedule.findUnique({ where: { facilityId } });
    if (!row) return undefined;
    return {
      facilityId,
      scheduleVersion: row.version,
      demandLevelPercent: row.demandLevelPercent,
      strategy: row.strategy,
      expectedRevenueMicroStx: row.expectedRevenueMicroStx?.toString() ?? null,
      fallbackReason: row.fallbackReason,
      stepMinutes: row.stepMinutes,
      steps: row.steps as unknown as ScheduleStep[],
      computedAt: row.computedAt.toISOString(),
    };
  }
}
