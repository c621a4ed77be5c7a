// The Stacks Blockchain API's current (v2/v3) response shapes, typed with the
// official client's generated schema so the compiler checks each field against
// the API's own OpenAPI document: transactions (mined and mempool), transaction
// summaries, v3 transaction events, principal nonces, contract logs, blocks and
// the status route. Serialisation follows src/api/serializers/v3 of the API.
import type { paths } from "@stacks/blockchain-api-client";
import { cvToHex, cvToString, hexToCV } from "@stacks/transactions";
import { burnBlockHash, postConditionJson } from "./api-shapes.js";
import type { ContractLogRow, PrincipalNonces } from "./api-view.js";
import type { BlockInfo } from "./block-index.js";
import type { SimnetEvent } from "./simnet-session.js";
import type { TxRecord } from "./transaction-history.js";

type Ok<P extends keyof paths> = paths[P] extends {
  get: { responses: { 200: { content: { "application/json": infer T } } } };
}
  ? T
  : never;

export type StatusJson = Ok<"/extended">;
export type BlockJson = Ok<"/extended/v2/blocks/{height_or_hash}">;
export type TransactionJson = Ok<"/extended/v3/transactions/{tx_id}">;
export type TransactionEventsJson = Ok<"/extended/v3/transactions/{tx_id}/events">;
export type TransactionEventJson = TransactionEventsJson["results"][number];
export type BlockTransactionsJson = Ok<"/extended/v3/blocks/{height_or_hash}/transactions">;
export type TransactionSummaryJson = BlockTransactionsJson["results"][number];
export type PrincipalNoncesJson = Ok<"/extended/v3/principals/{principal}/nonces">;
export type ContractLogsJson = Ok<"/extended/v2/smart-contracts/{contract_id}/logs">;
export type ContractLogJson = ContractLogsJson["results"][number];

/** The `include` values of GET /extended/v3/transactions/{tx_id}. */
export const TRANSACTION_INCLUDE_FIELDS = ["function_args", "source_code", "post_conditions", "result"] as const;
export type TransactionInclude = (typeof TRANSACTION_INCLUDE_FIELDS)[number];

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();
const ZERO_COST = { read_count: 0, read_length: 0, runtime: 0, write_count: 0, write_length: 0 };

function clarity(hex: string): { hex: string; repr: string } {
  const prefixed = hex.startsWith("0x") ? hex : `0x${hex}`;
  return { hex: prefixed, repr: cvToString(hexToCV(prefixed)) };
}

/** @stacks/codec's memoToString: the memo bytes as UTF-8 without NUL padding. */
function memo(hex: string): { hex: string; repr: string } {
  return { hex, repr: Buffer.from(hex.replace(/^0x/, ""), "hex").toString("utf8").replace(/\0/g, "") };
}

/** A transfer's memo is a fixed 34-byte field, zero-padded; the API stores all of it. */
function paddedMemo(hex: string): string {
  return `0x${hex.replace(/^0x/, "").padEnd(68, "0")}`;
}

type Payload =
  | {
      type: "token_transfer";
      token_transfer: { recipient: string; amount: string; memo: { hex: string; repr: string } | null };
    }
  | {
      type: "smart_contract";
      smart_contract: { contract_id: string; clarity_version: number | null; source_code?: string };
    }
  | {
      type: "contract_call";
      contract_call: { contract_id: string; function_name: string; function_args?: { hex: string; repr: string }[] };
    };

function payload(record: TxRecord, include: readonly TransactionInclude[], summary: boolean): Payload {
  const p = record.decoded.payload;
  switch (p.kind) {
    case "token_transfer":
      return {
        type: "token_transfer",
        token_transfer: { recipient: p.recipient, amount: p.amountUstx.toString(), memo: memo(paddedMemo(p.memoHex)) },
      };
    case "smart_contract":
      return {
        type: "smart_contract",
        smart_contract: {
          clarity_version: p.clarityVersion,
          contract_id: p.contractId,
          ...(!summary && include.includes("source_code") ? { source_code: p.source } : {}),
        },
      };
    case "contract_call":
      return {
        type: "contract_call",
        contract_call: {
          contract_id: p.contractId,
          function_name: p.functionName,
          ...(!summary && include.includes("function_args")
            ? { function_args: p.args.map((arg) => ({ hex: cvToHex(arg), repr: cvToString(arg) })) }
            : {}),
        },
      };
  }
}

