import { Inject, Injectable } from "@nestjs/common";
import type { PrismaClient } from "../generated/prisma/client.js";
import type { Facility, FacilityPage, FacilityStatus } from "@voltstack/api";
import { PRISMA } from "@voltstack/chain-sync";

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

  async find(id: number): Promise<Facility | undefined> {
    const row = await this.prisma.facility.findUnique({ where: { id }, include: { operators: true } });
    return row ? toView(row) : undefined;
  }

  async list(filter: FacilityFilter): Promise<FacilityPage> {
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

function toView(row: Row): Facility {
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
