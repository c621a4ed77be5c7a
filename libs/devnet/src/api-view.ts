// What the Stacks Blockchain API's database holds, derived from the devnet's
// chain: the blocks it has indexed (all of them, or all but the newest K when
// the index-lag fault is on), which transactions are mined, pending or dropped
// from its point of view, contract logs, and nonces computed the way
// PgStore.getAddressNonces computes them. The node routes (/v2) read the chain
// directly and always see the tip.
import type { BlockInfo } from "./block-index.js";
import type { DevnetChain } from "./devnet-chain.js";
import type { FaultState } from "./faults.js";
import type { TxRecord } from "./transaction-history.js";

/** The API stores anchored-block transactions with the largest int32 as microblock sequence (I32_MAX). */
export const ANCHORED_MICROBLOCK_SEQUENCE = 2147483647;

export type ApiTxState =
  /** In a block the API has indexed. */
  | { kind: "mined"; record: TxRecord; block: BlockInfo }
  /** In the API's mempool table, not pruned: pending, or mined in a block the API has not indexed yet. */
  | { kind: "pending"; record: TxRecord }
  /** Dropped from the mempool (replace-by-fee, garbage collection, problematic): pruned in the API. */
  | { kind: "dropped"; record: TxRecord };

export interface EventKey {
  blockHeight: number;
  microblockSequence: number;
  txIndex: number;
  eventIndex: number;
}

export interface ContractLogRow {
  key: EventKey;
  record: TxRecord;
}

export interface PrincipalNonces {
  lastExecutedTxNonce: number | null;
  lastMempoolTxNonce: number | null;
  possibleNextNonce: number;
  detectedMissingNonces: number[];
  detectedMempoolNonces: number[];
}

export class ApiView {
  constructor(
    readonly chain: DevnetChain,
    private readonly faults: FaultState,
  ) {}

  /** The highest block the API has indexed. */
  get indexedTipHeight(): number {
    return Math.max(0, this.chain.tipHeight - this.faults.indexLagBlocks);
  }

  isIndexed(height: number): boolean {
    return height <= this.indexedTipHeight;
  }

  block(height: number): BlockInfo | undefined {
    return this.isIndexed(height) ? this.chain.block(height) : undefined;
  }

  /**
   * By block hash or index block hash (the devnet uses one hash for both). Only
   * /extended/v1/block/{hash} finds an orphaned block (PgStore.getBlockInternal
   * has no canonical filter; the v2 and v3 block queries require canonical =
   * true), and it lists none of its transactions, since its transaction query
   * does filter on canonical.
   */
  blockByHash(hash: string, options: { includeOrphaned?: boolean } = {}): BlockInfo | undefined {
    const height = this.chain.heightOfHash(hash);
    if (height !== undefined) return this.block(height);
    const orphan = options.includeOrphaned ? this.chain.orphanedBlock(hash) : undefined;
    return orphan ? { ...orphan, txids: [] } : undefined;
  }

  txState(txid: string): ApiTxState | undefined {
    const record = this.chain.records.get(txid.replace(/^0x/i, "").toLowerCase());
    if (!record) return undefined;
    if (record.blockHeight !== null) {
      const block = this.block(record.blockHeight);
      // A transaction in a block the API has not ingested yet is still in its mempool table.
      return block ? { kind: "mined", record, block } : { kind: "pending", record };
    }
    return record.status === "pending" ? { kind: "pending", record } : { kind: "dropped", record };
  }

  /** The API's unpruned mempool, newest first. */
  mempool(): TxRecord[] {
    const lagging: TxRecord[] = [];
    for (let height = this.indexedTipHeight + 1; height <= this.chain.tipHeight; height += 1) {
      for (const txid of this.chain.block(height)?.txids ?? []) lagging.push(this.chain.records.get(txid)!);
    }
    return [...this.chain.pendingRecords(), ...lagging].sort((a, b) => b.arrival - a.arrival);
  }

  /** A contract's indexed print events, newest first (block_height, microblock_sequence, tx_index, event_index DESC). */
  contractLogs(contractId: string): ContractLogRow[] {
    const rows: ContractLogRow[] = [];
    for (const { txid, eventIndex } of this.chain.contractLogs.get(contractId) ?? []) {
      const record = this.chain.records.get(txid)!;
      if (record.blockHeight === null || !this.isIndexed(record.blockHeight)) continue;
      rows.push({
        record,
        key: {
          blockHeight: record.blockHeight,
          microblockSequence: ANCHORED_MICROBLOCK_SEQUENCE,
          txIndex: record.txIndex ?? 0,
          eventIndex,
        },
      });
    }
    return rows.sort((a, b) => compareEventKeys(b.key, a.key));
  }

