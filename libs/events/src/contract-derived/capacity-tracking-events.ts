import { z } from "zod";
import { defineEvent } from "../event-definition.js";
import { whenFieldsValid } from "../when-fields-valid.js";
import { entityIdSchema, kwhSchema } from "../field-schemas.js";

const origin = (topic: string) => ({ kind: "chain", contract: "capacity-tracking", topic }) as const;

const capacityLevels = {
  facilityId: entityIdSchema,
  totalKwh: kwhSchema.meta({ description: "Registered capacity in kilowatt-hours" }),
  storedKwh: kwhSchema.meta({ description: "Energy the battery holds now, in kilowatt-hours" }),
  reservedKwh: kwhSchema.meta({ description: "Energy promised to accepted grid-service requests, in kilowatt-hours" }),
  availableKwh: kwhSchema.meta({ description: "storedKwh - reservedKwh" }),
};

// The contract keeps reserved <= stored <= total and available = stored - reserved.
function checkLevels(
  levels: { totalKwh: number; storedKwh: number; reservedKwh: number; availableKwh: number },
  ctx: z.RefinementCtx,
): void {
  if (levels.storedKwh > levels.totalKwh)
    ctx.addIssue({ code: "custom", path: ["storedKwh"], message: "storedKwh must not exceed totalKwh" });
  if (levels.reservedKwh > levels.storedKwh)
    ctx.addIssue({ code: "custom", path: ["reservedKwh"], message: "reservedKwh must not exceed storedKwh" });
  if (levels.availableKwh !== levels.storedKwh - levels.reservedKwh) {
    ctx.addIssue({
      code: "custom",
      path: ["availableKwh"],
      message: "availableKwh must equal storedKwh - reservedKwh",
    });
  }
}

export const capacityUpdateReasons = ["reading", "reserved", "released", "charge", "discharge"] as const;

export const capacityTrackingEvents = {
  "capacity.initialized": defineEvent({
    version: 1,
    summary: "An approved facility's capacity tracking started with its first stored-energy reading.",
    description: "Nothing is reserved yet, so availableKwh equals storedKwh.",
    origin: origin("capacity-initialized"),
    payload: z
      .object({ ...capacityLevels, reservedKwh: z.literal(0).meta({ description: "Always 0 at initialisation" }) })
      .superRefine(checkLevels, { when: whenFieldsValid }),
    example: { facilityId: 1, totalKwh: 2000, storedKwh: 1200, reservedKwh: 0, availableKwh: 1200 },
  }),
  "capacity.updated": defineEvent({
    version: 1,
    summary: "A facility's stored or reserved energy changed.",
    description:
      "reason says why: a battery reading by the owner or operator, a reservation or release by a grid-service request, or a recorded charge or discharge.",
    origin: origin("capacity-updated"),
    payload: z
      .object({
        ...capacityLevels,
        reason: z.enum(capacityUpdateReasons).meta({ description: "What changed the levels" }),
      })
      .superRefine(checkLevels, { when: whenFieldsValid }),
    example: {
      facilityId: 1,
      reason: "reserved",
      totalKwh: 2000,
      storedKwh: 1200,
      reservedKwh: 400,
      availableKwh: 800,
    },
  }),
} as const;
