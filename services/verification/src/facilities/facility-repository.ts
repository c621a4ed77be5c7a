import { Inject, Injectable } from "@nestjs/common";
import type { PrismaClient } from "../generated/prisma/client.js";
import { PRISMA } from "@voltstack/chain-sync";

export const FACILITY_STATUSES = ["pending", "approved", "rejected", "suspended"] as const;
export type FacilityStatus = (typeof FACILITY_STATUSES)[number];

/** A facility as the API shows it; kWh and kW as JSON integers, as in the events that carried them here. */
export interface FacilityView {
  id: number;
  owner: string;
  name: string;
  location: string;
  capacityKwh: number;
  maxPowerKw: number;
  status: FacilityStatus;
  rejectionReason: string | null;
  operators: { operator: string; enabled: boolean; updatedAt: string }[];
  registeredAt: string;
  registeredTxid: string;
  registeredHeight: number;
  updatedAt: string;
  lastTxid: string;
  lastHeight: number;
}

export interface FacilityFilter {
  status?: FacilityStatus;
  owner?: string;
  /** Keyset paging: facilities with a greater id. */
  after?: number;
  limit: number;
}

/** Reads of the facility read model; queries never go to the chain. */
@Injectable()
export class FacilityRepository {
  constructor(@Inject(PRISMA) private readonly prisma: PrismaClient) {}

  async find(id: number): Promise<FacilityView | undefined> {
    const row = await this.prisma.facility.findUnique({ where: { id }, include: { operators: true } });
    return row ? toView(row) : undefined;
  }

  async list(filter: FacilityFilter): Promise<{ items: FacilityView[]; nextAfter: number | null }> {
    const rows = await this.prisma.facility.findMany({
      where: {
        ...(filter.status ? { status: filter.status } : {}),
        ...(filter.owner ? { owner: filter.owner } : {}),
        ...(filter.after !== undefined ? { id: { gt: filter.after } } : {}),
      },
      include: { operators: true },
      orderBy: { id: "asc" },
      take: filter.limit + 1,
    });
    const page = rows.slice(0, filter.limit);
    return { items: page.map(toView), nextAfter: rows.length > filter.limit ? page[page.length - 1]!.id : null };
  }
}

type Row = NonNullable<Awaited<ReturnType<PrismaClient["facility"]["findUnique"]>>> & {
  operators: { operator: string; enabled: boolean; updatedAt: Date }[];
};

function toView(row: Row): FacilityView {
  return {
    id: row.id,
    owner: row.owner,
    name: row.name,
    location: row.location,
    capacityKwh: Number(row.capacityKwh),
    maxPowerKw: Number(row.maxPowerKw),
    status: row.status as FacilityStatus,
    rejectionReason: row.rejectionReason,
    operators: row.operators
      .map((o) => ({ operator: o.operator, enabled: o.enabled, updatedAt: o.updatedAt.toISOString() }))
      .sort((a, b) => a.operator.localeCompare(b.operator)),
    registeredAt: row.registeredAt.toISOString(),
    registeredTxid: row.registeredTxid,
    registeredHeight: row.registeredHeight,
    updatedAt: row.updatedAt.toISOString(),
    lastTxid: row.lastTxid,
    lastHeight: row.lastHeight,
  };
}
