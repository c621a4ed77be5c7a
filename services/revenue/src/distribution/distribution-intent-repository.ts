import { Inject, Injectable } from "@nestjs/common";
import type { Prisma, PrismaClient } from "../generated/prisma/client.js";
import type { FulfilmentDistribution } from "@voltstack/api";
import { PRISMA } from "@voltstack/chain-sync";
import type { Fulfilment, IntentStatus } from "./fulfilment.js";

type Tx = Prisma.TransactionClient;

/** One slot's earnings of one settled period, as the program.settled event tells them. */
export interface SlotEarning {
  programId: number;
  cohort: number;
  period: number;
  slot: number;
  facilityId: number;
  amountUstx: bigint;
}

export interface ProgramSettlement {
  eventId: string;
  /** The event's trace: the earnings are sent in it. */
  traceparent: string;
  txid: string;
  blockHeight: number;
  lines: SlotEarning[];
}

/**
 * What the service owes, recorded in the transaction of the event's inbox entry: one row
 * per grid request (a request is fulfilled once), one per program cohort slot and period
 * (each settles once), whatever event id or delivery brings it. The batcher pays them.
 */
@Injectable()
export class DistributionIntentRepository {
  constructor(@Inject(PRISMA) private readonly prisma: PrismaClient) {}

  /** Records the fulfilment's payout as due (nothing to pay when it is 0), unless a delivery before did. */
  async recordFulfilment(tx: Tx, fulfilment: Fulfilment): Promise<void> {
    await tx.distributionIntent.createMany({
      data: [
        {
          requestId: fulfilment.requestId,
          eventId: fulfilment.eventId,
          facilityId: fulfilment.facilityId,
          fulfilmentTxid: fulfilment.txid,
          fulfilmentHeight: fulfilment.blockHeight,
          payoutUstx: fulfilment.payoutUstx,
          traceparent: fulfilment.traceparent,
          status: fulfilment.payoutUstx > 0n ? "due" : "nothing_to_pay",
        },
      ],
      skipDuplicates: true,
    });
  }

  /** Records each slot's earnings of a settled period as due (lines that earned nothing are not owed). */
  async recordSettlement(tx: Tx, settlement: ProgramSettlement): Promise<void> {
    const owed = settlement.lines.filter((line) => line.amountUstx > 0n);
    if (owed.length === 0) return;
    await tx.earningIntent.createMany({
      data: owed.map((line) => ({
        ...line,
        eventId: settlement.eventId,
        traceparent: settlement.traceparent,
        settlementTxid: settlement.txid,
        settlementHeight: settlement.blockHeight,
        status: "due",
      })),
      skipDuplicates: true,
    });
  }

  async find(requestId: number): Promise<FulfilmentDistribution | undefined> {
    const row = await this.prisma.distributionIntent.findUnique({ where: { requestId } });
    return row ? toIntent(row) : undefined;
  }

  /** The facility's payouts that waited for shares are due again; returns how many. */
  async reopenWaiting(facilityId: number): Promise<number> {
    const data = { status: "due", updatedAt: new Date() };
    const where = { facilityId, status: "waiting_for_shares" };
    const fulfilments = await this.prisma.distributionIntent.updateMany({ where, data });
    const earnings = await this.prisma.earningIntent.updateMany({ where, data });
    return fulfilments.count + earnings.count;
  }

  async sharesVersion(facilityId: number): Promise<number> {
    const pool = await this.prisma.revenuePool.findUnique({ where: { facilityId }, select: { sharesVersion: true } });
    return pool?.sharesVersion ?? 0;
  }

  /** Whether anything waits for a batch: the batcher looks at the chain only then. */
  async anythingDue(): Promise<boolean> {
    const due = { status: "due" };
    return (
      (await this.prisma.distributionIntent.count({ where: due, take: 1 })) > 0 ||
      (await this.prisma.earningIntent.count({ where: due, take: 1 })) > 0
    );
  }
}

type Row = NonNullable<Awaited<ReturnType<PrismaClient["distributionIntent"]["findUnique"]>>>;

function toIntent(row: Row): FulfilmentDistribution {
  return {
    requestId: row.requestId,
    eventId: row.eventId,
    facilityId: row.facilityId,
    payoutUstx: row.payoutUstx.toString(),
    status: row.status as IntentStatus,
    attempts: row.attempts,
    batchId: row.batchId,
    distributionTxid: row.distributionTxid,
    distributionId: row.distributionId,
    errorCode: row.errorCode,
  };
}
