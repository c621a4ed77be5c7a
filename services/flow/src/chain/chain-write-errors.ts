import type { ContractErrorStatuses } from "@voltstack/chain-sync";

// What each error of charge-discharge (and of capacity-tracking, which a flow calls)
// means for the caller: refused (403), wrong state for the action (409) or an invalid
// value (422).
export const STATUS_BY_CONTRACT_ERROR = {
  ERR_NOT_ADMIN: 403,
  ERR_NOT_AUTHORIZED: 403,
  ERR_FACILITY_NOT_APPROVED: 409,
  ERR_NOT_INITIALIZED: 409,
  ERR_STORED_EXCEEDS_TOTAL: 409,
  ERR_BELOW_RESERVED: 409,
  ERR_INVALID_DEMAND_LEVEL: 422,
  ERR_INVALID_THRESHOLDS: 422,
  ERR_INVALID_ENERGY: 422,
  ERR_INVALID_AMOUNT: 422,
} as const satisfies ContractErrorStatuses;
