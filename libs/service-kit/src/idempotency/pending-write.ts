/**
 * Thrown by a write whose transaction was broadcast but whose outcome is not known yet
 * (still pending at the confirmation timeout, or the wait for it failed): the request is
 * answered 202 with where to follow the transaction, never a bare 500.
 */
export class WritePendingError extends Error {
  override readonly name = "WritePendingError";

  constructor(
    readonly txid: string,
    readonly reason: string,
  ) {
    super(`Transaction ${txid} was broadcast and is not final yet: ${reason}`);
  }
}

/** The 202 answer of a write whose transaction is pending; `poll` is also the Location. */
export function pendingWriteAnswer(txid: string): { status: 202; body: PendingWriteBody; location: string } {
  const poll = `/transactions/${txid}`;
  return { status: 202, body: { txid, status: "pending", poll }, location: poll };
}

export interface PendingWriteBody {
  txid: string;
  status: "pending";
  poll: string;
}
