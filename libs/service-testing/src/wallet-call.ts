import {
  broadcastTransaction,
  type ClarityValue,
  makeContractCall,
  type PostCondition,
  PostConditionMode,
} from "@stacks/transactions";
import type { Account } from "./test-environment.js";
import { expectSuccess, type HasDevnet, settledTransaction, type TransactionOutcome } from "./transaction-outcome.js";

/** A harness whose devnet deployed the contracts: calls go to the deployer's contracts. */
export interface HasContracts extends HasDevnet {
  accounts: { deployer: Account };
}

export interface WalletCallOptions {
  /** What the call may move; none unless given. */
  postConditions?: PostCondition[];
  /** Deny unless given: a transfer not covered by `postConditions` aborts the call. */
  postConditionMode?: PostConditionMode;
}

/**
 * A contract call signed by `account`'s own wallet with the official client, broadcast
 * straight to the devnet, outside the service; resolves once it is in a block, however it
 * ended (see `confirmedCall` for one that must succeed). Fails only if the node refuses it.
 */
export async function walletCall(
  harness: HasContracts,
  account: Account,
  contractName: string,
  functionName: string,
  functionArgs: ClarityValue[],
  options: WalletCallOptions = {},
): Promise<TransactionOutcome> {
  const client = { baseUrl: harness.devnet.url };
  const transaction = await makeContractCall({
    contractAddress: harness.accounts.deployer.address,
    contractName,
    functionName,
    functionArgs,
    senderKey: account.secretKey,
    network: "devnet",
    client,
    fee: 10_000,
    postConditionMode: options.postConditionMode ?? PostConditionMode.Deny,
    postConditions: options.postConditions ?? [],
  });
  const broadcast = await broadcastTransaction({ transaction, network: "devnet", client });
  if ("error" in broadcast) throw new Error(`${functionName} refused: ${JSON.stringify(broadcast)}`);
  return settledTransaction(harness, `0x${broadcast.txid.replace(/^0x/, "")}`);
}

/** `walletCall` for a call the test needs to succeed: fails on any other ending. */
export async function confirmedCall(
  harness: HasContracts,
  account: Account,
  contractName: string,
  functionName: string,
  functionArgs: ClarityValue[],
  options: WalletCallOptions = {},
): Promise<TransactionOutcome> {
  return expectSuccess(
    await walletCall(harness, account, contractName, functionName, functionArgs, options),
    functionName,
  );
}
