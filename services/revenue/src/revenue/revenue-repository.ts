import { Inject, Injectable } from "@nestjs/common";
import type { PrismaClient } from "../generated/prisma/client.js";
import type { PaymentHistory, RevenuePool } from "@voltstack/api";
import { PRISMA } from "@voltstack/chain-sync";

/** Reads of the revenue read model; queries never go to the chain. */
@Injectable()
export class RevenueRepository {
  constructor(@Inject(PRISMA) private readonly prisma: PrismaClient) {}

  async pool(facilityId: number): Promise<RevenuePool | undefined> {
    const row = await this.prisma.revenuePool.findUnique({ where: { facilityId } });
    if (!row) return undefined;
    const shares = await this.prisma.stakeholderShare.findMany({
      where: { facilityId, sharesVersion: row.sharesVersion },
      orderBy: { position: "asc" },
    });
    return {
      facilityId,
      balanceUstx: row.balanceUstx.toString(),
      depositedUstx: row.depositedUstx.toString(),
      distributedUstx: row.distributedUstx.toString(),
      sharesVersion: row.sharesVersion,
      shares: shares.map((s) => ({ stakeholder: s.stakeholder, shareBps: s.shareBps })),
      lastTxid: row.lastTxid,
      lastHeight: row.lastHeight,
      updatedAt: row.updatedAt.toISOString(),
    };
  }

  /** Every payment matching `where`, oldest first, with their total. */
  async payments(where: { facilityId?: number; stakeholder?: string }): Promise<PaymentHistory> {
    const rows = await this.prisma.revenuePayment.findMany({ where, orderBy: { paymentId: "asc" } });
    const totalUstx = rows.reduce((sum, row) => sum + row.amountUstx, 0n);
    return {
      items: rows.map((row) => ({
        paymentId: row.paymentId,
        distributionId: row.distributionId,
        facilityId: row.facilityId,
        stakeholder: row.stakeholder,
        shareBps: row.shareBps,
        amountUstx: row.amountUstx.toString(),
        txid: row.txid,
        blockHeight: row.blockHeight,
        paidAt: row.paidAt.toISOString(),
        source: row.source,
      })),
      totalUstx: totalUstx.toString(),
      count: rows.length,
    };
  }
}
