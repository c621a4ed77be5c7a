import { Controller, Inject, Logger } from "@nestjs/common";
import { Ctx, EventPattern, Payload } from "@nestjs/microservices";
import { EventValidationError, parseEvent } from "@voltstack/events";
import { type JetStreamContext, NonRetryableError } from "@voltstack/messaging";
import { DistributeFulfilmentUseCase } from "./distribute-fulfilment.usecase.js";
import type { Fulfilment } from "./fulfilment.js";

/** The events the revenue service consumes. */
@Controller()
export class FulfilmentEventsController {
  private readonly logger = new Logger("FulfilmentEvents");

  constructor(@Inject(DistributeFulfilmentUseCase) private readonly distribute: DistributeFulfilmentUseCase) {}

  /**
   * A fulfilment put its payout into the facility's pool: pay the pool out. One at a
   * time (concurrency and batch 1), so two fulfilments of one facility never race.
   * The handler waits for its transaction's confirmation; the transport reports progress
   * meanwhile, so the delivery stays ours however long that takes.
   */
  @EventPattern<string>("service.fulfilled", {
    jetstream: { concurrency: 1, batchSize: 1, maxDeliver: 10 },
  })
  async onServiceFulfilled(@Payload() data: unknown, @Ctx() ctx: JetStreamContext): Promise<void> {
    const fulfilment = toFulfilment(data);
    const status = await this.distribute.execute(fulfilment);
    this.logger.log(`request ${fulfilment.requestId} (facility ${fulfilment.facilityId}): ${status}`);
    // The intent already makes a redelivery harmless; the inbox records the event as handled.
    await ctx.runOnce(() => Promise.resolve());
  }
}

function toFulfilment(data: unknown): Fulfilment {
  try {
    const event = parseEvent("service.fulfilled", data);
    if (!event.chain) {
      throw new NonRetryableError("EVENT_WITHOUT_CHAIN_REF", "service.fulfilled must name its transaction and block.");
    }
    return {
      eventId: event.eventId,
      requestId: event.payload.requestId,
      facilityId: event.payload.facilityId,
      payoutUstx: event.payload.payoutUstx,
      txid: `0x${event.chain.txId.replace(/^0x/, "").toLowerCase()}`,
      blockHeight: event.chain.blockHeight,
    };
  } catch (error) {
    if (error instanceof EventValidationError) throw new NonRetryableError("EVENT_INVALID", error.message);
    throw error;
  }
}
