import { Inject, Injectable } from "@nestjs/common";
import type { PrismaClient } from "../generated/prisma/client.js";
import { PRISMA } from "../infrastructure/tokens.js";
import type { Fulfilment, IntentStatus } from "./fulfilment.js";

/** Why an intent waits for shares, kept on it while it is reopened. */
const NO_SHARES = "ERR_NO_SHARES";

export interface DistributionIntent {
  requestId: number;
  eventId: string;
  facilityId: number;
  status: IntentStatus;
  attempts: number;
  distributionTxid: string | null;
  distributionId: number | null;
  errorCode: string | null;
}

/** Distributions on chain that paid a deposit: after it in chain order, for its facility. */
export interface PayingDistribution {
  distributionId: number;
  txid: string;
}

/**
 * What the service owes each fulfilment, recorded before anything is sent. One row per
 * grid request (a request is fulfilled once), whatever event id or delivery brings it.
 */
@Injectable()
export class DistributionIntentRepository {
  constructor(@Inject(PRISMA) private readonly prisma: PrismaClient) {}

  /** The fulfilment's intent, recorded now unless a delivery before did. */
  async open(fulfilment: Fulfilment): Promise<DistributionIntent> {
    const row = await this.prisma.distributionIntent.upsert({
      where: { requestId: fulfilment.requestId },
      create: {
        requestId: fulfilment.requestId,
        eventId: fulfilment.eventId,
        facilityId: fulfilment.facilityId,
        fulfilmentTxid: fulfilment.txid,
        fulfilmentHeight: fulfilment.blockHeight,
        payoutUstx: fulfilment.payoutUstx,
        status: "sending",
      },
      update: {},
    });
    return toIntent(row);
  }

  async find(requestId: number): Promise<DistributionIntent | undefined> {
    const row = await this.prisma.distributionIntent.findUnique({ where: { requestId } });
    return row ? toIntent(row) : undefined;
  }

  /** The intent's final status; an error code left from waiting for shares does not outlive it. */
  async settle(
    requestId: number,
    status: IntentStatus,
    outcome: { distributionId?: number; distributionTxid?: string; errorCode?: string } = {},
  ): Promise<void> {
    await this.prisma.distributionIntent.update({
      where: { requestId },
      data: { status, ...outcome, errorCode: outcome.errorCode ?? null, updatedAt: new Date() },
    });
  }

  /**
   * Puts the facility's intents that wait for shares back to `sending`, and returns every
   * intent reopened so and not settled since, oldest fulfilment first. A reopened intent
   * keeps ERR_NO_SHARES until it settles, so a shares.updated delivery that stopped midway
   * finds it again on the next one.
   */
  async reopenWaiting(facilityId: number): Promise<Fulfilment[]> {
    await this.prisma.distributionIntent.updateMany({
      where: { facilityId, status: "waiting_for_shares" },
      data: { status: "sending", errorCode: NO_SHARES, updatedAt: new Date() },
    });
    const rows = await this.prisma.distributionIntent.findMany({
      where: { facilityId, status: "sending", errorCode: NO_SHARES },
      orderBy: [{ fulfilmentHeight: "asc" }, { requestId: "asc" }],
    });
    return rows.map(toFulfilment);
  }

  /** Puts one intent that waits for shares back to `sending`, marked as reopenWaiting marks it. */
  async reopen(requestId: number): Promise<void> {
    await this.prisma.distributionIntent.updateMany({
      where: { requestId, status: "waiting_for_shares" },
      data: { status: "sending", errorCode: NO_SHARES, updatedAt: new Date() },
    });
  }

  /** Counts an attempt about to be sent; the previous attempt's txid is known failed by now. */
  async beginAttempt(requestId: number): Promise<void> {
    await this.prisma.distributionIntent.update({
      where: { requestId },
      data: { status: "sending", attempts: { increment: 1 }, distributionTxid: null, updatedAt: new Date() },
    });
  }

  async recordBroadcast(requestId: number, txid: string): Promise<void> {
    await this.prisma.distributionIntent.update({
      where: { requestId },
      data: { distributionTxid: txid, updatedAt: new Date() },
    });
  }

  /** The deposit the fulfilment's transaction made into the facility's pool, as the follower recorded it. */
  async depositOf(fulfilment: Fulfilment): Promise<{ blockHeight: number; txIndex: number } | undefined> {
    const row = await this.prisma.revenueDeposit.findFirst({
      where: { txid: fulfilment.txid, facilityId: fulfilment.facilityId },
      select: { blockHeight: true, txIndex: true },
    });
    return row ?? undefined;
  }

  /** The first distribution of the facility that came after the deposit, so paid it out. */
  async distributionAfter(
    facilityId: number,
    deposit: { blockHeight: number; txIndex: number },
  ): Promise<PayingDistribution | undefined> {
    const row = await this.prisma.revenueDistribution.findFirst({
      where: {
        facilityId,
        OR: [
          { blockHeight: { gt: deposit.blockHeight } },
          { blockHeight: deposit.blockHeight, txIndex: { gt: deposit.txIndex } },
        ],
      },
      orderBy: [{ blockHeight: "asc" }, { txIndex: "asc" }],
      select: { distributionId: true, txid: true },
    });
    return row ?? undefined;
  }

  async sharesVersion(facilityId: number): Promise<number> {
    const pool = await this.prisma.revenuePool.findUnique({ where: { facilityId }, select: { sharesVersion: true } });
    return pool?.sharesVersion ?? 0;
  }

  /**
   * Distributions of the facility this service signed (journaled before their broadcast)
   * whose outcome the journal does not know yet.
   */
  async pendingJournaledDistributions(facilityId: number): Promise<string[]> {
    const rows = await this.prisma.chainTransaction.findMany({
      where: {
        functionName: "distribute-revenue",
        status: "pending",
        txid: { not: null },
        arguments: { equals: [`u${facilityId}`] },
      },
      select: { txid: true },
    });
    return rows.map((row) => row.txid!);
  }
}

type Row = NonNullable<Awaited<ReturnType<PrismaClient["distributionIntent"]["findUnique"]>>>;

function toIntent(row: Row): DistributionIntent {
  return {
    requestId: row.requestId,
    eventId: row.eventId,
    facilityId: row.facilityId,
    status: row.status as IntentStatus,
    attempts: row.attempts,
    distributionTxid: row.distributionTxid,
    distributionId: row.distributionId,
    errorCode: row.errorCode,
  };
}

function toFulfilment(row: Row): Fulfilment {
  return {
    eventId: row.eventId,
    requestId: row.requestId,
    facilityId: row.facilityId,
    payoutUstx: row.payoutUstx,
    txid: row.fulfilmentTxid,
    blockHeight: row.fulfilmentHeight,
  };
}
