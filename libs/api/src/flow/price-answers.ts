import { z } from "zod";
import { integerField, timestampField } from "../fields/answer-fields.js";

export const priceCurveUpdateAnswer = z.object({
  applied: z.boolean().meta({ description: "False when a curve published later is already in force" }),
  replanned: z.array(integerField).meta({ description: "Facilities whose schedule the curve changed" }),
});

export const priceCurveAnswer = z.object({
  startsAt: timestampField,
  stepMinutes: integerField,
  energyPricesMicroStxPerKwh: z.array(integerField),
  demandPercent: z.array(integerField),
  source: z.string().nullable(),
  publishedAt: timestampField,
});

export type PriceCurveUpdate = z.output<typeof priceCurveUpdateAnswer>;
export type PriceCurve = z.output<typeof priceCurveAnswer>;
