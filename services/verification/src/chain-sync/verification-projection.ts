import { type ContractPrintEvent, type DerivedEvent, eventsOfPrint, type SyncBlock } from "@voltstack/chain-sync";
import { Logger } from "@nestjs/common";
import type { Prisma } from "../generated/prisma/client.js";

type Tx = Prisma.TransactionClient;

const logger = new Logger("FacilityProjection");
// Anyone can call the contract with any uint; events carry kWh and kW as JSON numbers.
const MAX_QUANTITY = BigInt(Number.MAX_SAFE_INTEGER);
type RegistryEvent = ContractPrintEvent<"facility-registry">;

/**
 * Applies one facility-registry print event to the read model and returns the domain
 * event it makes true. Every change writes absolute values (a status, an operator's
 * flag), so applying a block again, or replaying from any height onto the current
 * rows, ends in the same state.
 */
export async function projectFacilityEvent(
  event: RegistryEvent,
  { tx, block }: { tx: Tx; block: SyncBlock },
): Promise<DerivedEvent[]> {
  const txid = `0x${event.txid}`;
  const at = new Date(block.time);
  const change = { lastTxid: txid, lastHeight: block.height, updatedAt: at };
  const payload = event.payload;
  switch (payload.topic) {
    case "facility-registered": {
      const id = Number(payload.facilityId);
      if (payload.capacityKwh > MAX_QUANTITY || payload.maxPowerKw > MAX_QUANTITY) {
        logger.warn(`Facility ${id} (tx ${txid}) declares more kWh or kW than events can carry; it is not followed.`);
        return [];
      }
      const fields = {
        owner: payload.owner,
        name: payload.name,
        location: payload.location,
        capacityKwh: payload.capacityKwh,
        maxPowerKw: payload.maxPowerKw,
        registeredTxid: txid,
        registeredHeight: block.height,
        registeredAt: at,
      };
      // A replay must not take a reviewed facility back to pending.
      await tx.facility.upsert({
        where: { id },
        create: { id, ...fields, status: "pending", ...change },
        update: fields,
      });
      break;
    }
    case "facility-approved":
    case "facility-reinstated":
      await tx.facility.updateMany({
        where: { id: Number(payload.facilityId) },
        data: { status: "approved", rejectionReason: null, ...change },
      });
      break;
    case "facility-rejected":
      await tx.facility.updateMany({
        where: { id: Number(payload.facilityId) },
        data: { status: "rejected", rejectionReason: payload.reason, ...change },
      });
      break;
    case "facility-suspended":
      await tx.facility.updateMany({
        where: { id: Number(payload.facilityId) },
        data: { status: "suspended", ...change },
      });
      break;
    case "operator-set": {
      const facilityId = Number(payload.facilityId);
      if ((await tx.facility.count({ where: { id: facilityId } })) > 0) {
        await tx.facilityOperator.upsert({
          where: { facilityId_operator: { facilityId, operator: payload.operator } },
          create: { facilityId, operator: payload.operator, enabled: payload.enabled, ...change },
          update: { enabled: payload.enabled, ...change },
        });
        await tx.facility.update({ where: { id: facilityId }, data: change });
      }
      break;
    }
    case "admin-added":
    case "admin-removed":
      // Admins are not part of this read model; their events are still published.
      break;
  }
  return eventsOfPrint("facility-registry", payload, txid);
}

/** Before a re-sync from `fromHeight`: forgets the facilities registered from there on (their operators go with them). */
export async function forgetFacilitiesFrom(tx: Tx, fromHeight: number): Promise<void> {
  await tx.facility.deleteMany({ where: { registeredHeight: { gte: fromHeight } } });
}
