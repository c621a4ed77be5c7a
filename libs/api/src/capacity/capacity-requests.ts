import { z } from "zod";
import { cursorParam, energyKwh, pageLimit } from "../fields/request-fields.js";
import { stacksPrincipal } from "../fields/stacks-principal.js";

export const initializeCapacityBody = z.strictObject({ storedKwh: energyKwh(), actAs: stacksPrincipal.optional() });

export const capacityPageQuery = z.strictObject({
  after: cursorParam("facility").optional(),
  limit: pageLimit(20),
});
