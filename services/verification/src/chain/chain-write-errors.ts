import type { ContractErrorStatuses } from "@voltstack/chain-sync";

// What each facility-registry error means for the caller: refused (403), missing (404),
// wrong state for the action (409) or an invalid value (422).
export const STATUS_BY_CONTRACT_ERROR = {
  ERR_NOT_ADMIN: 403,
  ERR_NOT_OWNER: 403,
  ERR_FACILITY_NOT_FOUND: 404,
  ERR_NOT_PENDING: 409,
  ERR_NOT_APPROVED: 409,
  ERR_NOT_SUSPENDED: 409,
  ERR_ALREADY_ADMIN: 409,
  ERR_UNKNOWN_ADMIN: 409,
  ERR_LAST_ADMIN: 409,
  ERR_INVALID_NAME: 422,
  ERR_INVALID_CAPACITY: 422,
  ERR_INVALID_POWER: 422,
  ERR_OPERATOR_IS_OWNER: 422,
} as const satisfies ContractErrorStatuses;
