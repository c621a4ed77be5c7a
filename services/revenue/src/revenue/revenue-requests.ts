import { z } from "zod";
import { basisPoints, FULL_SHARE_BPS, idParam, stacksPrincipal } from "@voltstack/api";

export { FULL_SHARE_BPS };

export const facilityIdParam = idParam("facility");

const share = z.strictObject({
  stakeholder: stacksPrincipal,
  // A stakeholder with no share is left out, so at least 1.
  shareBps: basisPoints({ min: 1 }),
});

/** The contract's own rules, checked before a transaction costs a fee. */
export const setSharesBody = z
  .array(share)
  .min(1, { error: "must list at least one stakeholder" })
  .max(100, { error: "must list at most 100 stakeholders" })
  .superRefine((shares, ctx) => {
    const total = shares.reduce((sum, entry) => sum + entry.shareBps, 0);
    if (total !== FULL_SHARE_BPS) {
      ctx.addIssue({ code: "custom", path: [], message: `shareBps must add up to 10000, not ${total}` });
    }
    const seen = new Set<string>();
    shares.forEach((entry, index) => {
      if (seen.has(entry.stakeholder)) {
        ctx.addIssue({ code: "custom", path: [index, "stakeholder"], message: "stakeholder listed twice" });
      }
      seen.add(entry.stakeholder);
    });
  });

export const actAsBody = z.strictObject({ actAs: stacksPrincipal.optional() });

export const formatQuery = z.strictObject({ format: z.enum(["json", "csv"]).optional() });
