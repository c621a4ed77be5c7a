import { Controller, Inject, Logger } from "@nestjs/common";
import { Ctx, EventPattern, Payload } from "@nestjs/microservices";
import { EventValidationError, parseEvent } from "@voltstack/events";
import { type JetStreamContext, NonRetryableError } from "@voltstack/messaging";
import { DistributeFulfilmentUseCase } from "./distribute-fulfilment.usecase.js";
import { DistributionIntentRepository } from "./distribution-intent-repository.js";

/** The service's own shares.updated, which releases the payouts that waited for a split. */
@Controller()
export class SharesEventsController {
  private readonly logger = new Logger("SharesEvents");

  constructor(
    @Inject(DistributeFulfilmentUseCase) private readonly distribute: DistributeFulfilmentUseCase,
    @Inject(DistributionIntentRepository) private readonly intents: DistributionIntentRepository,
  ) {}

  /**
   * The chain confirmed the facility's shares (set through the API or from the owner's
   * wallet): the fulfilments that waited for them are distributed now. Like
   * service.fulfilled, one delivery at a time and acknowledged after the distribution
   * confirmed (the transport reports progress while it waits).
   */
  @EventPattern<string>("shares.updated", {
    jetstream: { concurrency: 1, batchSize: 1, maxDeliver: 10 },
  })
  async onSharesUpdated(@Payload() data: unknown, @Ctx() ctx: JetStreamContext): Promise<void> {
    const { facilityId, sharesVersion } = parseSharesUpdated(data);
    // This service's follower writes the split and queues this event in one transaction, so
    // the read model always knows a genuine one first: an unknown facility or version can
    // never become valid by waiting (a forged event, or shares a fork took back).
    const known = await this.intents.sharesVersion(facilityId);
    if (known < sharesVersion) {
      throw new NonRetryableError(
        known === 0 ? "UNKNOWN_FACILITY" : "UNKNOWN_SHARES_VERSION",
        `shares.updated names version ${sharesVersion} of facility ${facilityId}; the read model knows ${known === 0 ? "no shares of that facility" : `version ${known} at most`}.`,
      );
    }
    for (const { requestId, status } of await this.distribute.distributeWaiting(facilityId)) {
      this.logger.log(`request ${requestId} (facility ${facilityId}), waited for shares: ${status}`);
    }
    // The intents make a redelivery harmless; the inbox records the event as handled.
    await ctx.runOnce(() => Promise.resolve());
  }
}

function parseSharesUpdated(data: unknown): { facilityId: number; sharesVersion: number } {
  try {
    return parseEvent("shares.updated", data).payload;
  } catch (error) {
    if (error instanceof EventValidationError) throw new NonRetryableError("EVENT_INVALID", error.message);
    throw error;
  }
}
