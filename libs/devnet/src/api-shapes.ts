// Renders the devnet's records in the Stacks Blockchain API's JSON shapes
// (transactions, mempool transactions, events, v1 blocks), so a client
// or follower written against the real API reads the devnet unchanged.
import { cvToHex, cvToString, hexToCV, type ClarityValue, type PostCondition } from "@stacks/transactions";
import { abiTypeToString, functionSignature } from "./abi-arguments.js";
import { blockJson } from "./api-v3-shapes.js";
import type { BlockInfo } from "./block-index.js";
import type { DevnetChain } from "./devnet-chain.js";
import type { SimnetEvent } from "./simnet-session.js";
import type { TxRecord } from "./transaction-history.js";

type Json = Record<string, unknown>;

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();
/** Anchored-block transactions use the largest int32 as microblock sequence in the API. */
const NO_MICROBLOCK_SEQUENCE = 2147483647;

function clarityJson(value: unknown): { hex: string; repr: string } {
  const cv = value as ClarityValue;
  return { hex: cvToHex(cv), repr: cvToString(cv) };
}

function hexJson(hex: string): { hex: string; repr: string } {
  return { hex, repr: cvToString(hexToCV(hex)) };
}

function rawValue(data: SimnetEvent["data"]): { hex: string; repr: string } {
  if (typeof data.raw_value === "string") {
    return hexJson(data.raw_value.startsWith("0x") ? data.raw_value : `0x${data.raw_value}`);
  }
  return clarityJson(data.value);
}

/** One simnet event as an API transaction event, or undefined for kinds the API does not list. */
export function apiEvent(event: SimnetEvent, txid: string, eventIndex: number): Json | undefined {
  const { data } = event;
  const base = { event_index: eventIndex, tx_id: `0x${txid}` };
  const str = (value: unknown) => (value === undefined || value === null ? "" : String(value));
  switch (event.event) {
    case "print_event":
      return {
        ...base,
        event_type: "smart_contract_log",
        contract_log: {
          contract_id: str(data.contract_identifier),
          topic: str(data.topic ?? "print"),
          value: rawValue(data),
        },
      };
    case "stx_transfer_event":
      return {
        ...base,
        event_type: "stx_asset",
        asset: {
          asset_event_type: "transfer",
          sender: str(data.sender),
          recipient: str(data.recipient),
          amount: str(data.amount),
          ...(data.memo ? { memo: str(data.memo) } : {}),
        },
      };
    case "stx_mint_event":
      return {
        ...base,
        event_type: "stx_asset",
        asset: { asset_event_type: "mint", sender: "", recipient: str(data.recipient), amount: str(data.amount) },
      };
    case "stx_burn_event":
      return {
        ...base,
        event_type: "stx_asset",
        asset: { asset_event_type: "burn", sender: str(data.sender), recipient: "", amount: str(data.amount) },
      };
    case "stx_lock_event":
      return {
        ...base,
        event_type: "stx_lock",
        stx_lock_event: {
          locked_amount: str(data.locked_amount),
          unlock_height: Number(data.unlock_height ?? 0),
          locked_address: str(data.locked_address),
        },
      };
    case "ft_transfer_event":
    case "ft_mint_event":
    case "ft_burn_event":
      return {
        ...base,
        event_type: "fungible_token_asset",
        asset: {
          asset_event_type: event.event.slice(3, -6),
          asset_id: str(data.asset_identifier),
          sender: str(data.sender),
          recipient: str(data.recipient),
          amount: str(data.amount),
        },
      };
    case "nft_transfer_event":
    case "nft_mint_event":
    case "nft_burn_event":
      return {
        ...base,
        event_type: "non_fungible_token_asset",
        asset: {
          asset_event_type: event.event.slice(4, -6),
          asset_id: str(data.asset_identifier),
          sender: str(data.sender),
          recipient: str(data.recipient),
          value: rawValue(data),
        },
      };
    default:
      return undefined;
  }
}

export function apiEvents(record: TxRecord): Json[] {
  const events: Json[] = [];
  record.events.forEach((event, index) => {
    const rendered = apiEvent(event, record.decoded.txid, index);
    if (rendered) events.push(rendered);
  });
  return events;
}

function postConditionPrincipal(address: string): Json {
  if (address === "origin") return { type_id: "principal_origin" };
  const [principal, contractName] = address.split(".");
  return contractName
    ? { type_id: "principal_contract", address: principal, contract_name: contractName }
    : { type_id: "principal_standard", address: principal };
}

const FUNGIBLE_CODES: Record<string, string> = {
  eq: "sent_equal_to",
  gt: "sent_greater_than",
  gte: "sent_greater_than_or_equal_to",
  lt: "sent_less_than",
  lte: "sent_less_than_or_equal_to",
};

function assetJson(asset: string): Json {
  const [contractId = "", assetName = ""] = asset.split("::");
  const [contractAddress = "", contractName = ""] = contractId.split(".");
  return { asset_name: assetName, contract_address: contractAddress, contract_name: contractName };
}

