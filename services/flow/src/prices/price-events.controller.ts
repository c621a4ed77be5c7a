import { Controller, Inject } from "@nestjs/common";
import { Ctx, EventPattern, Payload } from "@nestjs/microservices";
import { EventValidationError, parseEvent } from "@voltstack/events";
import { type JetStreamContext, NonRetryableError } from "@voltstack/messaging";
import type { Prisma } from "../generated/prisma/client.js";
import { UpdatePriceCurveUseCase } from "./usecases/update-price-curve.usecase.js";

type Tx = Prisma.TransactionClient;

/** Price curves a market feed publishes on NATS (grid.prices.updated), applied once each. */
@Controller()
export class PriceEventsController {
  constructor(@Inject(UpdatePriceCurveUseCase) private readonly updatePrices: UpdatePriceCurveUseCase) {}

  @EventPattern<string>("grid.prices.updated")
  async onPricesUpdated(@Payload() data: unknown, @Ctx() ctx: JetStreamContext<Tx>): Promise<void> {
    let event;
    try {
      event = parseEvent("grid.prices.updated", data);
    } catch (error) {
      if (error instanceof EventValidationError) throw new NonRetryableError("EVENT_INVALID", error.message);
      throw error;
    }
    const { payload, occurredAt, chain } = event;
    await ctx.runOnce((tx) =>
      this.updatePrices.apply(tx, payload, { publishedAt: new Date(occurredAt), chain, now: new Date() }),
    );
  }
}
