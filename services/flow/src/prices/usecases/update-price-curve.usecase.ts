import { Inject, Injectable } from "@nestjs/common";
import type { PriceCurveUpdate } from "@voltstack/api";
import type { ChainRef } from "@voltstack/events";
import { withSpan } from "@voltstack/observability";
import { SERVICE_CONFIG } from "@voltstack/service-kit";
import type { z } from "zod";
import type { priceCurveSchema } from "@voltstack/events";
import { type FlowConfig, REPLAN_TRANSACTION_MARGIN_MS } from "../../flow-config.js";
import type { Prisma, PrismaClient } from "../../generated/prisma/client.js";
import { PRISMA } from "@voltstack/chain-sync";
import { SchedulePlanner } from "../../schedule/schedule-planner.js";

type Tx = Prisma.TransactionClient;
export type PriceCurveInput = z.output<typeof priceCurveSchema>;

/**
 * Puts a price curve in force and replans every facility against it, in one transaction: the
 * curve, the schedules it changes and their events commit together. A curve published before
 * the one in force (a late delivery) changes nothing.
 */
@Injectable()
export class UpdatePriceCurveUseCase {
  constructor(
    @Inject(PRISMA) private readonly prisma: PrismaClient,
    @Inject(SchedulePlanner) private readonly planner: SchedulePlanner,
    @Inject(SERVICE_CONFIG) private readonly config: FlowConfig,
  ) {}

  /** From an HTTP request: published now. */
  execute(curve: PriceCurveInput): Promise<PriceCurveUpdate> {
    const now = new Date();
    return this.prisma.$transaction((tx) => this.apply(tx, curve, { publishedAt: now, chain: null, now }), {
      timeout: this.config.OPTIMISER_TIMEOUT_MS + REPLAN_TRANSACTION_MARGIN_MS,
    });
  }

  /** Inside the caller's transaction (an event handler's). */
  apply(
    tx: Tx,
    curve: PriceCurveInput,
    { publishedAt, chain, now }: { publishedAt: Date; chain: ChainRef | null; now: Date },
  ): Promise<PriceCurveUpdate> {
    return withSpan(
      "flow update price curve",
      { "voltstack.price_steps": curve.energyPricesMicroStxPerKwh.length },
      async () => {
        await this.planner.lock(tx);
        const current = await tx.priceCurve.findUnique({ where: { id: 1 } });
        if (current && current.publishedAt > publishedAt) return { applied: false, replanned: [] };
        const fields = {
          startsAt: new Date(curve.startsAt),
          stepMinutes: curve.stepMinutes,
          pricesMicroStxPerKwh: curve.energyPricesMicroStxPerKwh,
          demandPercent: curve.demandPercent ?? [],
          source: curve.source ?? null,
          publishedAt,
        };
        await tx.priceCurve.upsert({ where: { id: 1 }, create: { id: 1, ...fields }, update: fields });
        const replanned = await this.planner.replan(tx, { chain, now });
        return { applied: true, replanned };
      },
    );
  }
}
