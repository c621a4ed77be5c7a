// Turns a raw transaction into what the devnet needs: its txid, the sender
// proven by the origin signature, nonce, fee, payload and post-conditions.
// Anything malformed or badly signed becomes a MempoolRejection in the node's terms.
import { createHash } from "node:crypto";
import {
  AuthType,
  ClarityVersion,
  PayloadType,
  PostConditionMode,
  addressFromVersionHash,
  addressHashModeToVersion,
  addressToString,
  deserializeTransaction,
  wireToPostCondition,
  type ClarityValue,
  type PostCondition,
  type StacksTransactionWire,
} from "@stacks/transactions";
import { MempoolRejection } from "./mempool-rejection.js";
import { verifyOriginSignature } from "./signature-verifier.js";

/** Devnet and testnet share the testnet chain id. */
export const DEVNET_CHAIN_ID = 0x80000000;
const TESTNET_TX_VERSION = 0x80;

export type DecodedPayload =
  | { kind: "contract_call"; contractId: string; functionName: string; args: ClarityValue[] }
  | { kind: "token_transfer"; recipient: string; amountUstx: bigint; memoHex: string }
  | { kind: "smart_contract"; contractId: string; contractName: string; source: string; clarityVersion: number | null };

export interface DecodedTransaction {
  txid: string;
  hex: string;
  byteLength: number;
  sender: string;
  nonce: bigint;
  feeUstx: bigint;
  payload: DecodedPayload;
  postConditionMode: "allow" | "deny" | "originator";
  postConditions: PostCondition[];
  wire: StacksTransactionWire;
}

function modeName(mode: PostConditionMode): DecodedTransaction["postConditionMode"] {
  if (mode === PostConditionMode.Allow) return "allow";
  if (mode === PostConditionMode.Originator) return "originator";
  return "deny";
}

function decodePayload(wire: StacksTransactionWire, sender: string, txid: string): DecodedPayload {
  const payload = wire.payload;
  switch (payload.payloadType) {
    case PayloadType.ContractCall:
      return {
        kind: "contract_call",
        contractId: `${addressToString(payload.contractAddress)}.${payload.contractName.content}`,
        functionName: payload.functionName.content,
        args: payload.functionArgs,
      };
    case PayloadType.TokenTransfer: {
      const recipient = payload.recipient;
      const recipientAddress =
        recipient.type === "address" || recipient.type === "contract" ? recipient.value : String(recipient);
      return {
        kind: "token_transfer",
        recipient: recipientAddress,
        amountUstx: payload.amount,
        memoHex: `0x${Buffer.from(payload.memo.content, "utf8").toString("hex")}`,
      };
    }
    case PayloadType.SmartContract:
    case PayloadType.VersionedSmartContract:
      return {
        kind: "smart_contract",
        contractName: payload.contractName.content,
        contractId: `${sender}.${payload.contractName.content}`,
        source: payload.codeBody.content,
        clarityVersion:
          payload.payloadType === PayloadType.VersionedSmartContract
            ? (payload.clarityVersion as ClarityVersion)
            : null,
      };
    default:
      throw new MempoolRejection(
        "ServerFailureOther",
        { message: `payload type ${payload.payloadType} cannot be sent through the mempool` },
        "unsupported payload",
        txid,
      );
  }
}

/**
 * Decodes and authenticates a transaction given as hex (with or without 0x) or raw bytes.
 * `trusted` skips the signature check, for transactions replayed from the devnet's own log.
 */
export function decodeTransaction(raw: string | Uint8Array, trusted = false): DecodedTransaction {
  const bytes = typeof raw === "string" ? Buffer.from(raw.replace(/^0x/i, ""), "hex") : Buffer.from(raw);
  if (bytes.length === 0 || (typeof raw === "string" && !/^(0x)?([0-9a-fA-F]{2})+$/.test(raw.trim()))) {
    throw new MempoolRejection("Deserialization", { message: "transaction is not hex-encoded bytes" }, "not hex");
  }
  let wire: StacksTransactionWire;
  try {
    wire = deserializeTransaction(bytes);
    if (Buffer.from(wire.serializeBytes()).compare(bytes) !== 0) throw new Error("trailing or non-canonical bytes");
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new MempoolRejection("Deserialization", { message }, message);
  }
  const txid = createHash("sha512-256").update(bytes).digest("hex");
  if (wire.transactionVersion !== TESTNET_TX_VERSION || wire.chainId !== DEVNET_CHAIN_ID) {
    throw new MempoolRejection(
      "BadTransactionVersion",
      undefined,
      "transaction is not for the devnet (testnet chain id)",
      txid,
    );
  }
  if (wire.auth.authType !== AuthType.Standard) {
    throw new MempoolRejection(
      "ServerFailureOther",
      { message: "sponsored transactions are not supported by this devnet" },
      "sponsored",
      txid,
    );
  }
  const condition = wire.auth.spendingCondition;
  try {
    if (!trusted) verifyOriginSignature(wire, bytes);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new MempoolRejection("SignatureValidation", { message }, message, txid);
  }
  const sender = addressToString(
    addressFromVersionHash(addressHashModeToVersion(condition.hashMode, "testnet"), condition.signer),
  );
  return {
    txid,
    hex: bytes.toString("hex"),
    byteLength: bytes.length,
    sender,
    nonce: BigInt(condition.nonce),
    feeUstx: BigInt(condition.fee),
    payload: decodePayload(wire, sender, txid),
    postConditionMode: modeName(wire.postConditionMode),
    postConditions: wire.postConditions.values.map((pc) =>
      wireToPostCondition(pc as Parameters<typeof wireToPostCondition>[0]),
    ),
    wire,
  };
}
