// Further admin keys of the facility registry on a devnet: the deployer's wallet accounts
// 1, 2, ... (m/44'/5757'/0'/0/i of its published mnemonic), funded by the deployer and
// added as admins by ordinary signed transactions, so the chain log replays them and the
// followers see their admin-added events. A service signs with them as a pool, each key
// with its own 25 unconfirmed transactions.
import {
  broadcastTransaction,
  Cl,
  cvToHex,
  getAddressFromPrivateKey,
  hexToCV,
  ClarityType,
  makeContractCall,
  makeSTXTokenTransfer,
  PostConditionMode,
  type StacksTransactionWire,
} from "@stacks/transactions";
import { deriveSecretKey, devnetMnemonic, type DevnetAccount } from "./devnet-accounts.js";
import type { Devnet } from "./index.js";

/** What each further admin key is given by the deployer: 1,000,000 STX, for fees and escrowed payments. */
export const ADMIN_KEY_FUNDING_USTX = 1_000_000_000_000n;
const SETUP_FEE_USTX = 10_000n;
const CONFIRMATION_TIMEOUT_MS = 60_000;

export interface AdminKeyOptions {
  /** The manifest whose settings/Devnet.toml holds the deployer's mnemonic (the repository's by default). */
  manifestPath: string;
  /** What a key that is not an admin yet is sent before it is added; default ADMIN_KEY_FUNDING_USTX. */
  fundingUstx?: bigint;
}

/**
 * The deployer's account `index` (1 and up): a further admin key's address and secret. Its
 * mnemonic is published in settings/Devnet.toml, so the key is worthless anywhere else.
 */
export function devnetAdminKey(manifestPath: string, index: number): DevnetAccount {
  if (!Number.isInteger(index) || index < 1) throw new Error(`An admin key index is 1 or more, not ${index}.`);
  const secretKey = deriveSecretKey(devnetMnemonic(manifestPath, "deployer"), index);
  return { address: getAddressFromPrivateKey(secretKey, "testnet"), secretKey };
}

/**
 * Makes `count` keys admins of the facility registry: the deployer (already one) and its
 * accounts 1 .. count-1. A key that is an admin already is left alone, so a devnet that kept
 * its chain is set up once. Resolves with the `count` keys, the deployer first, once every
 * transaction confirmed; throws naming the one that did not.
 */
export async function registerDevnetAdmins(
  devnet: Devnet,
  count: number,
  options: AdminKeyOptions,
): Promise<DevnetAccount[]> {
  if (!Number.isInteger(count) || count < 1) throw new Error(`An admin key pool has 1 key or more, not ${count}.`);
  const deployer = devnet.accounts.get("deployer");
  if (!deployer) throw new Error("The devnet has no deployer account.");
  const keys = [deployer];
  for (let index = 1; index < count; index += 1) keys.push(devnetAdminKey(options.manifestPath, index));

  const client = { baseUrl: devnet.url };
  const missing: DevnetAccount[] = [];
  for (const key of keys.slice(1)) if (!(await isAdmin(devnet.url, deployer.address, key.address))) missing.push(key);
  if (missing.length === 0) return keys;

  let nonce = await nextNonce(devnet.url, deployer.address);
  const transactions: StacksTransactionWire[] = [];
  for (const key of missing) {
    transactions.push(
      await makeSTXTokenTransfer({
        recipient: key.address,
        amount: options.fundingUstx ?? ADMIN_KEY_FUNDING_USTX,
        senderKey: deployer.secretKey,
        network: "devnet",
        client,
        fee: SETUP_FEE_USTX,
        nonce: nonce++,
        memo: "admin key",
      }),
      await makeContractCall({
        contractAddress: deployer.address,
        contractName: "facility-registry",
        functionName: "add-admin",
        functionArgs: [Cl.principal(key.address)],
        senderKey: deployer.secretKey,
        network: "devnet",
        client,
        fee: SETUP_FEE_USTX,
        nonce: nonce++,
        postConditionMode: PostConditionMode.Deny,
      }),
    );
  }
  const txids: string[] = [];
  for (const transaction of transactions) {
    const sent = await broadcastTransaction({ transaction, network: "devnet", client });
    if ("error" in sent) throw new Error(`The devnet refused an admin key set-up transaction: ${JSON.stringify(sent)}`);
    txids.push(sent.txid);
  }
  await devnet.mineBlock();
  for (const txid of txids) await confirmed(devnet, txid);
  return keys;
}

async function isAdmin(url: string, deployer: string, who: string): Promise<boolean> {
  const response = await fetch(`${url}/v2/contracts/call-read/${deployer}/facility-registry/is-admin`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ sender: deployer, arguments: [cvToHex(Cl.principal(who))] }),
  });
  const body = (await response.json()) as { okay: boolean; result?: string };
  if (!body.okay || !body.result) throw new Error(`is-admin could not be read for ${who}: ${JSON.stringify(body)}`);
  return hexToCV(body.result).type === ClarityType.BoolTrue;
}

async function nextNonce(url: string, principal: string): Promise<bigint> {
  const response = await fetch(`${url}/extended/v3/principals/${principal}/nonces`);
  return BigInt(((await response.json()) as { next_nonce: number }).next_nonce);
}

async function confirmed(devnet: Devnet, txid: string): Promise<void> {
  const id = `0x${txid.replace(/^0x/, "")}`;
  const deadline = Date.now() + CONFIRMATION_TIMEOUT_MS;
  for (;;) {
    const response = await fetch(`${devnet.url}/extended/v1/tx/${id}`);
    const tx = response.ok ? ((await response.json()) as { tx_status: string; tx_result?: { repr: string } }) : null;
    if (tx && tx.tx_status === "success") return;
    if (tx && tx.tx_status !== "pending") {
      throw new Error(`Admin key set-up transaction ${id} ended ${tx.tx_status}: ${tx.tx_result?.repr ?? ""}`);
    }
    if (Date.now() > deadline) throw new Error(`Admin key set-up transaction ${id} did not confirm in time.`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await devnet.mineBlock();
  }
}
