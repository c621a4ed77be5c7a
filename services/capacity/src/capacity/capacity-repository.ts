import { Inject, Injectable } from "@nestjs/common";
import type { PrismaClient } from "../generated/prisma/client.js";
import type { Capacity, CapacityPage } from "@voltstack/api";
import { PRISMA } from "@voltstack/chain-sync";

/** A facility approved by an admin, as facility.approved told this service. */
export interface ApprovedFacility {
  id: number;
  owner: string;
  capacityKwh: bigint;
}

/** Reads of the capacity read model; queries never go to the chain. */
@Injectable()
export class CapacityRepository {
  constructor(@Inject(PRISMA) private readonly prisma: PrismaClient) {}

  async findCapacity(facilityId: number): Promise<Capacity | undefined> {
    const row = await this.prisma.capacity.findUnique({ where: { facilityId } });
    return row ? toView(row) : undefined;
  }

  async list(page: { after?: number; limit: number }): Promise<CapacityPage> {
    const rows = await this.prisma.capacity.findMany({
      where: page.after !== undefined ? { facilityId: { gt: page.after } } : {},
      orderBy: { facilityId: "asc" },
      take: page.limit + 1,
    });
    const items = rows.slice(0, page.limit);
    return {
      items: items.map(toView),
      nextAfter: rows.length > page.limit ? items[items.length - 1]!.facilityId : null,
    };
  }

  async findApprovedFacility(id: number): Promise<ApprovedFacility | undefined> {
    const row = await this.prisma.approvedFacility.findUnique({ where: { id } });
    return row ? { id: row.id, owner: row.owner, capacityKwh: row.capacityKwh } : undefined;
  }

  /** Approved facilities whose capacity is not initialised yet, by id. */
  async awaitingInitialisation(page: { after?: number; limit: number }): Promise<ApprovedFacility[]> {
    const rows = await this.prisma.$queryRaw<{ id: number; owner: string; capacity_kwh: bigint }[]>`
      SELECT f.id, f.owner, f.capacity_kwh FROM approved_facilities f
      WHERE NOT EXISTS (SELECT 1 FROM capacities c WHERE c.facility_id = f.id) AND f.id > ${page.after ?? 0}
      ORDER BY f.id LIMIT ${page.limit}`;
    return rows.map((row) => ({ id: row.id, owner: row.owner, capacityKwh: row.capacity_kwh }));
  }
}

type Row = NonNullable<Awaited<ReturnType<PrismaClient["capacity"]["findUnique"]>>>;

function toView(row: Row): Capacity {
  return {
    facilityId: row.facilityId,
    totalKwh: Number(row.totalKwh),
    storedKwh: Number(row.storedKwh),
    reservedKwh: Number(row.reservedKwh),
    availableKwh: Number(row.availableKwh),
    lastReason: row.lastReason,
    initializedTxid: row.initializedTxid,
    initializedHeight: row.initializedHeight,
    lastTxid: row.lastTxid,
    lastHeight: row.lastHeight,
    updatedAt: row.updatedAt.toISOString(),
  };
}
