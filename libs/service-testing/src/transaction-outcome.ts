import type { Devnet } from "@voltstack/devnet";
import { waitFor } from "./wait-for.js";

/** Anything holding the devnet a test runs against, such as a service's test harness. */
export interface HasDevnet {
  devnet: Pick<Devnet, "url">;
}

/** How a transaction ended, as the devnet's API shows it once it is no longer pending. */
export interface TransactionOutcome {
  txid: string;
  /** -1 when it never made a block (dropped). */
  blockHeight: number;
  /** `success`, `abort_by_response`, `abort_by_post_condition`, `dropped_…`. */
  status: string;
  /** The Clarity result, `(ok u7)` say; the status when it never ran. */
  result: string;
}

interface ApiTransaction {
  tx_status: string;
  block_height?: number;
  tx_result?: { repr: string };
}

/** Waits until the devnet no longer shows `txid` pending; resolves with how it ended, whichever way. */
export async function settledTransaction(harness: HasDevnet, txid: string): Promise<TransactionOutcome> {
  return waitFor(`transaction ${txid} in a block`, async () => {
    const response = await fetch(`${harness.devnet.url}/extended/v1/tx/${txid}`);
    if (!response.ok) return undefined;
    const tx = (await response.json()) as ApiTransaction;
    if (tx.tx_status === "pending") return undefined;
    return {
      txid,
      blockHeight: tx.block_height ?? -1,
      status: tx.tx_status,
      result: tx.tx_result?.repr ?? tx.tx_status,
    };
  });
}

/** Fails, naming `what` and how it ended, unless the transaction succeeded; else hands it back. */
export function expectSuccess(outcome: TransactionOutcome, what = "transaction"): TransactionOutcome {
  if (outcome.status !== "success") {
    throw new Error(`${what} ${outcome.txid} ended ${outcome.status}: ${outcome.result}`);
  }
  return outcome;
}

/** Waits until the devnet shows `txid` final; fails unless it succeeded. */
export async function confirmed(harness: HasDevnet, txid: string): Promise<TransactionOutcome> {
  return expectSuccess(await settledTransaction(harness, txid));
}
