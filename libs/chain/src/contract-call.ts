import type { ClarityValue, PostCondition } from "@stacks/transactions";
import type { ContractRef } from "./contracts-config.js";

/** One contract call to sign and send. */
export interface ContractCall {
  contract: ContractRef;
  functionName: string;
  functionArgs: ClarityValue[];
  /** The STX movements the call may make; in deny mode (the default) any other movement aborts it. */
  postConditions: PostCondition[];
  postConditionMode?: "deny" | "allow";
  /** A fixed fee, micro-STX, instead of the node's estimate. */
  feeUstx?: bigint;
}

export interface SubmittedTransaction {
  txid: string;
  nonce: bigint;
  sender: string;
  feeUstx: bigint;
  contract: ContractRef;
  functionName: string;
  /**
   * Set when this transaction re-signs a pending one at the same nonce with a higher fee:
   * the txid it replaces. Either of the two may still be mined, never both.
   */
  replaces?: string;
}

/** What a caller of `submit` may ask for besides the call. */
export interface SubmitOptions {
  /**
   * Called with each signed transaction before it is broadcast, and again for a
   * transaction signed later to stand in for it, so its txid can be recorded before
   * the node may have it. A rejection stops that broadcast and gives its nonce back.
   * A fee bump (`replaces` set) comes through here too, while the call is being followed.
   */
  beforeBroadcast?: (transaction: SubmittedTransaction) => Promise<void>;
}
