import type { ContractErrorStatuses } from "@voltstack/chain-sync";

// What each revenue-sharing error means for the caller: refused (403), missing (404),
// wrong state for the action (409) or an invalid value (422).
export const STATUS_BY_CONTRACT_ERROR = {
  ERR_NOT_OWNER: 403,
  ERR_NOT_AUTHORIZED: 403,
  ERR_FACILITY_NOT_FOUND: 404,
  ERR_NO_SHARES: 409,
  ERR_EMPTY_POOL: 409,
  ERR_SHARES_NOT_FULL: 422,
  ERR_DUPLICATE_STAKEHOLDER: 422,
  ERR_INVALID_SHARE: 422,
  ERR_NO_STAKEHOLDERS: 422,
  ERR_INVALID_AMOUNT: 422,
  ERR_INVALID_STAKEHOLDER: 422,
  ERR_INSUFFICIENT_FUNDS: 422,
  ERR_PAYOUT_FAILED: 409,
  ERR_INSUFFICIENT_POOL: 409,
  ERR_EMPTY_BATCH: 422,
} as const satisfies ContractErrorStatuses;
