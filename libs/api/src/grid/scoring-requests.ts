import { z } from "zod";
import { stacksPrincipal } from "../fields/stacks-principal.js";
import { CONTAINMENT_PROFILE_NAMES } from "./scoring-answers.js";
import { MAX_SERIES_SPAN_MS } from "./telemetry-requests.js";

const containmentProfile = z
  .enum(CONTAINMENT_PROFILE_NAMES)
  .default("fcr")
  .meta({ description: "How frequency containment is scored: fcr (ENTSO-E) or dynamic-containment (GB)" });

export const enableScoringBody = z.strictObject({ containmentProfile, actAs: stacksPrincipal.optional() });

/** The window [from, to) an accepted request was delivered in, at most six hours, ended already. */
export const fulfilFromTelemetryBody = z
  .strictObject({
    from: z.iso.datetime({ offset: true, error: "must be an ISO 8601 date-time" }),
    to: z.iso.datetime({ offset: true, error: "must be an ISO 8601 date-time" }),
    containmentProfile,
    actAs: stacksPrincipal.optional(),
  })
  .superRefine((body, ctx) => {
    const span = Date.parse(body.to) - Date.parse(body.from);
    if (span <= 0) ctx.addIssue({ code: "custom", path: ["to"], message: "must be after from" });
    if (span > MAX_SERIES_SPAN_MS) {
      ctx.addIssue({
        code: "custom",
        path: ["to"],
        message: `spans ${Math.ceil(span / 60_000)} minutes; at most ${MAX_SERIES_SPAN_MS / 60_000}`,
      });
    }
  });
