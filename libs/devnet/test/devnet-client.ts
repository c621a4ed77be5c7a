// Test helpers: real signed transactions built with @stacks/transactions and
// posted to a devnet over HTTP, and a poll for a transaction's status.
import {
  PostConditionMode,
  cvToString,
  fetchCallReadOnlyFunction,
  makeContractCall,
  makeSTXTokenTransfer,
  type ClarityValue,
  type PostCondition,
  type StacksTransactionWire,
} from "@stacks/transactions";
import type { Devnet } from "@voltstack/devnet";

export interface Signer {
  address: string;
  secretKey: string;
}

export function account(devnet: Devnet, name: string): Signer {
  const found = devnet.accounts.get(name);
  if (!found) throw new Error(`no devnet account ${name}`);
  return found;
}

export function deployerContract(devnet: Devnet, name: string): { contractAddress: string; contractName: string } {
  return { contractAddress: account(devnet, "deployer").address, contractName: name };
}

export async function contractCall(
  devnet: Devnet,
  signer: Signer,
  contract: string,
  functionName: string,
  functionArgs: ClarityValue[],
  options: { nonce: number; fee?: number; postConditions?: PostCondition[]; mode?: PostConditionMode },
): Promise<StacksTransactionWire> {
  return makeContractCall({
    ...deployerContract(devnet, contract),
    functionName,
    functionArgs,
    senderKey: signer.secretKey,
    network: "devnet",
    nonce: options.nonce,
    fee: options.fee ?? 1_000,
    postConditionMode: options.mode ?? PostConditionMode.Deny,
    postConditions: options.postConditions ?? [],
  });
}

export async function stxTransfer(
  signer: Signer,
  recipient: string,
  amountUstx: bigint,
  nonce: number,
): Promise<StacksTransactionWire> {
  return makeSTXTokenTransfer({
    recipient,
    amount: amountUstx,
    senderKey: signer.secretKey,
    network: "devnet",
    nonce,
    fee: 1_000,
  });
}

export interface Posted {
  status: number;
  body: unknown;
}

export async function postTransaction(devnet: Devnet, tx: StacksTransactionWire | string): Promise<Posted> {
  const hex = typeof tx === "string" ? tx : tx.serialize();
  const response = await fetch(`${devnet.url}/v2/transactions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ tx: hex }),
  });
  return { status: response.status, body: await response.json() };
}

/** Posts a transaction that must be accepted; returns its txid. */
export async function broadcast(devnet: Devnet, tx: StacksTransactionWire): Promise<string> {
  const { status, body } = await postTransaction(devnet, tx);
  if (status !== 200 || typeof body !== "string")
    throw new Error(`broadcast refused: ${status} ${JSON.stringify(body)}`);
  return body;
}

export async function getJson<T = Record<string, unknown>>(
  devnet: Devnet,
  path: string,
): Promise<{ status: number; body: T }> {
  const response = await fetch(`${devnet.url}${path}`);
  return { status: response.status, body: (await response.json()) as T };
}

export interface ApiTx {
  tx_id: string;
  tx_status: string;
  tx_result?: { hex: string; repr: string };
  block_height?: number;
  tx_index?: number;
  nonce: number;
  canonical?: boolean;
  vm_error?: string | null;
  events?: {
    event_index: number;
    event_type: string;
    contract_log?: { contract_id: string; topic: string; value: { hex: string; repr: string } };
    asset?: Record<string, string>;
  }[];
}

export async function getTx(devnet: Devnet, txid: string): Promise<ApiTx> {
  const { status, body } = await getJson<ApiTx>(devnet, `/extended/v1/tx/0x${txid}`);
  if (status !== 200) throw new Error(`transaction ${txid}: HTTP ${status}`);
  return body;
}

export async function stxBalance(devnet: Devnet, principal: string): Promise<bigint> {
  const { body } = await getJson<{ balance: string }>(devnet, `/extended/v1/address/${principal}/stx`);
  return BigInt(body.balance);
}

/** The facility registry's last facility id, as the deployer reads it: a probe of the contract's state. */
export async function lastFacilityId(devnet: Devnet): Promise<string> {
  const deployer = account(devnet, "deployer").address;
  return cvToString(
    await fetchCallReadOnlyFunction({
      contractAddress: deployer,
      contractName: "facility-registry",
      functionName: "get-last-facility-id",
      functionArgs: [],
      senderAddress: deployer,
      network: "devnet",
      client: { baseUrl: devnet.url },
    }),
  );
}
