import { z } from "zod";
import { defineEvent } from "../event-definition.js";
import { entityIdSchema, kwhSchema, percentSchema, versionNumberSchema } from "../field-schemas.js";

const scheduleStep = z.object({
  startsAt: z.iso.datetime().meta({ description: "Start of the step (UTC, ISO 8601)" }),
  action: z.enum(["charge", "discharge", "hold"]),
  energyKwh: kwhSchema.meta({ description: "Energy to move during the step; 0 for hold" }),
});

/** Events the flow service decides itself, from the chain's facts and its inputs: nothing on chain says them. */
export const flowEvents = {
  "flow.schedule.updated": defineEvent({
    version: 2,
    summary: "The flow service recomputed a facility's charge/discharge schedule.",
    description:
      "Off-chain: the schedule follows from the facility's strategy: the contract's threshold rule (demand, thresholds and capacity, hourly steps) or the optimal one (the price curve ahead, the battery's model and the reserve committed to programs, in the curve's steps). When the facility's own strategy could not plan, the contract's rule did and fallbackReason says why. The envelope's chain reference, when present, is the transaction whose event caused the recomputation. Version 2 added strategy, expectedRevenueMicroStx and fallbackReason.",
    origin: { kind: "service", service: "flow" },
    payload: z.object({
      facilityId: entityIdSchema,
      scheduleVersion: versionNumberSchema.meta({ description: "Increases with every recomputation for the facility" }),
      demandLevelPercent: percentSchema.meta({ description: "Grid demand level the schedule was computed for" }),
      strategy: z.enum(["contract-rule", "optimal"]).meta({ description: "The strategy that produced the steps" }),
      expectedRevenueMicroStx: z
        .string()
        .regex(/^-?(0|[1-9]\d{0,30})$/, "must be a whole number of micro-STX written in decimal digits")
        .nullable()
        .meta({
          description:
            "What the steps earn at the price curve net of battery wear, in micro-STX (negative when they cost); null when no curve priced them",
        }),
      fallbackReason: z
        .string()
        .max(500)
        .nullable()
        .meta({ description: "Why the facility's own strategy did not plan (the contract's rule did), or null" }),
      stepMinutes: z.int().positive().max(1440).meta({ description: "Length of each step in minutes" }),
      steps: z.array(scheduleStep).min(1).max(2016),
    }),
    example: {
      facilityId: 1,
      scheduleVersion: 3,
      demandLevelPercent: 82,
      strategy: "optimal",
      expectedRevenueMicroStx: "18250000",
      fallbackReason: null,
      stepMinutes: 15,
      steps: [
        { startsAt: "2026-11-24T06:00:00.000Z", action: "discharge", energyKwh: 125 },
        { startsAt: "2026-11-24T06:15:00.000Z", action: "hold", energyKwh: 0 },
      ],
    },
  }),
} as const;
