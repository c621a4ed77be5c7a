import { ChainError } from "./chain-error.js";
import type { ContractKey } from "./contract-names.js";
import type { LocatedPrintEvent } from "./print-events.js";
import type { StacksChain } from "./stacks-chain.js";
import type { ApiEvent, ApiTransaction, ContractLogPage } from "./stacks-api.js";

export interface ChainFollowerOptions {
  contract: ContractKey;
  /** Events of blocks below this height are never read (the contract's deployment height, say). */
  fromHeight: number;
  /** Page size of the contract-log route (the API allows 100 at most). */
  pageSize?: number;
}

/** A print event of the followed contract, with the block that holds it. */
export type FollowedEvent = LocatedPrintEvent & {
  blockHash: string;
  /** ISO 8601 */
  blockTime: string;
};

export interface UnappliedEvents {
  /** Oldest first. */
  events: FollowedEvent[];
  /** The listed event at which reading stopped; null when no listed event was applied. */
  newestApplied: { txid: string; eventIndex: number } | null;
}

/** The newest position in the contract's log and how many events the log holds: unchanged means nothing new. */
export interface LogHead {
  cursor: string | null;
  total: number;
  /** The newest page itself, which a reading that follows can start from. */
  page: ContractLogPage;
}

/**
 * Reads one contract's print events through the API's contract-log route, which lists
 * them newest first across the whole chain: a pass costs one request when nothing
 * changed and, otherwise, one per page of new events plus one per new transaction (for
 * the block that holds it), however many blocks went by. The caller says which events
 * it already applied; reading stops at the first of those, so an event is handed over
 * again only after a rewind. Events come back oldest first, in chain order.
 */
export class ChainFollower {
  readonly #pageSize: number;

  constructor(
    private readonly chain: StacksChain,
    private readonly options: ChainFollowerOptions,
  ) {
    this.#pageSize = options.pageSize ?? 50;
  }

  get contractId(): string {
    return this.chain.contracts[this.options.contract].id;
  }

  /** The log's newest page, whose position and size say whether anything changed: one request. */
  async head(): Promise<LogHead> {
    const page = await this.chain.api.getContractLogs(this.contractId, { limit: this.#pageSize });
    return { cursor: page.cursor, total: page.total, page };
  }

  /**
   * The events newer than the newest applied one, oldest first. `isApplied` is asked
   * about each listed event from the newest down; the first `true` ends the reading.
   */
  async unappliedEvents(
    isApplied: (txid: string, eventIndex: number) => Promise<boolean>,
    newestPage?: ContractLogPage,
  ): Promise<UnappliedEvents> {
    const listed: ApiEvent[] = [];
    let newestApplied: UnappliedEvents["newestApplied"] = null;
    let cursor: string | undefined;
    reading: for (;;) {
      const page =
        cursor === undefined && newestPage
          ? newestPage
          : await this.chain.api.getContractLogs(this.contractId, { limit: this.#pageSize, cursor });
      for (const event of page.results) {
        const txid = normalise(event.tx_id ?? "");
        if (await isApplied(txid, event.event_index)) {
          newestApplied = { txid, eventIndex: event.event_index };
          break reading;
        }
        listed.push(event);
      }
      if (!page.olderCursor || page.results.length === 0) break;
      // Pages end where the position of the next older one begins, unless it is below the first height read.
      if (heightOf(page.olderCursor) < this.options.fromHeight) break;
      cursor = page.olderCursor;
    }
    const transactions = new Map<string, ApiTransaction>();
    for (const txid of new Set(listed.map((event) => normalise(event.tx_id ?? "")))) {
      const tx = await this.chain.api.getTransaction(txid, 0);
      if (!tx || tx.block_height === undefined || tx.block_hash === undefined) {
        // The log and the transaction index disagree for a moment (a block arriving or being orphaned).
        throw new ChainError(
          "CHAIN_INDEX_UNSETTLED",
          `The API lists an event of ${this.contractId} in transaction ${txid} but does not show that transaction mined.`,
          { contract: this.contractId, txid },
        );
      }
      transactions.set(txid, tx);
    }
    const events: FollowedEvent[] = [];
    for (const event of listed) {
      const tx = transactions.get(normalise(event.tx_id ?? "")) as ApiTransaction;
      if ((tx.block_height as number) < this.options.fromHeight) continue;
      const [decoded] = this.chain.printEvents([event]);
      if (!decoded) continue;
      events.push({
        ...decoded,
        txid: normalise(tx.tx_id),
        blockHeight: tx.block_height as number,
        txIndex: tx.tx_index ?? 0,
        eventIndex: event.event_index,
        blockHash: tx.block_hash as string,
        blockTime: new Date((tx.block_time ?? 0) * 1000).toISOString(),
      });
    }
    events.sort((a, b) => a.blockHeight - b.blockHeight || a.txIndex - b.txIndex || a.eventIndex - b.eventIndex);
    return { events, newestApplied };
  }
}

function normalise(txid: string): string {
  return txid.replace(/^0x/, "").toLowerCase();
}

/** The block height of a log position `height:microblock:txIndex:eventIndex`. */
function heightOf(position: string): number {
  return Number(position.split(":")[0]);
}
