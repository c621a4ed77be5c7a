import { Controller, Get, HttpCode, Inject, Post } from "@nestjs/common";
import { ApiTags } from "@nestjs/swagger";
import { priceCurveSchema } from "@voltstack/events";
import { type PriceCurve, priceCurveAnswer, type PriceCurveUpdate, priceCurveUpdateAnswer } from "@voltstack/api";
import { ApiError, Operation, Roles, ZodBody } from "@voltstack/service-kit";
import type { PrismaClient } from "../generated/prisma/client.js";
import { PRISMA } from "@voltstack/chain-sync";
import { type PriceCurveInput, UpdatePriceCurveUseCase } from "./usecases/update-price-curve.usecase.js";

/**
 * The energy price curve the optimal strategy plans against: an admin (or a market feed with an
 * admin key) posts it here or publishes grid.prices.updated; anyone reads the one in force.
 */
@ApiTags("grid")
@Controller("grid/prices")
export class PricesController {
  constructor(
    @Inject(UpdatePriceCurveUseCase) private readonly updatePrices: UpdatePriceCurveUseCase,
    @Inject(PRISMA) private readonly prisma: PrismaClient,
  ) {}

  @Operation({
    summary: "Puts a price curve in force (admin) and replans every facility against it.",
    answers: priceCurveUpdateAnswer,
  })
  @Post()
  @HttpCode(200)
  @Roles("admin")
  update(@ZodBody(priceCurveSchema) body: PriceCurveInput): Promise<PriceCurveUpdate> {
    return this.updatePrices.execute(body);
  }

  @Operation({
    summary: "The energy price curve in force.",
    answers: priceCurveAnswer,
    refuses: [{ PRICE_CURVE_NOT_SET: 404 }],
  })
  @Get()
  async current(): Promise<PriceCurve> {
    const curve = await this.prisma.priceCurve.findUnique({ where: { id: 1 } });
    if (!curve) throw ApiError.notFound("PRICE_CURVE_NOT_SET", "No price curve has been posted or published yet.", {});
    return {
      startsAt: curve.startsAt.toISOString(),
      stepMinutes: curve.stepMinutes,
      energyPricesMicroStxPerKwh: curve.pricesMicroStxPerKwh,
      demandPercent: curve.demandPercent,
      source: curve.source,
      publishedAt: curve.publishedAt.toISOString(),
    };
  }
}
