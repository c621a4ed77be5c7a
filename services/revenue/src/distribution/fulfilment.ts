import type { DISTRIBUTION_STATUSES } from "@voltstack/api";

/** A grid request's fulfilment as the service.fulfilled event tells it. */
export interface Fulfilment {
  eventId: string;
  requestId: number;
  facilityId: number;
  payoutUstx: bigint;
  txid: string;
  blockHeight: number;
  /** The event's trace: its payout is sent in it. */
  traceparent: string;
}

/**
 * Where a payout owed to a fulfilment (or to a program cohort's slot for a period) stands.
 * `due`: recorded, waiting for its block to be final and for a batch; `batched`: in a batch
 * transaction not final yet. Final: `distributed` (by one of our batches), `covered` (a
 * whole-pool distribution someone else made after the payout paid it), `nothing_to_pay`
 * (no payout reached the pool), `failed` (refused by the chain DISTRIBUTION_MAX_ATTEMPTS
 * times; its error code says why). `waiting_for_shares`: the facility has no split; the
 * owner's shares.updated makes it `due` again.
 */
export type IntentStatus = (typeof DISTRIBUTION_STATUSES)[number];

export const SETTLED_STATUSES: readonly IntentStatus[] = [
  "distributed",
  "covered",
  "nothing_to_pay",
  "waiting_for_shares",
  "failed",
];
