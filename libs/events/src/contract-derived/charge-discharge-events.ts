import { z } from "zod";
import { defineEvent } from "../event-definition.js";
import { whenFieldsValid } from "../when-fields-valid.js";
import { entityIdSchema, kwhSchema, percentSchema, positiveKwhSchema } from "../field-schemas.js";
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
} as const;
