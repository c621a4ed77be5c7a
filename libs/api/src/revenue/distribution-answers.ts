import { z } from "zod";
import { integerField, txidField, ustxField } from "../fields/answer-fields.js";

/**
 * Where the distribution owed to a fulfilment stands: `due`, `batched`, then one of the final
 * `distributed`, `covered`, `nothing_to_pay`, `failed`; `waiting_for_shares` until the facility has a split.
 */
export const DISTRIBUTION_STATUSES = [
  "due",
  "batched",
  "distributed",
  "covered",
  "nothing_to_pay",
  "waiting_for_shares",
  "failed",
] as const;

export const fulfilmentDistributionAnswer = z.object({
  requestId: integerField,
  eventId: z.string(),
  facilityId: integerField,
  payoutUstx: ustxField,
  status: z.enum(DISTRIBUTION_STATUSES),
  attempts: integerField,
  batchId: z.string().nullable(),
  distributionTxid: txidField.nullable(),
  distributionId: integerField.nullable(),
  errorCode: z.string().nullable(),
});

export type FulfilmentDistribution = z.output<typeof fulfilmentDistributionAnswer>;