const sender = (record: TxRecord) => ({ address: record.decoded.sender, nonce: Number(record.decoded.nonce) });

type MinedStatus = "success" | "abort_by_response" | "abort_by_post_condition" | "problematic_skipped";

function minedStatus(record: TxRecord): MinedStatus {
  if (
    record.status === "success" ||
    record.status === "abort_by_response" ||
    record.status === "abort_by_post_condition"
  )
    return record.status;
  throw new Error(`transaction 0x${record.decoded.txid} is mined with status ${record.status}`);
}

/** serializeDbTransactionSummary: a mined transaction in a block's or principal's list. */
export function transactionSummaryJson(record: TxRecord, block: BlockInfo): TransactionSummaryJson {
  return {
    tx_id: `0x${record.decoded.txid}`,
    sender: sender(record),
    sponsor: null,
    fee_rate: record.decoded.feeUstx.toString(),
    block: {
      height: block.height,
      hash: block.hash,
      index_hash: block.hash,
      time: block.time,
      tx_index: record.txIndex ?? 0,
    },
    bitcoin_block: { height: block.burnHeight, time: block.time },
    status: minedStatus(record),
    ...payload(record, [], true),
  };
}

/** serializeDbTransaction: GET /extended/v3/transactions/{tx_id} for a mined transaction. */
export function minedTransactionJson(
  record: TxRecord,
  block: BlockInfo,
  eventCount: number,
  include: readonly TransactionInclude[],
): TransactionJson {
  return {
    ...transactionSummaryJson(record, block),
    parent_block: { hash: block.parentHash, index_hash: block.parentHash },
    event_count: eventCount,
    execution_cost: { ...ZERO_COST },
    vm_error: record.vmError,
    ...(include.includes("post_conditions")
      ? { post_conditions: record.decoded.postConditions.map(postConditionJson) as never }
      : {}),
    ...(include.includes("result") && record.resultHex ? { result: clarity(record.resultHex) } : {}),
    ...payload(record, include, false),
  };
}

type MempoolStatus =
  | "pending"
  | "dropped_replace_by_fee"
  | "dropped_replace_across_fork"
  | "dropped_too_expensive"
  | "dropped_stale_garbage_collect"
  | "dropped_problematic";

/**
 * serializeDbMempoolTransaction. `result` is never included for a mempool
 * transaction (the API reads it only from the mined table).
 */
export function mempoolTransactionJson(
  record: TxRecord,
  status: MempoolStatus,
  include: readonly TransactionInclude[],
): TransactionJson {
  return {
    tx_id: `0x${record.decoded.txid}`,
    sender: sender(record),
    sponsor: null,
    fee_rate: record.decoded.feeUstx.toString(),
    receipt_time: record.receiptTime,
    receipt_block_height: record.receiptBlockHeight ?? Math.max(0, (record.blockHeight ?? 1) - 1),
    status,
    replaced_by_tx_id: record.replacedByTxid ? `0x${record.replacedByTxid}` : null,
    ...(include.includes("post_conditions")
      ? { post_conditions: record.decoded.postConditions.map(postConditionJson) as never }
      : {}),
    ...payload(record, include, false),
  };
}

