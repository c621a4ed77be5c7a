import { BroadcastRejectedError, ChainError, ContractError } from "@voltstack/chain";
import { ApiError } from "@voltstack/service-kit";
import type { JournalEntry } from "./transaction-journal.js";

/** The HTTP status of each contract error constant a writer's calls can meet. */
export type ContractErrorStatuses = Readonly<Record<string, number>>;

/**
 * A failed chain write as the HTTP answer: the contract's constant is the code, its status
 * from `statuses` (a contract error the table does not name is a conflict, 409). Anything
 * that is not the chain's answer (a confirmation timeout included: the writer answers it
 * as pending) is returned unchanged.
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

// The failures libs/chain reports of a transaction that ended without a contract error.
const ENDED_WITHOUT_CONTRACT_ERROR = [
  "POST_CONDITION_ABORT",
  "TRANSACTION_DROPPED",
  "TRANSACTION_FAILED",
  "TRANSACTION_SUPERSEDED",
];

/**
 * A journaled transaction's failure as the HTTP answer its write gave (or would have
 * given): the contract's constant with its status in `statuses`, other chain failures 422.
 */
export function journaledFailure(
  entry: Pick<JournalEntry, "txid" | "contract" | "functionName" | "errorCode" | "errorMessage">,
  statuses: ContractErrorStatuses,
): ApiError {
  const code = entry.errorCode ?? "TRANSACTION_FAILED";
  const status = statuses[code] ?? (ENDED_WITHOUT_CONTRACT_ERROR.includes(code) ? 422 : 409);
  return new ApiError(status, code, entry.errorMessage ?? `Transaction ${entry.txid} failed.`, {
    txid: entry.txid,
    contract: entry.contract,
    function: entry.functionName,
  });
}
