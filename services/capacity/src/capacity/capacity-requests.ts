import { z } from "zod";
import { safeUint, stacksPrincipal } from "@voltstack/service-kit";

// Energy goes into events as JSON numbers, so it stays a safe integer.
const storedKwh = safeUint();

export const facilityIdParam = z
  .string()
  .regex(/^[1-9]\d{0,9}$/, { error: "must be a facility id (a positive whole number)" })
  .transform(Number)
  .pipe(z.number().max(2_147_483_647, { error: "is not a facility id" }));

const facilityId = z
  .int({ error: "must be a facility id (a positive whole number)" })
  .min(1, { error: "must be a facility id (a positive whole number)" })
  .max(2_147_483_647, { error: "is not a facility id" });

export const initializeBody = z.strictObject({ storedKwh, actAs: stacksPrincipal.optional() });

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

export const pageQuery = z.strictObject({
  after: z
    .string()
    .regex(/^\d{1,10}$/, { error: "must be a facility id" })
    .transform(Number)
    .optional(),
  limit: z
    .string()
    .regex(/^\d{1,3}$/, { error: "must be a whole number from 1 to 100" })
    .transform(Number)
    .pipe(z.number().min(1).max(100))
    .default(20),
});
