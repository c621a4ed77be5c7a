/** Every error this library throws: a stable machine code and a sentence a person reads. */
export class ChainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "ChainError";
  }
}

/**
 * The node refused a transaction at broadcast (`reason` as the API names it, e.g. BadNonce).
 * `status` is the HTTP status of the answer when the client knows it: a 429 or 5xx is the
 * server's trouble, not a verdict on the transaction.
 */
export class BroadcastRejectedError extends ChainError {
  constructor(
    readonly reason: string,
    readonly reasonData: unknown,
    readonly txid: string | undefined,
    readonly status?: number,
  ) {
    super("BROADCAST_REJECTED", `The node refused the transaction: ${reason}.`, { reason, reasonData, txid, status });
    this.name = "BroadcastRejectedError";
  }
}

/** A transaction reached a final state other than success, without a contract error code. */
export class TransactionFailedError extends ChainError {
  constructor(
    readonly txid: string,
    readonly status: string,
    readonly resultRepr: string | undefined,
  ) {
    super(
      status === "abort_by_post_condition"
        ? "POST_CONDITION_ABORT"
        : status.startsWith("dropped")
          ? "TRANSACTION_DROPPED"
          : "TRANSACTION_FAILED",
      `Transaction ${txid} ended as ${status}${resultRepr ? ` (${resultRepr})` : ""}.`,
      { txid, status, resultRepr },
    );
    this.name = "TransactionFailedError";
  }
}

export class ConfirmationTimeoutError extends ChainError {
  constructor(
    readonly txid: string,
    readonly lastStatus: string,
    timeoutMs: number,
  ) {
    super(
      "CONFIRMATION_TIMEOUT",
      `Transaction ${txid} was not final after ${timeoutMs} ms (last status: ${lastStatus}).`,
      {
        txid,
        lastStatus,
        timeoutMs,
      },
    );
    this.name = "ConfirmationTimeoutError";
  }
}
