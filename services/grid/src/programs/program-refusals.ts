import { ApiError } from "@voltstack/service-kit";

// What each program error of grid-services means for the caller: refused (403), missing (404),
// wrong state for the action (409) or an invalid value (422). Shared codes (ERR_NOT_ADMIN,
// ERR_FACILITY_NOT_APPROVED, ...) keep the statuses the service-request routes give them.
const STATUS_BY_PROGRAM_ERROR = {
  ERR_NOT_ADMIN: 403,
  ERR_NOT_REPORTER: 403,
  ERR_NOT_AUTHORIZED: 403,
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
  ERR_FACILITY_NOT_APPROVED: 409,
  ERR_INSUFFICIENT_CAPACITY: 409,
  ERR_INSUFFICIENT_POWER: 409,
  ERR_PERIOD_NOT_ENDED: 409,
  ERR_SETTLEMENT_CLOSED: 409,
  ERR_PERIOD_ALREADY_SETTLED: 409,
  ERR_NOT_ENROLLED_IN_PERIOD: 409,
  ERR_BUDGET_EXCEEDED: 409,
  ERR_INSUFFICIENT_FUNDS: 422,
  ERR_INVALID_PRODUCT: 422,
  ERR_INVALID_SCHEDULE: 422,
  ERR_INVALID_PRICE: 422,
  ERR_INVALID_BUDGET: 422,
  ERR_INVALID_PERIOD: 422,
  ERR_INVALID_POWER: 422,
  ERR_INVALID_PERFORMANCE: 422,
  ERR_DELIVERY_EXCEEDS_RESERVATION: 422,
  ERR_LINES_MISMATCH: 422,
} as const;

export type ProgramErrorName = keyof typeof STATUS_BY_PROGRAM_ERROR;

/**
 * A refusal decided before signing, answered as grid-services would have answered it: its
 * constant and status, with the figures behind it in `details` (and no txid: nothing was sent).
 */
export function programRefusal(code: ProgramErrorName, message: string, details: Record<string, unknown>): ApiError {
  return new ApiError(STATUS_BY_PROGRAM_ERROR[code], code, message, details);
}

/** A figure for `details`: a JSON number while exact, else its decimal string (micro-STX are always strings). */
export function figure(value: bigint): number | string {
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
}
