import { Controller, Inject } from "@nestjs/common";
import { Ctx, EventPattern, Payload } from "@nestjs/microservices";
import { parseConsumedEvent } from "@voltstack/chain-sync";
import { type JetStreamContext, NonRetryableError } from "@voltstack/messaging";
import type { Prisma } from "../generated/prisma/client.js";
import { DistributionBatcher } from "./distribution-batcher.js";
import { DistributionIntentRepository, type ProgramSettlement } from "./distribution-intent-repository.js";
import type { Fulfilment } from "./fulfilment.js";

/**
 * What the grid says is owed: a fulfilment's payout went into the facility's pool, or a
 * program cohort's period settled into its slots' earnings. Each event records the payout
 * as due in the transaction of its inbox entry and is acknowledged; the batcher pays it
 * once its block is final. Nothing here waits for the chain, so deliveries are handled
 * many at a time (the transport's defaults) and in shared transactions.
 */
@Controller()
export class FulfilmentEventsConsumer {
  constructor(
    @Inject(DistributionIntentRepository) private readonly intents: DistributionIntentRepository,
    @Inject(DistributionBatcher) private readonly batcher: DistributionBatcher,
  ) {}

  @EventPattern<string>("service.fulfilled", { jetstream: { maxDeliver: 10 } })
  async onServiceFulfilled(@Payload() data: unknown, @Ctx() ctx: JetStreamContext<Prisma.TransactionClient>) {
    const fulfilment = toFulfilment(data);
    await ctx.runOnce((tx) => this.intents.recordFulfilment(tx, fulfilment));
    this.batcher.wake();
  }

  @EventPattern<string>("program.settled", { jetstream: { maxDeliver: 10 } })
  async onProgramSettled(@Payload() data: unknown, @Ctx() ctx: JetStreamContext<Prisma.TransactionClient>) {
    const settlement = toSettlement(data);
    await ctx.runOnce((tx) => this.intents.recordSettlement(tx, settlement));
    this.batcher.wake();
  }
}

function chainRef(event: { chain?: { txId: string; blockHeight: number } | null }, type: string) {
  if (!event.chain) {
    throw new NonRetryableError("EVENT_WITHOUT_CHAIN_REF", `${type} must name its transaction and block.`);
  }
  return { txid: `0x${event.chain.txId.replace(/^0x/, "").toLowerCase()}`, blockHeight: event.chain.blockHeight };
}

function toFulfilment(data: unknown): Fulfilment {
  const event = parseConsumedEvent("service.fulfilled", data);
  return {
    eventId: event.eventId,
    requestId: event.payload.requestId,
    facilityId: event.payload.facilityId,
    payoutUstx: event.payload.payoutUstx,
    traceparent: event.traceContext.traceparent,
    ...chainRef(event, "service.fulfilled"),
  };
}

/** The settlement's lines are aligned with the cohort's slots: a line's index is its slot. */
function toSettlement(data: unknown): ProgramSettlement {
  const event = parseConsumedEvent("program.settled", data);
  const { programId, cohort, period, lines } = event.payload;
  return {
    eventId: event.eventId,
    traceparent: event.traceContext.traceparent,
    ...chainRef(event, "program.settled"),
    lines: lines.map((line, slot) => ({
      programId,
      cohort,
      period,
      slot,
      facilityId: line.facilityId,
      amountUstx: line.amountUstx,
    })),
  };
}
