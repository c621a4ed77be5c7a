import { Controller, Inject, Logger } from "@nestjs/common";
import { Ctx, EventPattern, Payload } from "@nestjs/microservices";
import { FacilityRegistryClient, type StacksChain } from "@voltstack/chain";
import type { DomainEvent } from "@voltstack/events";
import { type JetStreamContext, MessagingError, NonRetryableError } from "@voltstack/messaging";
import type { Prisma } from "../generated/prisma/client.js";
import { parseConsumedEvent, STACKS_CHAIN } from "@voltstack/chain-sync";

/**
 * facility.approved marks a facility ready for capacity initialisation: it is recorded
 * with its owner (who signs the initialisation) and registered capacity. The inbox
 * (runOnce) makes a redelivery a no-op; the upsert makes a replayed event harmless too.
 * An approval the facility registry does not back is never recorded (see assertOnChain).
 */
@Controller()
export class FacilityApprovedConsumer {
  private readonly logger = new Logger("FacilityApproved");
  private readonly registry: FacilityRegistryClient;

  constructor(@Inject(STACKS_CHAIN) private readonly chain: StacksChain) {
    this.registry = new FacilityRegistryClient(chain);
  }

  @EventPattern<string>("facility.approved")
  async onApproved(@Payload() data: unknown, @Ctx() ctx: JetStreamContext<Prisma.TransactionClient>): Promise<void> {
    const event = parseConsumedEvent("facility.approved", data);
    await this.assertOnChain(event);
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

  /**
   * The approval must be the registry's: the facility exists there with the event's owner
   * and capacity (neither ever changes). Missing from a chain that has reached the event's
   * block, it never will be there: dead-lettered at once. Missing from a chain API still
   * behind that block (another node, a lagging replica), it is parked and retried with
   * the consumer's backoff, and dead-lettered with the same code once the deliveries run out.
   */
  private async assertOnChain(event: DomainEvent<"facility.approved">): Promise<void> {
    const { facilityId, owner, capacityKwh } = event.payload;
    const facility = await this.registry.getFacility(BigInt(facilityId));
    if (!facility) {
      const eventHeight = event.chain!.blockHeight;
      const tip = await this.chain.api.getTipHeight();
      const message = `Facility ${facilityId} is not in the facility registry at block ${tip} (the event names block ${eventHeight}).`;
      if (tip >= eventHeight) throw new NonRetryableError("UNKNOWN_FACILITY", message);
      throw new MessagingError("UNKNOWN_FACILITY", `${message} Retrying once the chain reaches it.`);
    }
    if (facility.owner !== owner || facility.capacityKwh !== BigInt(capacityKwh)) {
      throw new NonRetryableError(
        "FACILITY_MISMATCH",
        `facility.approved says facility ${facilityId} is ${owner}'s with ${capacityKwh} kWh; the registry says ${facility.owner}'s with ${facility.capacityKwh} kWh.`,
      );
    }
  }
}
