import type { ProgramEvent } from "@voltstack/chain";
import type { ContractPrintEvent, SyncBlock } from "@voltstack/chain-sync";
import type { Prisma } from "../generated/prisma/client.js";

type Tx = Prisma.TransactionClient;

// Anyone can call the contract with any uint; these columns are 32- and 64-bit.
const MAX_INT32 = 2_147_483_647n;
const MAX_INT64 = 9_223_372_036_854_775_807n;

export const PROGRAM_TOPICS: ReadonlySet<string> = new Set<ProgramEvent["topic"]>([
  "program-created",
  "program-enrolled",
  "program-withdrawn",
  "program-settled",
  "program-earnings-distributed",
  "program-closed",
  "program-cancelled",
  "program-cohort-released",
]);

export function isProgramEvent(payload: { topic: string }): payload is ProgramEvent {
  return PROGRAM_TOPICS.has(payload.topic);
}

/**
 * Applies one program print to the read model. Every change writes absolute values (a
 * program's settled and distributed totals are re-summed from their rows), so applying a
 * block again, or replaying from any height, ends in the same state.
 */
export async function projectProgramEvent(
  event: ContractPrintEvent<"grid-services"> & { payload: ProgramEvent },
  { tx, block }: { tx: Tx; block: SyncBlock },
): Promise<void> {
  const txid = `0x${event.txid}`;
  const change = { lastTxid: txid, lastHeight: block.height, updatedAt: new Date(block.time) };
  const payload = event.payload;
  const programId = Number(payload.programId);
  switch (payload.topic) {
    case "program-created": {
      const fields = {
        product: payload.product,
        operator: payload.operator,
        startHeight: Number(payload.startHeight),
        periodBlocks: Number(payload.periodBlocks),
        periodCount: Number(payload.periodCount),
        capacityPriceUstx: payload.capacityPrice,
        energyPriceUstx: payload.energyPrice,
        budgetUstx: payload.budget,
        settleWindow: Number(payload.settleWindow),
        endHeight: Number(payload.endHeight),
        createdTxid: txid,
        createdHeight: block.height,
      };
      // A replay must not take a closed or cancelled program back to active.
      await tx.program.upsert({
        where: { id: programId },
        create: { id: programId, ...fields, status: "active", ...change },
        update: fields,
      });
      break;
    }
    case "program-enrolled": {
      const key = { programId, cohort: Number(payload.cohort), slot: Number(payload.slot) };
      const fields = {
        facilityId: Number(payload.facilityId),
        committedKw: payload.committedKw,
        reservedKwh: payload.reservedKwh,
        fromPeriod: Number(payload.fromPeriod),
        enrolledBy: payload.enrolledBy,
        createdTxid: txid,
        createdHeight: block.height,
      };
      // A replay must not undo a withdrawal or a release.
      await tx.programEnrolment.upsert({
        where: { programId_cohort_slot: key },
        create: { ...key, ...fields, ...change },
        update: fields,
      });
      break;
    }
    case "program-withdrawn":
      await tx.programEnrolment.updateMany({
        where: { programId, cohort: Number(payload.cohort), slot: Number(payload.slot) },
        data: { untilPeriod: Number(payload.untilPeriod), released: true, ...change },
      });
      break;
    case "program-settled": {
      const cohort = Number(payload.cohort);
      const period = Number(payload.period);
      const key = { programId, cohort, period };
      const fields = {
        reportHash: payload.reportHash,
        totalUstx: payload.total,
        settledBy: payload.settledBy,
        txid,
        blockHeight: block.height,
        updatedAt: change.updatedAt,
      };
      await tx.programSettlement.upsert({
        where: { programId_cohort_period: key },
        create: { ...key, ...fields },
        update: fields,
      });
      await tx.programSettlementLine.deleteMany({ where: key });
      await tx.programSettlementLine.createMany({
        data: payload.lines.map((line, slot) => ({
          ...key,
          slot,
          facilityId: Number(line.facilityId),
          committedKw: line.committedKw,
          performanceBps: Number(line.performanceBps),
          deliveredKwh: line.deliveredKwh,
          amountUstx: line.amountUstx,
          blockHeight: block.height,
        })),
      });
      const settled = await tx.programSettlement.aggregate({ where: { programId }, _sum: { totalUstx: true } });
      await tx.program.updateMany({
        where: { id: programId },
        data: { settledUstx: settled._sum.totalUstx ?? 0n, ...change },
      });
      break;
    }
    case "program-earnings-distributed": {
      const row = {
        programId,
        cohort: Number(payload.cohort),
        totalUstx: payload.total,
        amountsUstx: payload.amounts,
        blockHeight: block.height,
      };
      await tx.programDistribution.upsert({
        where: { txid_eventIndex: { txid, eventIndex: event.eventIndex } },
        create: { txid, eventIndex: event.eventIndex, ...row },
        update: row,
      });
      const paid = await tx.programDistribution.aggregate({ where: { programId }, _sum: { totalUstx: true } });
      await tx.program.updateMany({
        where: { id: programId },
        data: { distributedUstx: paid._sum.totalUstx ?? 0n, ...change },
      });
      break;
    }
    case "program-closed":
      await tx.program.updateMany({
        where: { id: programId },
        data: { status: "closed", refundUstx: payload.refundUstx, settledUstx: payload.settled, ...change },
      });
      break;
    case "program-cancelled":
      await tx.program.updateMany({
        where: { id: programId },
        data: { status: "cancelled", refundUstx: payload.refundUstx, ...change },
      });
      break;
    case "program-cohort-released":
      await tx.programEnrolment.updateMany({
        where: { programId, cohort: Number(payload.cohort), released: false },
        data: { released: true, ...change },
      });
      break;
  }
}

