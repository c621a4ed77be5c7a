import { z } from "zod";
import { stacksPrincipal } from "@voltstack/service-kit";

export const FULL_SHARE_BPS = 10_000;

export const facilityIdParam = z
  .string()
  .regex(/^[1-9]\d{0,9}$/, { error: "must be a facility id (a positive whole number)" })
  .transform(Number)
  .pipe(z.number().max(2_147_483_647, { error: "is not a facility id" }));

const share = z.strictObject({
  stakeholder: stacksPrincipal,
  shareBps: z
    .int({ error: "must be a whole number of basis points" })
    .min(1, { error: "must be at least 1 (a stakeholder with no share is left out)" })
    .max(FULL_SHARE_BPS, { error: "must be at most 10000" }),
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
