import { BroadcastRejectedError, ChainError, ConfirmationTimeoutError, ContractError } from "@voltstack/chain";
import { ApiError } from "@voltstack/service-kit";

// What each grid-services error means for the caller: refused (403), missing (404),
// wrong state for the action (409) or an invalid value (422).
const STATUS_BY_CONTRACT_ERROR: Record<string, number> = {
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
};

/** A failed chain write as the HTTP answer: the contract's constant is the code. */
export function chainWriteError(error: unknown): unknown {
  if (error instanceof ContractError) {
    return new ApiError(STATUS_BY_CONTRACT_ERROR[error.code] ?? 409, error.code, error.message, {
      txid: error.txid ? `0x${error.txid.replace(/^0x/, "")}` : null,
      contract: error.calledContract,
      function: error.functionName,
      errorNumber: error.errorNumber.toString(),
    });
  }
  if (error instanceof ConfirmationTimeoutError) {
    return new ApiError(
      504,
      error.code,
      `${error.message} It may still confirm: see GET /transactions/${error.txid}.`,
      { txid: error.txid },
    );
  }
  if (error instanceof BroadcastRejectedError) {
    return new ApiError(error.reason === "NotEnoughFunds" ? 422 : 502, error.code, error.message, {
      reason: error.reason,
    });
  }
  if (error instanceof ChainError && error.code === "NO_SIGNER_FOR_PRINCIPAL") {
    return ApiError.unprocessable(error.code, error.message, error.details);
  }
  if (
    error instanceof ChainError &&
    ["POST_CONDITION_ABORT", "TRANSACTION_DROPPED", "TRANSACTION_FAILED"].includes(error.code)
  ) {
    return ApiError.unprocessable(error.code, error.message, error.details);
  }
  return error;
}
