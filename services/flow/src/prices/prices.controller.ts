import { Controller, Get, HttpCode, Inject, Post } from "@nestjs/common";
import { ApiTags } from "@nestjs/swagger";
import { priceCurveSchema } from "@voltstack/events";
import { integerField, timestampField } from "@voltstack/api";
import { ApiError, Operation, Roles, ZodBody } from "@voltstack/service-kit";
import { z } from "zod";
import type { PrismaClient } from "../generated/prisma/client.js";
import { PRISMA } from "@voltstack/chain-sync";
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

  @Operation({
    summary: "Puts a price curve in force (admin) and replans every facility against it.",
    answers: z.object({
      applied: z.boolean().meta({ description: "False when a curve published later is already in force" }),
      replanned: z.array(integerField).meta({ description: "Facilities whose schedule the curve changed" }),
    }),
  })
  @Post()
  @HttpCode(200)
  @Roles("admin")
  update(@ZodBody(priceCurveSchema) body: PriceCurveInput): Promise<PriceCurveUpdate> {
    return this.updatePrices.execute(body);
  }

  @Operation({
    summary: "The energy price curve in force.",
    answers: z.object({
      startsAt: timestampField,
      stepMinutes: integerField,
      energyPricesMicroStxPerKwh: z.array(integerField),
      demandPercent: z.array(integerField),
      source: z.string().nullable(),
      publishedAt: timestampField,
    }),
    refuses: [{ PRICE_CURVE_NOT_SET: 404 }],
  })
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
