import { z } from "zod";
import { cursorParam, energyKwh, facilityIdParam, pageLimit } from "../fields/request-fields.js";
import { stacksPrincipal } from "../fields/stacks-principal.js";

export const recordFlowBody = z.strictObject({ energyKwh: energyKwh({ min: 1 }), actAs: stacksPrincipal.optional() });

export const listFlowRecordsQuery = z.strictObject({
  facilityId: facilityIdParam.optional(),
  action: z.enum(["charge", "discharge"]).optional(),
  recordedBy: stacksPrincipal.optional(),
  after: cursorParam("record").optional(),
  limit: pageLimit(20),
});
