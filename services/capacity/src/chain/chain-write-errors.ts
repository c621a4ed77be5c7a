import type { ContractErrorStatuses } from "@voltstack/chain-sync";

// What each capacity-tracking error this service's calls can meet means for the caller:
// refused (403), wrong state for the action (409) or an invalid value (422).
export const STATUS_BY_CONTRACT_ERROR = {
  ERR_NOT_AUTHORIZED: 403,
  ERR_FACILITY_NOT_APPROVED: 409,
  ERR_ALREADY_INITIALIZED: 409,
  ERR_NOT_INITIALIZED: 409,
  ERR_STORED_EXCEEDS_TOTAL: 422,
  ERR_BELOW_RESERVED: 422,
} as const satisfies ContractErrorStatuses;
