import type { ContractErrorName } from "@voltstack/chain";
import type { ContractErrorStatuses } from "@voltstack/chain-sync";
import { ApiError } from "@voltstack/service-kit";

export type GridErrorName = ContractErrorName<"grid-services">;

// What each grid-services error means for the caller: refused (403), missing (404),
// wrong state for the action (409) or an invalid value (422).
export const STATUS_BY_CONTRACT_ERROR: ContractErrorStatuses = {
  ERR_NOT_ADMIN: 403,
  ERR_NOT_REPORTER: 403,
  ERR_NOT_AUTHORIZED: 403,
  ERR_REQUEST_NOT_FOUND: 404,
  ERR_REQUEST_NOT_OPEN: 409,
  ERR_REQUEST_EXPIRED: 409,
  ERR_REQUEST_NOT_ACCEPTED: 409,
  ERR_FACILITY_NOT_APPROVED: 409,
  ERR_INSUFFICIENT_CAPACITY: 409,
  ERR_INSUFFICIENT_POWER: 409,
  ERR_INSUFFICIENT_FUNDS: 422,
  ERR_INVALID_FREQUENCY: 422,
  ERR_INVALID_DEADBAND: 422,
  ERR_INVALID_SERVICE_TYPE: 422,
  ERR_INVALID_POWER: 422,
  ERR_INVALID_ENERGY: 422,
  ERR_INVALID_PAYMENT: 422,
  ERR_INVALID_EXPIRY: 422,
  ERR_INVALID_PERFORMANCE: 422,
  ERR_NOT_PROGRAM_OPERATOR: 403,
  ERR_PROGRAM_NOT_FOUND: 404,
  ERR_COHORT_NOT_FOUND: 404,
  ERR_NOT_ENROLLED: 404,
  ERR_PROGRAM_NOT_ACTIVE: 409,
  ERR_PROGRAM_STILL_ACTIVE: 409,
  ERR_PROGRAM_STARTED: 409,
  ERR_PROGRAM_NOT_CLOSABLE: 409,
  ERR_ENROLMENT_CLOSED: 409,
  ERR_ALREADY_ENROLLED: 409,
  ERR_ALREADY_WITHDRAWN: 409,
  ERR_NOTHING_TO_RELEASE: 409,
  ERR_PERIOD_NOT_ENDED: 409,
  ERR_SETTLEMENT_CLOSED: 409,
  ERR_PERIOD_ALREADY_SETTLED: 409,
  ERR_NOT_ENROLLED_IN_PERIOD: 409,
  ERR_BUDGET_EXCEEDED: 409,
  ERR_AMOUNT_EXCEEDS_EARNINGS: 409,
  ERR_NOTHING_TO_DISTRIBUTE: 409,
  ERR_INVALID_PRODUCT: 422,
  ERR_INVALID_SCHEDULE: 422,
  ERR_INVALID_PRICE: 422,
  ERR_INVALID_BUDGET: 422,
  ERR_INVALID_PERIOD: 422,
  ERR_DELIVERY_EXCEEDS_RESERVATION: 422,
  ERR_LINES_MISMATCH: 422,
} satisfies Record<GridErrorName, number>;

/**
 * A refusal decided before signing, answered as the contract would have answered it:
 * its constant and status, with the figures behind it in `details` (and no txid, as
 * nothing was sent).
 */
export function gridRefusal(code: GridErrorName, message: string, details: Record<string, unknown>): ApiError {
  return new ApiError(STATUS_BY_CONTRACT_ERROR[code]!, code, message, details);
}

/**
 * A kW or kWh figure for `details` (micro-STX are always decimal strings): a JSON number like the API's inputs, or
 * its decimal string beyond 2^53 - 1 (only a wallet's own call can get there), so it stays exact.
 */
export function figure(value: bigint): number | string {
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
}