/** serializeDbTransactionEvent: one simnet event as a v3 transaction event, or undefined for kinds the API does not store. */
export function transactionEventJson(event: SimnetEvent, eventIndex: number): TransactionEventJson | undefined {
  const { data } = event;
  const str = (value: unknown) => (value === undefined || value === null ? "" : String(value));
  const value = () =>
    typeof data.raw_value === "string" ? clarity(data.raw_value) : clarity(cvToHex(data.value as never));
  switch (event.event) {
    case "print_event":
      return {
        event_index: eventIndex,
        type: "contract_log",
        contract_log: { contract_id: str(data.contract_identifier), topic: "print", value: value() },
      };
    case "stx_transfer_event":
      return {
        event_index: eventIndex,
        type: "stx_asset",
        stx_asset: {
          type: "transfer",
          sender: str(data.sender),
          recipient: str(data.recipient),
          amount: str(data.amount),
          memo: data.memo ? memo(`0x${str(data.memo).replace(/^0x/, "")}`) : null,
        },
      };
    case "stx_mint_event":
      return {
        event_index: eventIndex,
        type: "stx_asset",
        stx_asset: { type: "mint", recipient: str(data.recipient), amount: str(data.amount) },
      };
    case "stx_burn_event":
      return {
        event_index: eventIndex,
        type: "stx_asset",
        stx_asset: { type: "burn", sender: str(data.sender), amount: str(data.amount) },
      };
    case "stx_lock_event":
      return {
        event_index: eventIndex,
        type: "stx_lock",
        stx_lock: {
          amount: str(data.locked_amount),
          unlock_bitcoin_height: Number(data.unlock_height ?? 0),
          address: str(data.locked_address),
        },
      };
    case "ft_transfer_event":
      return {
        event_index: eventIndex,
        type: "ft_asset",
        ft_asset: {
          type: "transfer",
          asset_identifier: str(data.asset_identifier),
          sender: str(data.sender),
          recipient: str(data.recipient),
          amount: str(data.amount),
        },
      };
    case "ft_mint_event":
      return {
        event_index: eventIndex,
        type: "ft_asset",
        ft_asset: {
          type: "mint",
          asset_identifier: str(data.asset_identifier),
          recipient: str(data.recipient),
          amount: str(data.amount),
        },
      };
    case "ft_burn_event":
      return {
        event_index: eventIndex,
        type: "ft_asset",
        ft_asset: {
          type: "burn",
          asset_identifier: str(data.asset_identifier),
          sender: str(data.sender),
          amount: str(data.amount),
        },
      };
    case "nft_transfer_event":
      return {
        event_index: eventIndex,
        type: "nft_asset",
        nft_asset: {
          type: "transfer",
          asset_identifier: str(data.asset_identifier),
          sender: str(data.sender),
          recipient: str(data.recipient),
          value: value(),
        },
      };
    case "nft_mint_event":
      return {
        event_index: eventIndex,
        type: "nft_asset",
        nft_asset: {
          type: "mint",
          asset_identifier: str(data.asset_identifier),
          recipient: str(data.recipient),
          value: value(),
        },
      };
    case "nft_burn_event":
      return {
        event_index: eventIndex,
        type: "nft_asset",
        nft_asset: {
          type: "burn",
          asset_identifier: str(data.asset_identifier),
          sender: str(data.sender),
          value: value(),
        },
      };
    default:
      return undefined;
  }
}

/** A transaction's events as the API stores them, in event_index order. */
export function transactionEventsOf(record: TxRecord): TransactionEventJson[] {
  const events: TransactionEventJson[] = [];
  record.events.forEach((event, index) => {
    const rendered = transactionEventJson(event, index);
    if (rendered) events.push(rendered);
  });
  return events;
}

export function contractLogJson(row: ContractLogRow): ContractLogJson {
  const event = row.record.events[row.key.eventIndex]!;
  const rendered = transactionEventJson(event, row.key.eventIndex);
  if (rendered?.type !== "contract_log") throw new Error("contract log row is not a print event");
  return {
    event_index: row.key.eventIndex,
    event_type: "smart_contract_log",
    tx_id: `0x${row.record.decoded.txid}`,
    contract_log: {
      contract_id: rendered.contract_log.contract_id,
      topic: String(event.data.topic ?? "print"),
      value: rendered.contract_log.value,
    },
  };
}

export function principalNoncesJson(nonces: PrincipalNonces): PrincipalNoncesJson {
  return {
    next_nonce: nonces.possibleNextNonce,
    last_confirmed_nonce: nonces.lastExecutedTxNonce,
    mempool: {
      last_nonce: nonces.lastMempoolTxNonce,
      pending_nonces: nonces.detectedMempoolNonces,
      missing_nonces: nonces.detectedMissingNonces,
    },
  };
}

/** parseDbNakamotoBlock: GET /extended/v2/blocks/{height_or_hash}. */
export function blockJson(block: BlockInfo, canonical = true): BlockJson {
  return {
    canonical,
    height: block.height,
    hash: block.hash,
    block_time: block.time,
    block_time_iso: iso(block.time),
    tenure_height: block.burnHeight,
    index_block_hash: block.hash,
    parent_block_hash: block.parentHash,
    parent_index_block_hash: block.parentHash,
    burn_block_time: block.time,
    burn_block_time_iso: iso(block.time),
    burn_block_hash: burnBlockHash(block.burnHeight),
    burn_block_height: block.burnHeight,
    miner_txid: "0x",
    tx_count: block.txids.length,
    execution_cost_read_count: 0,
    execution_cost_read_length: 0,
    execution_cost_runtime: 0,
    execution_cost_write_count: 0,
    execution_cost_write_length: 0,
  };
}
