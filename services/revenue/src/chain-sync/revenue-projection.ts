import { Logger } from "@nestjs/common";
import { type ContractPrintEvent, type DerivedEvent, derivedEvent, type SyncBlock } from "@voltstack/chain-sync";
import type { Prisma } from "../generated/prisma/client.js";

type Tx = Prisma.TransactionClient;
type RevenueEvent = ContractPrintEvent<"revenue-sharing">;

const logger = new Logger("RevenueProjection");
// Ids and versions are INTEGER columns; micro-STX BIGINT (all STX ever minted fit many times over).
const MAX_ID = 2_147_483_647n;
const MAX_USTX = 9_223_372_036_854_775_807n;
/** The source of a distribution paid out of the facility's pool (distribute-revenue, distribute-pools). */
export const POOL_SOURCE = "pool";

/** A revenue-distributed print's source; prints from before batches had none and all paid a pool out. */
function sourceOf(payload: object): string {
  const source = (payload as { source?: unknown }).source;
  return typeof source === "string" ? source : POOL_SOURCE;
}

/**
 * Applies one revenue-sharing print event to the read model and returns the domain
 * event it makes true. Rows are keyed by the chain's own ids and written as absolute
 * values, so a block handed over again, or a replay from any height, ends in the same
 * state. revenue-paid prints come before the revenue-distributed print of the same
 * transaction: they are stored, and revenue.distributed is made from them.
 */
export async function projectRevenueEvent(
  event: RevenueEvent,
  { tx, block }: { tx: Tx; block: SyncBlock },
): Promise<DerivedEvent[]> {
  const txid = `0x${event.txid}`;
  const at = new Date(block.time);
  const payload = event.payload;
  const touched = { lastTxid: txid, lastHeight: block.height, updatedAt: at };
  const outOfRange = (ids: bigint[], amounts: bigint[]) =>
    ids.some((id) => id > MAX_ID) || amounts.some((amount) => amount > MAX_USTX);
  switch (payload.topic) {
    case "shares-updated": {
      if (outOfRange([payload.facilityId, payload.version], [])) return skip(txid, payload.topic);
      const facilityId = Number(payload.facilityId);
      const sharesVersion = Number(payload.version);
      await tx.stakeholderShare.deleteMany({ where: { facilityId, sharesVersion } });
      await tx.stakeholderShare.createMany({
        data: payload.shares.map((share, position) => ({
          facilityId,
          sharesVersion,
          position,
          stakeholder: share.stakeholder,
          shareBps: Number(share.shareBps),
          txid,
          blockHeight: block.height,
        })),
      });
      await tx.revenuePool.upsert({
        where: { facilityId },
        create: { facilityId, sharesVersion, ...touched },
        update: { sharesVersion, ...touched },
      });
      return derivedEvent("shares.updated", payload, txid);
    }
    case "revenue-deposited": {
      if (outOfRange([payload.depositId, payload.facilityId], [payload.poolBalanceUstx])) {
        return skip(txid, payload.topic);
      }
      const facilityId = Number(payload.facilityId);
      const depositId = Number(payload.depositId);
      const fields = {
        facilityId,
        amountUstx: payload.amountUstx,
        source: payload.source,
        depositor: payload.depositor,
        poolBalanceUstx: payload.poolBalanceUstx,
        txid,
        blockHeight: block.height,
        txIndex: event.txIndex,
        depositedAt: at,
      };
      const fresh = (await tx.revenueDeposit.count({ where: { depositId } })) === 0;
      await tx.revenueDeposit.upsert({ where: { depositId }, create: { depositId, ...fields }, update: fields });
      await tx.revenuePool.upsert({
        where: { facilityId },
        create: { facilityId, balanceUstx: payload.poolBalanceUstx, depositedUstx: payload.amountUstx, ...touched },
        update: {
          balanceUstx: payload.poolBalanceUstx,
          ...(fresh ? { depositedUstx: { increment: payload.amountUstx } } : {}),
          ...touched,
        },
      });
      return derivedEvent("revenue.deposited", payload, txid);
    }
    case "revenue-paid": {
      if (outOfRange([payload.paymentId, payload.distributionId, payload.facilityId], [payload.amountUstx])) {
        return skip(txid, payload.topic);
      }
      const paymentId = Number(payload.paymentId);
      const fields = {
        distributionId: Number(payload.distributionId),
        facilityId: Number(payload.facilityId),
        stakeholder: payload.stakeholder,
        shareBps: Number(payload.shareBps),
        amountUstx: payload.amountUstx,
        txid,
        blockHeight: block.height,
        paidAt: at,
      };
      await tx.revenuePayment.upsert({ where: { paymentId }, create: { paymentId, ...fields }, update: fields });
      return [];
    }
    case "revenue-distributed": {
      if (
        outOfRange([payload.distributionId, payload.facilityId, payload.sharesVersion], [payload.amountUstx]) ||
        payload.firstPaymentId + payload.paymentCount > MAX_ID
      ) {
        return skip(txid, payload.topic);
      }
      const distributionId = Number(payload.distributionId);
      const facilityId = Number(payload.facilityId);
      const source = sourceOf(payload);
      const fromPool = source === POOL_SOURCE;
      const existing = await tx.revenueDistribution.findUnique({
        where: { distributionId },
        select: { poolAfterUstx: true },
      });
      // Out of the pool: distribute-revenue pays all of it, distribute-pools a stated amount. The
      // pool row holds the balance after every earlier event of the chain's order, so the one
      // left is computed when the distribution is first seen and kept on it for replays.
      let poolAfterUstx: bigint | null = null;
      if (fromPool) {
        if (existing) poolAfterUstx = existing.poolAfterUstx ?? 0n;
        else {
          const pool = await tx.revenuePool.findUnique({ where: { facilityId }, select: { balanceUstx: true } });
          const before = pool?.balanceUstx ?? 0n;
          poolAfterUstx = before > payload.amountUstx ? before - payload.amountUstx : 0n;
        }
      }
      const fields = {
        facilityId,
        amountUstx: payload.amountUstx,
        sharesVersion: Number(payload.sharesVersion),
        firstPaymentId: Number(payload.firstPaymentId),
        paymentCount: Number(payload.paymentCount),
        distributedBy: payload.distributedBy,
        source,
        poolAfterUstx,
        txid,
        blockHeight: block.height,
        txIndex: event.txIndex,
        distributedAt: at,
      };
      await tx.revenueDistribution.upsert({
        where: { distributionId },
        create: { distributionId, ...fields },
        update: fields,
      });
      await tx.revenuePayment.updateMany({ where: { distributionId }, data: { source } });
      if (fromPool) {
        await tx.revenuePool.upsert({
          where: { facilityId },
          create: { facilityId, distributedUstx: payload.amountUstx, ...touched },
          update: {
            balanceUstx: poolAfterUstx!,
            ...(existing ? {} : { distributedUstx: { increment: payload.amountUstx } }),
            ...touched,
          },
        });
      }
      const payments = await tx.revenuePayment.findMany({ where: { distributionId }, orderBy: { paymentId: "asc" } });
      return derivedEvent(
        "revenue.distributed",
        {
          ...payload,
          source,
          payments: payments.map((p) => ({
            paymentId: p.paymentId,
            stakeholder: p.stakeholder,
            shareBps: p.shareBps,
            amountUstx: p.amountUstx,
          })),
        },
        txid,
      );
    }
  }
}

