import { z } from "zod";
import { energyKwh, recordId } from "../fields/request-fields.js";
import { stacksPrincipal } from "../fields/stacks-principal.js";

const storedKwh = energyKwh();

const facilityId = recordId("facility");

const measuredAt = z.iso
  .datetime({ offset: true, error: "must be an ISO 8601 date-time" })
  .transform((at) => new Date(at));

export const readingBody = z.strictObject({
  storedKwh,
  measuredAt: measuredAt.optional(),
  actAs: stacksPrincipal.optional(),
});

export const MAX_BATCH_READINGS = 500;

export const readingBatchBody = z.strictObject({
  readings: z
    .array(z.strictObject({ facilityId, storedKwh, measuredAt: measuredAt.optional() }))
    .min(1, { error: "must hold at least one reading" })
    .max(MAX_BATCH_READINGS, { error: `must hold at most ${MAX_BATCH_READINGS} readings` }),
  actAs: stacksPrincipal.optional(),
});
