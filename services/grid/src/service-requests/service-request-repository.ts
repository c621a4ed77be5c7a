import { Inject, Injectable } from "@nestjs/common";
import type { PrismaClient } from "../generated/prisma/client.js";
import type { ServiceRequest, ServiceRequestPage, ServiceRequestStatus } from "@voltstack/api";
import { PRISMA } from "@voltstack/chain-sync";

export interface ServiceRequestFilter {
  status?: ServiceRequestStatus;
  facility?: number;
  /** Keyset paging: requests with a greater id. */
  after?: number;
  limit: number;
}

/** Reads of the service-request read model; queries never go to the chain. */
@Injectable()
export class ServiceRequestRepository {
  constructor(@Inject(PRISMA) private readonly prisma: PrismaClient) {}

  async find(id: number): Promise<ServiceRequest | undefined> {
    const row = await this.prisma.serviceRequest.findUnique({ where: { id } });
    return row ? toView(row) : undefined;
  }

  async list(filter: ServiceRequestFilter): Promise<ServiceRequestPage> {
    const rows = await this.prisma.serviceRequest.findMany({
      where: {
        ...(filter.status ? { status: filter.status } : {}),
        ...(filter.facility !== undefined ? { facilityId: filter.facility } : {}),
        ...(filter.after !== undefined ? { id: { gt: filter.after } } : {}),
      },
      orderBy: { id: "asc" },
      take: filter.limit + 1,
    });
    const page = rows.slice(0, filter.limit);
    return { items: page.map(toView), nextAfter: rows.length > filter.limit ? page[page.length - 1]!.id : null };
  }

  /** Open requests that can no longer be accepted at `height` (the contract refuses from expires-at on). */
  async openExpiredAt(height: number, limit: number): Promise<ServiceRequest[]> {
    const rows = await this.prisma.serviceRequest.findMany({
      where: { status: "open", expiresAt: { lte: height } },
      orderBy: { id: "asc" },
      take: limit,
    });
    return rows.map(toView);
  }
}

type Row = NonNullable<Awaited<ReturnType<PrismaClient["serviceRequest"]["findUnique"]>>>;

function toView(row: Row): ServiceRequest {
  return {
    id: row.id,
    serviceType: row.serviceType,
    powerKw: Number(row.powerKw),
    energyKwh: Number(row.energyKwh),
    paymentUstx: row.paymentUstx.toString(),
    requester: row.requester,
    expiresAt: row.expiresAt,
    status: row.status as ServiceRequestStatus,
    facilityId: row.facilityId,
    acceptedBy: row.acceptedBy,
    performanceBps: row.performanceBps,
    payoutUstx: row.payoutUstx.toString(),
    refundUstx: row.refundUstx.toString(),
    expired: row.expired,
    createdTxid: row.createdTxid,
    createdHeight: row.createdHeight,
    lastTxid: row.lastTxid,
    lastHeight: row.lastHeight,
    updatedAt: row.updatedAt.toISOString(),
  };
}
