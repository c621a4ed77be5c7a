import { z } from "zod";
import { checkSharesAddUp, MAX_STAKEHOLDERS } from "@voltstack/events";
import { basisPoints } from "./request-fields.js";
import { stacksPrincipal } from "./stacks-principal.js";

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
  .superRefine((shares, ctx) => checkSharesAddUp(shares, ctx));

export type Share = z.output<typeof sharesSchema>[number];
