import { z } from "zod";
import { stacksPrincipal } from "@voltstack/service-kit";
import { CONTAINMENT_PROFILES, type ContainmentProfileName } from "./period-score.js";

export const enableScoringBody = z.strictObject({
  containmentProfile: z
    .enum(Object.keys(CONTAINMENT_PROFILES) as [ContainmentProfileName, ...ContainmentProfileName[]])
    .default("fcr")
    .meta({ description: "How a frequency-containment program is scored: fcr (ENTSO-E) or dynamic-containment (GB)" }),
  actAs: stacksPrincipal.optional(),
});