/**
 * Before a re-sync from `fromHeight`: forgets programs and enrolments created from there
 * on, and settlements and distributions recorded from there on (the replay writes them again).
 */
export async function forgetProgramStateFrom(tx: Tx, fromHeight: number): Promise<void> {
  await tx.program.deleteMany({ where: { createdHeight: { gte: fromHeight } } });
  await tx.programEnrolment.deleteMany({ where: { createdHeight: { gte: fromHeight } } });
  await tx.programSettlement.deleteMany({ where: { blockHeight: { gte: fromHeight } } });
  await tx.programSettlementLine.deleteMany({ where: { blockHeight: { gte: fromHeight } } });
  await tx.programDistribution.deleteMany({ where: { blockHeight: { gte: fromHeight } } });
}

/** Whether every figure of the print fits the read model's columns (32-bit ids, heights, periods; 64-bit amounts). */
export function programFitsColumns(payload: ProgramEvent): boolean {
  const int32 = (value: bigint) => value <= MAX_INT32;
  const int64 = (value: bigint) => value <= MAX_INT64;
  if (!int32(payload.programId)) return false;
  switch (payload.topic) {
    case "program-created":
      return (
        int32(payload.startHeight) &&
        int32(payload.periodBlocks) &&
        int32(payload.periodCount) &&
        int32(payload.settleWindow) &&
        int32(payload.endHeight) &&
        int64(payload.capacityPrice) &&
        int64(payload.energyPrice) &&
        int64(payload.budget)
      );
    case "program-enrolled":
      return (
        int32(payload.facilityId) &&
        int64(payload.committedKw) &&
        int64(payload.reservedKwh) &&
        int32(payload.cohort) &&
        int32(payload.fromPeriod)
      );
    case "program-withdrawn":
      return int32(payload.cohort) && int32(payload.untilPeriod);
    case "program-settled":
      return (
        int32(payload.cohort) &&
        int32(payload.period) &&
        int64(payload.total) &&
        payload.lines.every(
          (line) =>
            int32(line.facilityId) &&
            int64(line.committedKw) &&
            int32(line.performanceBps) &&
            int64(line.deliveredKwh) &&
            int64(line.amountUstx),
        )
      );
    case "program-earnings-distributed":
      return int32(payload.cohort) && int64(payload.total) && payload.amounts.every(int64);
    case "program-closed":
      return int64(payload.refundUstx) && int64(payload.settled);
    case "program-cancelled":
      return int64(payload.refundUstx);
    case "program-cohort-released":
      return int32(payload.cohort);
  }
}
