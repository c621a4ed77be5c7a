/** A grid request's fulfilment as the service.fulfilled event tells it. */
export interface Fulfilment {
  eventId: string;
  requestId: number;
  facilityId: number;
  payoutUstx: bigint;
  txid: string;
  blockHeight: number;
}

/**
 * Where a fulfilment's distribution stands. Final: `distributed` (ours), `covered`
 * (a distribution someone else made after the payout paid it), `nothing_to_pay` (no
 * payout reached the pool), `waiting_for_shares` (the facility has no split; final for
 * service.fulfilled, reopened to `sending` when the owner sets one). `sending` while ours
 * is under way.
 */
export const INTENT_STATUSES = ["sending", "distributed", "covered", "nothing_to_pay", "waiting_for_shares"] as const;
export type IntentStatus = (typeof INTENT_STATUSES)[number];

export const SETTLED_STATUSES: readonly IntentStatus[] = [
  "distributed",
  "covered",
  "nothing_to_pay",
  "waiting_for_shares",
];
