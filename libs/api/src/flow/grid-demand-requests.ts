import { z } from "zod";
import { percent } from "../fields/request-fields.js";
import { stacksPrincipal } from "../fields/stacks-principal.js";

export const setDemandBody = z.strictObject({ demandLevelPercent: percent(), actAs: stacksPrincipal.optional() });

// Whether low is below high is the contract's rule (ERR_INVALID_THRESHOLDS), not repeated here.
export const setThresholdsBody = z.strictObject({
  lowThresholdPercent: percent(),
  highThresholdPercent: percent(),
  actAs: stacksPrincipal.optional(),
});