function skip(txid: string, topic: string): DerivedEvent[] {
  logger.warn(`The ${topic} print of tx ${txid} holds ids or amounts beyond the read model's range; not followed.`);
  return [];
}

/**
 * Before a re-sync from `fromHeight`: forgets the facts recorded from there on and
 * recomputes each pool from the facts that stay, so the replay moves it on from there.
 */
export async function forgetRevenueFrom(tx: Tx, fromHeight: number): Promise<void> {
  const since = { blockHeight: { gte: fromHeight } };
  await tx.revenuePayment.deleteMany({ where: since });
  await tx.revenueDistribution.deleteMany({ where: since });
  await tx.revenueDeposit.deleteMany({ where: since });
  await tx.stakeholderShare.deleteMany({ where: since });
  await tx.revenuePool.deleteMany({});

  type Fact = { facilityId: number; txid: string; blockHeight: number; txIndex: number; at: Date; balance?: bigint };
  const pools = new Map<
    number,
    { deposited: bigint; distributed: bigint; sharesVersion: number; last?: Fact; lastMoney?: Fact }
  >();
  const pool = (facilityId: number) => {
    let found = pools.get(facilityId);
    if (!found) pools.set(facilityId, (found = { deposited: 0n, distributed: 0n, sharesVersion: 0 }));
    return found;
  };
  const later = (a: Fact | undefined, b: Fact) =>
    !a || b.blockHeight > a.blockHeight || (b.blockHeight === a.blockHeight && b.txIndex >= a.txIndex) ? b : a;
  for (const d of await tx.revenueDeposit.findMany()) {
    const p = pool(d.facilityId);
    const fact = { ...d, at: d.depositedAt, balance: d.poolBalanceUstx };
    p.deposited += d.amountUstx;
    p.lastMoney = later(p.lastMoney, fact);
    p.last = later(p.last, fact);
  }
  for (const d of await tx.revenueDistribution.findMany()) {
    // A program's earnings were paid by the program, not out of the pool.
    if (d.poolAfterUstx === null) continue;
    const p = pool(d.facilityId);
    const fact = { ...d, at: d.distributedAt, balance: d.poolAfterUstx };
    p.distributed += d.amountUstx;
    p.lastMoney = later(p.lastMoney, fact);
    p.last = later(p.last, fact);
  }
  for (const s of await tx.stakeholderShare.findMany({ where: { position: 0 } })) {
    const p = pool(s.facilityId);
    p.sharesVersion = Math.max(p.sharesVersion, s.sharesVersion);
    // Shares rows keep no time of their own: the block's is not needed for a pool's figures.
    p.last = later(p.last, { ...s, txIndex: -1, at: p.last?.at ?? new Date(0) });
  }
  for (const [facilityId, p] of pools) {
    await tx.revenuePool.create({
      data: {
        facilityId,
        balanceUstx: p.lastMoney?.balance ?? 0n,
        sharesVersion: p.sharesVersion,
        depositedUstx: p.deposited,
        distributedUstx: p.distributed,
        lastTxid: p.last!.txid,
        lastHeight: p.last!.blockHeight,
        updatedAt: p.last!.at,
      },
    });
  }
}
