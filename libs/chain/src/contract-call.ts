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
}
