import { Controller, Inject } from "@nestjs/common";
import { Ctx, EventPattern, Payload } from "@nestjs/microservices";
import type { JetStreamContext } from "@voltstack/messaging";
import type { Prisma } from "../generated/prisma/client.js";
import { parseConsumedEvent } from "@voltstack/chain-sync";
import { UpdatePriceCurveUseCase } from "./usecases/update-price-curve.usecase.js";

type Tx = Prisma.TransactionClient;

/** Price curves a market feed publishes on NATS (grid.prices.updated), applied once each. */
@Controller()
export class PriceEventsConsumer {
  constructor(@Inject(UpdatePriceCurveUseCase) private readonly updatePrices: UpdatePriceCurveUseCase) {}

  @EventPattern<string>("grid.prices.updated")
  async onPricesUpdated(@Payload() data: unknown, @Ctx() ctx: JetStreamContext<Tx>): Promise<void> {
    const { payload, occurredAt, chain } = parseConsumedEvent("grid.prices.updated", data);
    await ctx.runOnce((tx) =>
      this.updatePrices.apply(tx, payload, { publishedAt: new Date(occurredAt), chain, now: new Date() }),
    );
  }
}
