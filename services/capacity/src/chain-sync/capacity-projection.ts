import { Logger } from "@nestjs/common";
import { type ContractPrintEvent, type DerivedEvent, eventsOfPrint, type SyncBlock } from "@voltstack/chain-sync";
import type { Prisma } from "../generated/prisma/client.js";

type Tx = Prisma.TransactionClient;

const logger = new Logger("CapacityProjection");
// Anyone can register a facility with any uint; events carry kWh as JSON numbers.
const MAX_QUANTITY = BigInt(Number.MAX_SAFE_INTEGER);
type CapacityPrint = ContractPrintEvent<"capacity-tracking">;

/**
 * Applies one capacity-tracking print event to the read model and returns the domain
 * event it makes true. Every print carries the facility's absolute levels (whoever
 * caused it: a reading, a grid-services reservation or release, a charge-discharge
 * flow), so applying a block again, or replaying from any height, ends in the same state.
 */
export async function projectCapacityEvent(
  event: CapacityPrint,
  { tx, block }: { tx: Tx; block: SyncBlock },
): Promise<DerivedEvent[]> {
  const txid = `0x${event.txid}`;
  const payload = event.payload;
  const facilityId = Number(payload.facilityId);
  if (payload.totalKwh > MAX_QUANTITY) {
    logger.warn(`Facility ${facilityId} (tx ${txid}) holds more kWh than events can carry; it is not followed.`);
    return [];
  }
  const levels = {
    totalKwh: payload.totalKwh,
    storedKwh: payload.storedKwh,
    reservedKwh: payload.reservedKwh,
    availableKwh: payload.availableKwh,
    lastTxid: txid,
    lastHeight: block.height,
    updatedAt: new Date(block.time),
  };
  if (payload.topic === "capacity-initialized") {
    const initialized = { initializedTxid: txid, initializedHeight: block.height };
    await tx.capacity.upsert({
      where: { facilityId },
      create: { facilityId, ...levels, lastReason: "initialized", ...initialized },
      // A replay of the initialisation must not take back what later blocks applied.
      update: initialized,
    });
  } else {
    await tx.capacity.upsert({
      where: { facilityId },
      create: { facilityId, ...levels, lastReason: payload.reason },
      update: { ...levels, lastReason: payload.reason },
    });
  }
  return eventsOfPrint("capacity-tracking", payload, txid);
}

/**
 * Before a re-sync from `fromHeight`: forgets the capacities initialised from there on
 * (the replay creates them again). Older ones keep their row; the replayed updates
 * overwrite its levels, since each carries absolute values.
 */
export async function forgetCapacitiesFrom(tx: Tx, fromHeight: number): Promise<void> {
  await tx.capacity.deleteMany({
    where: {
      OR: [{ initializedHeight: { gte: fromHeight } }, { initializedHeight: null, lastHeight: { gte: fromHeight } }],
    },
  });
}
