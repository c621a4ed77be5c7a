import { z } from "zod";
import { defineEvent } from "../event-definition.js";
import { whenFieldsValid } from "../when-fields-valid.js";
import { entityIdSchema, kwhSchema, percentSchema, positiveKwhSchema, versionNumberSchema } from "../field-schemas.js";
import { stacksPrincipalSchema } from "../stacks-principal.js";
import { OPERATOR } from "./example-principals.js";

const DEMAND_RENAMES = {
  level: "demandLevelPercent",
  demandLevel: "demandLevelPercent",
  lowThreshold: "lowThresholdPercent",
  highThreshold: "highThresholdPercent",
};

const origin = (topic: string) =>
  ({ kind: "chain", contract: "charge-discharge", topic, renames: DEMAND_RENAMES }) as const;

const demandLevels = z
  .object({
    demandLevelPercent: percentSchema.meta({ description: "Grid demand as a percentage of peak" }),
    lowThresholdPercent: percentSchema.meta({ description: "Below this level batteries should charge" }),
    highThresholdPercent: percentSchema.meta({ description: "At or above this level batteries should discharge" }),
  })
  .refine((levels) => levels.lowThresholdPercent < levels.highThresholdPercent, {
    path: ["lowThresholdPercent"],
    message: "lowThresholdPercent must be below highThresholdPercent",
    when: whenFieldsValid,
  });

const scheduleStep = z.object({
  startsAt: z.iso.datetime().meta({ description: "Start of the step (UTC, ISO 8601)" }),
  action: z.enum(["charge", "discharge", "hold"]),
  energyKwh: kwhSchema.meta({ description: "Energy to move during the step; 0 for hold" }),
});

export const chargeDischargeEvents = {
  "grid.demand.updated": defineEvent({
    version: 1,
    summary: "An admin set the grid demand level.",
    description:
      "With the thresholds it decides the suggested action of every facility: charge below the low threshold, discharge at or above the high one.",
    origin: origin("grid-demand-updated"),
    payload: demandLevels,
    example: { demandLevelPercent: 82, lowThresholdPercent: 30, highThresholdPercent: 70 },
  }),
  "grid.thresholds.updated": defineEvent({
    version: 1,
    summary: "An admin changed the low and high demand thresholds.",
    description:
      "Carries the current demand level too, so the suggested actions can be recomputed from this event alone.",
    origin: origin("demand-thresholds-updated"),
    payload: demandLevels,
    example: { demandLevelPercent: 50, lowThresholdPercent: 25, highThresholdPercent: 75 },
  }),
  "flow.recorded": defineEvent({
    version: 1,
    summary: "A charge or discharge was recorded for a facility and its stored energy moved accordingly.",
    description: "storedAfterKwh is the facility's stored energy after this flow, in the same transaction.",
    origin: origin("flow-recorded"),
    payload: z.object({
      recordId: entityIdSchema,
      facilityId: entityIdSchema,
      action: z.enum(["charge", "discharge"]),
      energyKwh: positiveKwhSchema,
      demandLevelPercent: percentSchema.meta({ description: "Grid demand level when the flow was recorded" }),
      storedAfterKwh: kwhSchema.meta({ description: "Stored energy after the flow, in kilowatt-hours" }),
      recordedBy: stacksPrincipalSchema,
    }),
    example: {
      recordId: 7,
      facilityId: 1,
      action: "discharge",
      energyKwh: 300,
      demandLevelPercent: 82,
      storedAfterKwh: 900,
      recordedBy: OPERATOR,
    },
  }),
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
