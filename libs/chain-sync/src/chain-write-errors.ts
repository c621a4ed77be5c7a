import { BroadcastRejectedError, ChainError, ConfirmationTimeoutError, ContractError } from "@voltstack/chain";
import { ApiError } from "@voltstack/service-kit";

/** The HTTP status of each contract error constant a writer's calls can meet. */
export type ContractErrorStatuses = Readonly<Record<string, number>>;

/**
 * A failed chain write as the HTTP answer: the contract's constant is the code, its status
 * from `statuses` (a contract error the table does not name is a conflict, 409). Anything
 * that is not the chain's answer is returned unchanged.
 */
export function chainWriteError(error: unknown, statuses: ContractErrorStatuses): unknown {
  if (error instanceof ContractError) {
    return new ApiError(statuses[error.code] ?? 409, error.code, error.message, {
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
  if (error instanceof ChainError && error.code.startsWith("SIGNING_LEASE_")) {
    // Another process signs with this key for now (or this one lost its lease): try again, or another replica.
    return new ApiError(503, error.code, error.message, error.details);
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
