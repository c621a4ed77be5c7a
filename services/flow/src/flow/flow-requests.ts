import { z } from "zod";
import { safeUint, stacksPrincipal } from "@voltstack/service-kit";

const percent = safeUint({ max: 100 });
// Energy goes into events as a JSON number, so it stays a safe integer.
const positiveKwh = safeUint().min(1, { error: "must be at least 1" });
const pageLimit = z
  .string()
  .regex(/^\d{1,3}$/, { error: "must be a whole number from 1 to 100" })
  .transform(Number)
  .pipe(z.number().min(1).max(100))
  .default(20);

export const facilityIdParam = z
  .string()
  .regex(/^[1-9]\d{0,9}$/, { error: "must be a facility id (a positive whole number)" })
  .transform(Number)
  .pipe(z.number().max(2_147_483_647, { error: "is not a facility id" }));

export const setDemandBody = z.strictObject({ demandLevelPercent: percent, actAs: stacksPrincipal.optional() });

// Whether low is below high is the contract's rule (ERR_INVALID_THRESHOLDS), not repeated here.
export const setThresholdsBody = z.strictObject({
  lowThresholdPercent: percent,
  highThresholdPercent: percent,
  actAs: stacksPrincipal.optional(),
});

export const recordFlowBody = z.strictObject({ energyKwh: positiveKwh, actAs: stacksPrincipal.optional() });

export const listFlowRecordsQuery = z.strictObject({
  facilityId: facilityIdParam.optional(),
  action: z.enum(["charge", "discharge"]).optional(),
  recordedBy: stacksPrincipal.optional(),
  after: z
    .string()
    .regex(/^\d{1,10}$/, { error: "must be a record id" })
    .transform(Number)
    .optional(),
  limit: pageLimit,
});