export function postConditionJson(pc: PostCondition): Json {
  switch (pc.type) {
    case "stx-postcondition":
      return {
        type: "stx",
        principal: postConditionPrincipal(pc.address),
        condition_code: FUNGIBLE_CODES[pc.condition],
        amount: String(pc.amount),
      };
    case "ft-postcondition":
      return {
        type: "fungible",
        principal: postConditionPrincipal(pc.address),
        condition_code: FUNGIBLE_CODES[pc.condition],
        amount: String(pc.amount),
        asset: assetJson(pc.asset),
      };
    case "nft-postcondition":
      return {
        type: "non_fungible",
        principal: postConditionPrincipal(pc.address),
        condition_code: pc.condition.replace("-", "_"),
        asset_value: clarityJson(pc.assetId),
        asset: assetJson(pc.asset),
      };
    default:
      return { type: pc.type, principal: postConditionPrincipal(pc.address), condition_code: pc.condition };
  }
}

function payloadJson(record: TxRecord, chain: DevnetChain): Json {
  const { payload } = record.decoded;
  switch (payload.kind) {
    case "token_transfer":
      return {
        tx_type: "token_transfer",
        token_transfer: {
          recipient_address: payload.recipient,
          amount: payload.amountUstx.toString(),
          memo: payload.memoHex,
        },
      };
    case "smart_contract":
      return {
        tx_type: "smart_contract",
        smart_contract: {
          clarity_version: payload.clarityVersion,
          contract_id: payload.contractId,
          source_code: payload.source,
        },
      };
    case "contract_call": {
      const fn = chain
        .interfaces()
        .get(payload.contractId)
        ?.functions.find((candidate) => candidate.name === payload.functionName);
      return {
        tx_type: "contract_call",
        contract_call: {
          contract_id: payload.contractId,
          function_name: payload.functionName,
          function_signature: fn ? functionSignature(fn) : "",
          function_args: payload.args.map((arg, index) => ({
            ...clarityJson(arg),
            name: fn?.args[index]?.name ?? "",
            type: fn?.args[index] ? abiTypeToString(fn.args[index].type) : "",
          })),
        },
      };
    }
  }
}

function baseJson(record: TxRecord): Json {
  const { decoded } = record;
  return {
    tx_id: `0x${decoded.txid}`,
    nonce: Number(decoded.nonce),
    fee_rate: decoded.feeUstx.toString(),
    sender_address: decoded.sender,
    sponsored: false,
    post_condition_mode: decoded.postConditionMode,
    post_conditions: decoded.postConditions.map(postConditionJson),
    anchor_mode: "any",
  };
}

/**
 * A transaction as GET /extended/v1/tx/{txid} shows it: mined, pending or dropped.
 * `asPending` shows a mined transaction as the API does before it has indexed
 * its block: still in its mempool.
 */
export function transactionJson(
  record: TxRecord,
  chain: DevnetChain,
  options: { eventLimit?: number; eventOffset?: number; asPending?: boolean } = {},
): Json {
  if (record.blockHeight === null || options.asPending) {
    return {
      ...baseJson(record),
      tx_status: options.asPending ? "pending" : record.status,
      replaced_by_tx_id: record.replacedByTxid ? `0x${record.replacedByTxid}` : null,
      receipt_time: record.receiptTime,
      receipt_time_iso: iso(record.receiptTime),
      ...payloadJson(record, chain),
    };
  }
  const block = chain.block(record.blockHeight)!;
  const parent = chain.block(record.blockHeight - 1);
  const events = apiEvents(record);
  const offset = options.eventOffset ?? 0;
  // The API's default event_limit (pagingQueryLimits[Event].defaultLimit).
  const limit = options.eventLimit ?? 20;
  return {
    ...baseJson(record),
    is_unanchored: false,
    block_hash: block.hash,
    block_height: block.height,
    block_time: block.time,
    block_time_iso: iso(block.time),
    burn_block_time: block.time,
    burn_block_time_iso: iso(block.time),
    burn_block_height: block.burnHeight,
    parent_burn_block_time: parent?.time ?? block.time,
    parent_burn_block_time_iso: iso(parent?.time ?? block.time),
    parent_block_hash: block.parentHash,
    canonical: true,
    tx_index: record.txIndex,
    tx_status: record.status,
    tx_result: record.resultHex ? { hex: record.resultHex, repr: record.resultRepr } : { hex: "0x", repr: "" },
    microblock_hash: "0x",
    microblock_sequence: NO_MICROBLOCK_SEQUENCE,
    microblock_canonical: true,
    event_count: events.length,
    events: events.slice(offset, offset + limit),
    execution_cost_read_count: 0,
    execution_cost_read_length: 0,
    execution_cost_runtime: 0,
    execution_cost_write_count: 0,
    execution_cost_write_length: 0,
    vm_error: record.vmError,
    ...payloadJson(record, chain),
  };
}

export function burnBlockHash(height: number): string {
  return `0x${Buffer.from(String(height).padStart(64, "0")).toString("hex").slice(0, 64)}`;
}

/** A block as GET /extended/v1/block/by_height/{height} shows it. */
export function blockV1Json(block: BlockInfo): Json {
  return {
    ...blockJson(block, block.canonical ?? true),
    parent_microblock_hash: "0x",
    parent_microblock_sequence: -1,
    txs: block.txids.map((txid) => `0x${txid}`),
    microblocks_accepted: [],
    microblocks_streamed: [],
    microblock_tx_count: {},
  };
}
