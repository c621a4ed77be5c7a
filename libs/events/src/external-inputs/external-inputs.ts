import { z } from "zod";
import { defineEvent } from "../event-definition.js";
import { whenFieldsValid } from "../when-fields-valid.js";
import { entityIdSchema } from "../field-schemas.js";

// A price curve covers at most a week: 2,016 steps of 5 minutes.
const MAX_CURVE_MINUTES = 7 * 24 * 60;
// One telemetry message holds at most an hour of 2-second samples.
const MAX_SAMPLES = 1_800;

export const stepMinutesSchema = z
  .union([z.literal(5), z.literal(15), z.literal(60)])
  .meta({ description: "Length of each step in minutes: 5, 15 or 60" });

/** A curve of energy prices (and optionally demand), the optimiser's input; steps start on a multiple of their length. */
export const priceCurveSchema = z
  .object({
    startsAt: z.iso.datetime().meta({ description: "Start of the first step (UTC, ISO 8601), a multiple of the step" }),
    stepMinutes: stepMinutesSchema,
    energyPricesMicroStxPerKwh: z
      .array(z.int().min(-1_000_000_000).max(1_000_000_000))
      .min(1)
      .max(MAX_CURVE_MINUTES / 5)
      .meta({
        description: "Energy price of each step in micro-STX per kWh; negative when the grid pays to take energy",
      }),
    demandPercent: z
      .array(z.int().nonnegative().max(100))
      .max(MAX_CURVE_MINUTES / 5)
      .optional()
      .meta({ description: "Forecast grid demand of each step as a percentage of peak, when known" }),
    source: z
      .string()
      .min(1)
      .max(64)
      .optional()
      .meta({ description: "Who made the curve (a market feed, a forecast)" }),
  })
  .superRefine((curve, ctx) => {
    const stepMs = curve.stepMinutes * 60_000;
    if (Date.parse(curve.startsAt) % stepMs !== 0) {
      ctx.addIssue({
        code: "custom",
        path: ["startsAt"],
        message: `must start on a multiple of ${curve.stepMinutes} minutes`,
      });
    }
    if (curve.energyPricesMicroStxPerKwh.length * curve.stepMinutes > MAX_CURVE_MINUTES) {
      ctx.addIssue({
        code: "custom",
        path: ["energyPricesMicroStxPerKwh"],
        message: `covers ${curve.energyPricesMicroStxPerKwh.length * curve.stepMinutes} minutes; at most 7 days (${MAX_CURVE_MINUTES} minutes)`,
      });
    }
    if (curve.demandPercent && curve.demandPercent.length !== curve.energyPricesMicroStxPerKwh.length) {
      ctx.addIssue({
        code: "custom",
        path: ["demandPercent"],
        message: `has ${curve.demandPercent.length} steps; the prices have ${curve.energyPricesMicroStxPerKwh.length}`,
      });
    }
  });

/** One measurement at a facility's point of connection; integers as metered. */
export const telemetrySampleSchema = z.object({
  at: z.iso.datetime().meta({ description: "When the sample was taken (UTC, ISO 8601)" }),
  powerW: z
    .int()
    .min(-2_000_000_000)
    .max(2_000_000_000)
    .meta({ description: "Power in watts: positive = discharge into the grid, negative = charge from it" }),
  storedWh: z.int().nonnegative().max(2_000_000_000).optional().meta({ description: "Stored energy in watt-hours" }),
  frequencyMilliHz: z
    .int()
    .min(40_000)
    .max(70_000)
    .optional()
    .meta({ description: "Grid frequency at the point of connection in millihertz: 50 Hz = 50000" }),
});

export const telemetryBatchSchema = z
  .object({
    facilityId: entityIdSchema,
    samples: z.array(telemetrySampleSchema).min(1).max(MAX_SAMPLES),
  })
  .refine((batch) => new Set(batch.samples.map((sample) => sample.at)).size === batch.samples.length, {
    path: ["samples"],
    message: "lists one instant twice",
    when: whenFieldsValid,
  });

/** Inputs that come from outside voltstack: market data and metering. */
export const externalInputs = {
  "grid.prices.updated": defineEvent({
    version: 1,
    summary: "A market feed or forecaster published an energy price curve.",
    description:
      "Input to the flow service's optimal scheduler: each facility using it is re-planned over the part of the curve still ahead. A newer curve replaces the steps it covers. Published on the FLOW stream.",
    origin: { kind: "external", publisher: "a market data feed or price forecaster" },
    payload: priceCurveSchema,
    example: {
      startsAt: "2026-12-06T00:00:00.000Z",
      stepMinutes: 60,
      energyPricesMicroStxPerKwh: [41_000, 38_500, 36_000, 52_000, 97_000, 88_000],
      source: "day-ahead",
    },
  }),
  "telemetry.reported": defineEvent({
    version: 1,
    summary: "A facility's meter reported a batch of samples.",
    description:
      "Input to the grid service's performance scoring: power, stored energy and frequency at 1–2 s resolution. Samples may arrive late, twice or out of order; each lands in its 2-second slot and a repeat overwrites the same values. Published on the TELEMETRY stream; the envelope's facilityId equals the payload's.",
    origin: { kind: "external", publisher: "a facility's meter or site controller" },
    payload: telemetryBatchSchema,
    example: {
      facilityId: 1,
      samples: [
        { at: "2026-12-06T10:00:00.000Z", powerW: 250_000, storedWh: 1_800_000, frequencyMilliHz: 49_962 },
        { at: "2026-12-06T10:00:02.000Z", powerW: 262_000, storedWh: 1_799_860, frequencyMilliHz: 49_958 },
      ],
    },
  }),
} as const;
