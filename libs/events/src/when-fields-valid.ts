import type { z } from "zod";

/**
 * Runs a cross-field refinement only once every field is valid: zod runs
 * refinements after non-aborting field issues too, and a rule such as
 * payout + refund = payment cannot be evaluated on a missing amount.
 */
export function whenFieldsValid(payload: z.core.ParsePayload): boolean {
  return payload.issues.length === 0;
}
