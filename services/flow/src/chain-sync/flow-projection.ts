import { type ContractPrintEvent, type DerivedEvent, eventsOfPrint, type SyncBlock } from "@voltstack/chain-sync";
import type { Prisma } from "../generated/prisma/client.js";

type Tx = Prisma.TransactionClient;
type ChargeDischargePrint = ContractPrintEvent<"charge-discharge">;

/** The grid demand read model is one row. */
export const GRID_DEMAND_ROW = 1;

/**
 * Applies one charge-discharge print event to the read model and returns the domain
 * event it makes true. Every change writes absolute values (the demand row, a record
 * by its id), so applying a block again, or replaying from any height, ends in the
 * same state.
 */
export async function projectFlowEvent(
  event: ChargeDischargePrint,
  { tx, block }: { tx: Tx; block: SyncBlock },
): Promise<DerivedEvent[]> {
  const txid = `0x${event.txid}`;
  const at = new Date(block.time);
  const payload = event.payload;
  switch (payload.topic) {
    case "grid-demand-updated":
    case "demand-thresholds-updated": {
      const levels = {
        demandLevelPercent: Number(payload.level),
        lowThresholdPercent: Number(payload.lowThreshold),
        highThresholdPercent: Number(payload.highThreshold),
        lastTxid: txid,
        lastHeight: block.height,
        updatedAt: at,
      };
      await tx.gridDemand.upsert({
        where: { id: GRID_DEMAND_ROW },
        create: { id: GRID_DEMAND_ROW, ...levels },
        update: levels,
      });
      break;
    }
    case "flow-recorded": {
      const recordId = Number(payload.recordId);
      const fields = {
        facilityId: Number(payload.facilityId),
        action: payload.action,
        energyKwh: payload.energyKwh,
        demandLevelPercent: Number(payload.demandLevel),
        storedAfterKwh: payload.storedAfterKwh,
        recordedBy: payload.recordedBy,
        txid,
        blockHeight: block.height,
        recordedAt: at,
      };
      await tx.flowRecord.upsert({ where: { recordId }, create: { recordId, ...fields }, update: fields });
      break;
    }
  }
  return eventsOfPrint("charge-discharge", payload, txid);
}

/** Before a re-sync from `fromHeight`: forgets what the replay writes again. */
export async function forgetFlowFrom(tx: Tx, fromHeight: number): Promise<void> {
  await tx.flowRecord.deleteMany({ where: { blockHeight: { gte: fromHeight } } });
  await tx.gridDemand.deleteMany({ where: { lastHeight: { gte: fromHeight } } });
}
