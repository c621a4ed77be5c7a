import type { Refusals } from "@voltstack/service-kit";

/**
 * What every chain write can be refused with besides its contract's constants (see
 * chain-write-errors.ts, chain-writer.ts and facility-signer.ts, which throw them): no key
 * for the caller, several to choose from, the node refusing the broadcast (422 when the
 * sender cannot pay, else 502), the signing lease held elsewhere, or a transaction that
 * ended without a contract error.
 */
export const CHAIN_WRITE_REFUSALS: Refusals = {
  PRINCIPAL_NOT_ALLOWED: 403,
  ACTING_PRINCIPAL_REQUIRED: 400,
  NO_SIGNER_FOR_CALLER: 422,
  NO_SIGNER_FOR_PRINCIPAL: 422,
  BROADCAST_REJECTED: [422, 502],
  SIGNING_LEASE_HELD: 503,
  SIGNING_LEASE_LOST: 503,
  SIGNING_LEASE_NOT_HELD: 503,
  POST_CONDITION_ABORT: 422,
  TRANSACTION_DROPPED: 422,
  TRANSACTION_FAILED: 422,
  TRANSACTION_SUPERSEDED: 422,
};

/** What a write signed for a facility adds: the caller is neither its owner nor an operator it enabled. */
export const FACILITY_SIGNER_REFUSALS: Refusals = { FACILITY_NOT_AUTHORIZED: 403 };
