import { type ContractPrintEvent, type DerivedEvent, eventsOfPrint, type SyncBlock } from "@voltstack/chain-sync";
import { Logger } from "@nestjs/common";
import type { Prisma } from "../generated/prisma/client.js";
import {
  forgetProgramStateFrom,
  isProgramEvent,
  programFitsColumns,
  projectProgramEvent,
} from "./program-projection.js";

type Tx = Prisma.TransactionClient;
type GridEvent = ContractPrintEvent<"grid-services">;
type GridPayload = GridEvent["payload"];

const logger = new Logger("GridProjection");
// The contract's defaults before any frequency-target-set (50 Hz, 200 mHz).
export const DEFAULT_TARGET_MHZ = 50_000;
export const DEFAULT_DEADBAND_MHZ = 200;
// Anyone can call the contract with any uint; these columns are 32- and 64-bit.
const MAX_INT32 = 2_147_483_647n;
const MAX_INT64 = 9_223_372_036_854_775_807n;

/**
 * Applies one grid-services print event to the read model and returns the domain event
 * it makes true. Every change writes absolute values, so applying a block again, or
 * replaying from any height, ends in the same state.
 */
export async function projectGridEvent(
  event: GridEvent,
  { tx, block }: { tx: Tx; block: SyncBlock },
): Promise<DerivedEvent[]> {
  const txid = `0x${event.txid}`;
  const change = { lastTxid: txid, lastHeight: block.height, updatedAt: new Date(block.time) };
  const payload = event.payload;
  if (!fitsColumns(payload)) {
    logger.warn(
      `A ${payload.topic} print (tx ${txid}) carries values beyond what the read model holds; it is not followed.`,
    );
    return [];
  }
  if (isProgramEvent(payload)) await projectProgramEvent({ ...event, payload }, { tx, block });
  switch (payload.topic) {
    case "frequency-target-set": {
      const fields = { targetMhz: Number(payload.targetMhz), deadbandMhz: Number(payload.deadbandMhz) };
      await tx.frequencyStatus.upsert({
        where: { id: 1 },
        create: { id: 1, ...fields, deviating: false, ...change },
        update: { ...fields, ...change },
      });
      break;
    }
    case "frequency-reported":
    case "frequency-deviation": {
      const fields = {
        targetMhz: Number(payload.targetMhz),
        deadbandMhz: Number(payload.deadbandMhz),
        lastReadingMhz: Number(payload.frequencyMhz),
        lastReadingHeight: block.height,
        lastReporter: payload.reporter,
        deviating: payload.deviating,
      };
      await tx.frequencyStatus.upsert({
        where: { id: 1 },
        create: { id: 1, ...fields, ...change },
        update: { ...fields, ...change },
      });
      break;
    }
    case "oracle-set": {
      const fields = { enabled: payload.enabled, ...change };
      await tx.frequencyOracle.upsert({
        where: { oracle: payload.oracle },
        create: { oracle: payload.oracle, ...fields },
        update: fields,
      });
      break;
    }
    case "service-requested": {
      const id = Number(payload.requestId);
      const fields = {
        serviceType: payload.serviceType,
        powerKw: payload.powerKw,
        energyKwh: payload.energyKwh,
        paymentUstx: payload.paymentUstx,
        requester: payload.requester,
        expiresAt: Number(payload.expiresAt),
        createdTxid: txid,
        createdHeight: block.height,
      };
      // A replay must not take an accepted or settled request back to open.
      await tx.serviceRequest.upsert({
        where: { id },
        create: { id, ...fields, status: "open", ...change },
        update: fields,
      });
      break;
    }
    case "service-accepted":
      await tx.serviceRequest.updateMany({
        where: { id: Number(payload.requestId) },
        data: { status: "accepted", facilityId: Number(payload.facilityId), acceptedBy: payload.acceptedBy, ...change },
      });
      break;
    case "service-fulfilled":
      await tx.serviceRequest.updateMany({
        where: { id: Number(payload.requestId) },
        data: {
          status: "fulfilled",
          facilityId: Number(payload.facilityId),
          performanceBps: Number(payload.performanceBps),
          payoutUstx: payload.payoutUstx,
          refundUstx: payload.refundUstx,
          ...change,
        },
      });
      break;
    case "service-cancelled":
      await tx.serviceRequest.updateMany({
        where: { id: Number(payload.requestId) },
        data: { status: "cancelled", refundUstx: payload.refundUstx, expired: payload.expired, ...change },
      });
      break;
  }
  return eventsOfPrint("grid-services", payload, txid);
}

/**
 * Before a re-sync from `fromHeight`: forgets requests created from there on, the
 * frequency status and oracles last changed from there on (the replay sets them again),
 * and the programs' state recorded from there on.
 */
export async function forgetGridStateFrom(tx: Tx, fromHeight: number): Promise<void> {
  await tx.serviceRequest.deleteMany({ where: { createdHeight: { gte: fromHeight } } });
  await tx.frequencyStatus.deleteMany({ where: { lastHeight: { gte: fromHeight } } });
  await tx.frequencyOracle.deleteMany({ where: { lastHeight: { gte: fromHeight } } });
  await forgetProgramStateFrom(tx, fromHeight);
}

function fitsColumns(payload: GridPayload): boolean {
  const int32 = (value: bigint) => value <= MAX_INT32;
  const int64 = (value: bigint) => value <= MAX_INT64;
  switch (payload.topic) {
    case "frequency-target-set":
      return int32(payload.targetMhz) && int32(payload.deadbandMhz);
    case "frequency-reported":
    case "frequency-deviation":
      return int32(payload.frequencyMhz) && int32(payload.targetMhz) && int32(payload.deadbandMhz);
    case "service-requested":
      return (
        int32(payload.requestId) &&
        int64(payload.powerKw) &&
        int64(payload.energyKwh) &&
        int64(payload.paymentUstx) &&
        int32(payload.expiresAt)
      );
    case "service-accepted":
    case "service-fulfilled":
      return int32(payload.requestId) && int32(payload.facilityId);
    case "service-cancelled":
      return int32(payload.requestId);
    case "oracle-set":
      return true;
    default:
      return programFitsColumns(payload);
  }
}
