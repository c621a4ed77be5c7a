import { Controller, Logger } from "@nestjs/common";
import { Ctx, EventPattern, Payload } from "@nestjs/microservices";
import { EventValidationError, parseEvent } from "@voltstack/events";
import { type JetStreamContext, NonRetryableError } from "@voltstack/messaging";
import type { Prisma } from "../generated/prisma/client.js";

/**
 * facility.approved marks a facility ready for capacity initialisation: it is recorded
 * with its owner (who signs the initialisation) and registered capacity. The inbox
 * (runOnce) makes a redelivery a no-op; the upsert makes a replayed event harmless too.
 */
@Controller()
export class FacilityApprovedConsumer {
  private readonly logger = new Logger("FacilityApproved");

  @EventPattern<string>("facility.approved")
  async onApproved(@Payload() data: unknown, @Ctx() ctx: JetStreamContext<Prisma.TransactionClient>): Promise<void> {
    let event;
    try {
      event = parseEvent("facility.approved", data);
    } catch (error) {
      if (error instanceof EventValidationError) throw new NonRetryableError("EVENT_INVALID", error.message);
      throw error;
    }
    // The catalog requires the chain reference on events made from the chain.
    const chain = event.chain!;
    const { facilityId, owner, capacityKwh } = event.payload;
    const fields = {
      owner,
      capacityKwh: BigInt(capacityKwh),
      approvedTxid: chain.txId,
      approvedHeight: chain.blockHeight,
      approvedAt: new Date(event.occurredAt),
    };
    const outcome = await ctx.runOnce((tx) =>
      tx.approvedFacility.upsert({ where: { id: facilityId }, create: { id: facilityId, ...fields }, update: fields }),
    );
    if (outcome.applied) this.logger.log(`Facility ${facilityId} approved: ready for capacity initialisation`);
  }
}