  /** PgStore.getAddressNonces over the indexed blocks and the API's mempool (no sponsored transactions here). */
  nonces(principal: string): PrincipalNonces {
    let lastExecuted: number | null = null;
    for (const record of this.chain.records.values()) {
      if (record.decoded.sender !== principal || record.blockHeight === null || !this.isIndexed(record.blockHeight))
        continue;
      const nonce = Number(record.decoded.nonce);
      if (lastExecuted === null || nonce > lastExecuted) lastExecuted = nonce;
    }
    const mempoolNonces = new Set(
      this.mempool()
        .filter((record) => record.decoded.sender === principal)
        .map((record) => Number(record.decoded.nonce)),
    );
    const lastMempool = mempoolNonces.size > 0 ? Math.max(...mempoolNonces) : null;
    const possibleNextNonce =
      lastExecuted === null && lastMempool === null ? 0 : Math.max(lastExecuted ?? 0, lastMempool ?? 0) + 1;
    const detectedMissingNonces: number[] = [];
    const detectedMempoolNonces: number[] = [];
    // The API looks for gaps only between a confirmed nonce and a higher mempool nonce:
    // an account with nothing confirmed yet reports no missing nonces.
    if (lastExecuted !== null && lastMempool !== null && lastMempool - lastExecuted > 1) {
      for (let nonce = lastMempool - 1; nonce > lastExecuted; nonce -= 1) {
        if (mempoolNonces.has(nonce)) detectedMempoolNonces.push(nonce);
        else detectedMissingNonces.push(nonce);
      }
    }
    return {
      lastExecutedTxNonce: lastExecuted,
      lastMempoolTxNonce: lastMempool,
      possibleNextNonce,
      detectedMissingNonces,
      detectedMempoolNonces,
    };
  }
}

export function compareEventKeys(a: EventKey, b: EventKey): number {
  return (
    a.blockHeight - b.blockHeight ||
    a.microblockSequence - b.microblockSequence ||
    a.txIndex - b.txIndex ||
    a.eventIndex - b.eventIndex
  );
}

export const encodeEventCursor = (key: EventKey) =>
  `${key.blockHeight}:${key.microblockSequence}:${key.txIndex}:${key.eventIndex}`;

export function parseEventCursor(cursor: string): EventKey {
  const [blockHeight = 0, microblockSequence = 0, txIndex = 0, eventIndex = 0] = cursor.split(":").map(Number);
  return { blockHeight, microblockSequence, txIndex, eventIndex };
}

export interface EventPage<T> {
  offset: number;
  total: number;
  nextCursor: string | null;
  prevCursor: string | null;
  currentCursor: string | null;
  rows: T[];
}

/**
 * PgStoreV2.getSmartContractEvents over rows sorted newest first: the page starts
 * `offset` rows below the cursor (or the newest row), holds up to `limit` rows;
 * next_cursor is the top of the page `limit` rows newer (only when that many
 * newer rows exist), prev_cursor the top of the page `limit` rows older. The
 * total is the contract's row count, or 0 when the page is empty (the count is
 * joined onto the selected rows).
 */
export function pageContractLogs<T extends { key: EventKey }>(
  rows: T[],
  limit: number,
  offset: number,
  cursor: EventKey | undefined,
): EventPage<T> {
  const from = cursor ? rows.findIndex((row) => compareEventKeys(row.key, cursor) <= 0) : 0;
  const top = from < 0 ? -1 : from + offset;
  if (top < 0 || top >= rows.length) {
    return { offset, total: 0, nextCursor: null, prevCursor: null, currentCursor: null, rows: [] };
  }
  const next = top - limit >= 0 ? rows[top - limit] : undefined;
  const prev = rows[top + limit];
  return {
    offset,
    total: rows.length,
    nextCursor: next ? encodeEventCursor(next.key) : null,
    prevCursor: prev ? encodeEventCursor(prev.key) : null,
    currentCursor: encodeEventCursor(rows[top]!.key),
    rows: rows.slice(top, top + limit),
  };
}
