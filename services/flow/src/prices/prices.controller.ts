import { Controller, Get, HttpCode, Inject, Post } from "@nestjs/common";
import { ApiTags } from "@nestjs/swagger";
import { priceCurveSchema } from "@voltstack/events";
import { ApiError, Roles, ZodBody } from "@voltstack/service-kit";
import type { PrismaClient } from "../generated/prisma/client.js";
import { PRISMA } from "../infrastructure/tokens.js";
import {
  type PriceCurveInput,
  type PriceCurveUpdate,
  UpdatePriceCurveUseCase,
} from "./usecases/update-price-curve.usecase.js";

export interface PriceCurveView {
  startsAt: string;
  stepMinutes: number;
  energyPricesMicroStxPerKwh: number[];
  demandPercent: number[];
  source: string | null;
  publishedAt: string;
}

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

  @Post()
  @HttpCode(200)
  @Roles("admin")
  update(@ZodBody(priceCurveSchema) body: PriceCurveInput): Promise<PriceCurveUpdate> {
    return this.updatePrices.execute(body);
  }

  @Get()
  async current(): Promise<PriceCurveView> {
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
