import { Controller, Inject, Logger } from "@nestjs/common";
import { Ctx, EventPattern, Payload } from "@nestjs/microservices";
import { parseConsumedEvent } from "@voltstack/chain-sync";
import { type JetStreamContext, NonRetryableError } from "@voltstack/messaging";
import { DistributionBatcher } from "./distribution-batcher.js";
import { DistributionIntentRepository } from "./distribution-intent-repository.js";

/** The service's own shares.updated, which releases the payouts that waited for a split. */
@Controller()
export class SharesEventsConsumer {
  private readonly logger = new Logger("SharesEvents");

  constructor(
    @Inject(DistributionIntentRepository) private readonly intents: DistributionIntentRepository,
    @Inject(DistributionBatcher) private readonly batcher: DistributionBatcher,
  ) {}

  /**
   * The chain confirmed the facility's shares (set through the API or from the owner's
   * wallet): the payouts that waited for them are due again, and the batcher pays them.
   */
  @EventPattern<string>("shares.updated", { jetstream: { maxDeliver: 10 } })
  async onSharesUpdated(@Payload() data: unknown, @Ctx() ctx: JetStreamContext): Promise<void> {
    const { facilityId, sharesVersion } = parseConsumedEvent("shares.updated", data).payload;
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
    const reopened = await this.intents.reopenWaiting(facilityId);
    if (reopened > 0) this.logger.log(`facility ${facilityId}: ${reopened} payouts that waited for shares are due`);
    // Reopening is idempotent; the inbox records the event as handled.
    await ctx.runOnce(() => Promise.resolve());
    this.batcher.wake();
  }
}
