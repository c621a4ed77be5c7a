import { Controller, Inject, Logger } from "@nestjs/common";
import { Ctx, EventPattern, Payload } from "@nestjs/microservices";
import { EventValidationError, parseEvent } from "@voltstack/events";
import { type JetStreamContext, NonRetryableError } from "@voltstack/messaging";
import { DistributeFulfilmentUseCase } from "./distribute-fulfilment.usecase.js";

/** The service's own shares.updated, which releases the payouts that waited for a split. */
@Controller()
export class SharesEventsController {
  private readonly logger = new Logger("SharesEvents");

  constructor(@Inject(DistributeFulfilmentUseCase) private readonly distribute: DistributeFulfilmentUseCase) {}

  /**
   * The chain confirmed the facility's shares (set through the API or from the owner's
   * wallet): the fulfilments that waited for them are distributed now. Like
   * service.fulfilled, one delivery at a time and acknowledged after the distribution
   * confirmed: EVENT_ACK_WAIT_MS must exceed that.
   */
  @EventPattern<string>("shares.updated", {
    jetstream: { concurrency: 1, batchSize: 1, maxDeliver: 10 },
  })
  async onSharesUpdated(@Payload() data: unknown, @Ctx() ctx: JetStreamContext): Promise<void> {
    const facilityId = toFacilityId(data);
    for (const { requestId, status } of await this.distribute.distributeWaiting(facilityId)) {
      this.logger.log(`request ${requestId} (facility ${facilityId}), waited for shares: ${status}`);
    }
    // The intents make a redelivery harmless; the inbox records the event as handled.
    await ctx.runOnce(() => Promise.resolve());
  }
}

function toFacilityId(data: unknown): number {
  try {
    return parseEvent("shares.updated", data).payload.facilityId;
  } catch (error) {
    if (error instanceof EventValidationError) throw new NonRetryableError("EVENT_INVALID", error.message);
    throw error;
  }
}
