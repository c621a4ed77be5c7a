import { z } from "zod";
import { cursorParam, energyKwh, idParam, pageLimit, percent, stacksPrincipal } from "@voltstack/api";

export const facilityIdParam = idParam("facility");

export const setDemandBody = z.strictObject({ demandLevelPercent: percent(), actAs: stacksPrincipal.optional() });

// Whether low is below high is the contract's rule (ERR_INVALID_THRESHOLDS), not repeated here.
export const setThresholdsBody = z.strictObject({
  lowThresholdPercent: percent(),
  highThresholdPercent: percent(),
  actAs: stacksPrincipal.optional(),
});

export const recordFlowBody = z.strictObject({ energyKwh: energyKwh({ min: 1 }), actAs: stacksPrincipal.optional() });

export const listFlowRecordsQuery = z.strictObject({
  facilityId: facilityIdParam.optional(),
  action: z.enum(["charge", "discharge"]).optional(),
  recordedBy: stacksPrincipal.optional(),
  after: cursorParam("record").optional(),
  limit: pageLimit(20),
});
