import { z } from "zod";
import { basisPoints, FULL_SHARE_BPS } from "./request-fields.js";
import { stacksPrincipal } from "./stacks-principal.js";

/** At most this many stakeholders share a facility's revenue (revenue-sharing's list bound). */
export const MAX_STAKEHOLDERS = 100;

const share = z.strictObject({
  stakeholder: stacksPrincipal,
  // A stakeholder with no share is left out, so at least 1.
  shareBps: basisPoints({ min: 1 }),
});

/**
 * A facility's revenue split as revenue-sharing accepts it: 1 to 100 stakeholders, none listed
 * twice, whose shares add up to a whole (10000 basis points). Checked before a transaction costs a fee.
 */
export const sharesSchema = z
  .array(share)
  .min(1, { error: "must list at least one stakeholder" })
  .max(MAX_STAKEHOLDERS, { error: `must list at most ${MAX_STAKEHOLDERS} stakeholders` })
  .superRefine((shares, ctx) => {
    const total = shares.reduce((sum, entry) => sum + entry.shareBps, 0);
    if (total !== FULL_SHARE_BPS) {
      ctx.addIssue({ code: "custom", path: [], message: `shareBps must add up to ${FULL_SHARE_BPS}, not ${total}` });
    }
    const seen = new Set<string>();
    shares.forEach((entry, index) => {
      if (seen.has(entry.stakeholder)) {
        ctx.addIssue({ code: "custom", path: [index, "stakeholder"], message: "stakeholder listed twice" });
      }
      seen.add(entry.stakeholder);
    });
  });

export type Share = z.output<typeof sharesSchema>[number];
