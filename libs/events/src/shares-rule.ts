import type { z } from "zod";

/** A whole facility's revenue, in basis points: a split's shares add up to exactly this. */
export const FULL_SHARE_BPS = 10_000;
/** At most this many stakeholders share a facility's revenue (revenue-sharing's list bound). */
export const MAX_STAKEHOLDERS = 100;

/**
 * revenue-sharing's rule for a facility's split, beyond each share's own bounds: the shares add
 * up to FULL_SHARE_BPS and no stakeholder is listed twice. One rule for the API's requests and
 * the shares.updated event; `at` is where the list sits in the value being checked.
 */
export function checkSharesAddUp(
  shares: readonly { stakeholder: string; shareBps: number }[],
  ctx: z.RefinementCtx,
  at: readonly PropertyKey[] = [],
): void {
  const total = shares.reduce((sum, entry) => sum + entry.shareBps, 0);
  if (total !== FULL_SHARE_BPS) {
    ctx.addIssue({ code: "custom", path: [...at], message: `shareBps must add up to ${FULL_SHARE_BPS}, not ${total}` });
  }
  const seen = new Set<string>();
  shares.forEach((entry, index) => {
    if (seen.has(entry.stakeholder)) {
      ctx.addIssue({ code: "custom", path: [...at, index, "stakeholder"], message: "stakeholder listed twice" });
    }
    seen.add(entry.stakeholder);
  });
}
