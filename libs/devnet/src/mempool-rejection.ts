// A refused transaction, answered in the Stacks node's shape:
// 400 {"error": "transaction rejected", "reason": ..., "reason_data": ..., "txid": ...}.
// The reason codes are the node's MemPoolRejection names (BadNonce, FeeTooLow, ...).
export class MempoolRejection extends Error {
  constructor(
    readonly reason: string,
    readonly reasonData: Record<string, unknown> | undefined,
    message: string,
    public txid?: string,
  ) {
    super(`${reason}: ${message}`);
    this.name = "MempoolRejection";
  }

  toJSON(): Record<string, unknown> {
    return {
      error: "transaction rejected",
      reason: this.reason,
      ...(this.reasonData === undefined ? {} : { reason_data: this.reasonData }),
      txid: this.txid ?? "",
    };
  }
}
