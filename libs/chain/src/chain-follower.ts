import type { CheckpointStore } from "./checkpoint-store.js";
import type { LocatedPrintEvent } from "./print-events.js";
import type { StacksChain } from "./stacks-chain.js";
import { WakeSignal } from "./wake-signal.js";

export interface ChainFollowerOptions {
  /** Names this follower's checkpoint. */
  id: string;
  store: CheckpointStore;
  /** First height to read when the store has no checkpoint yet. */
  fromHeight: number;
  /** How often to look for new blocks at the tip, ms. */
  pollIntervalMs?: number;
  /** Stay this many blocks behind the tip (0 = read the tip). */
  lagBlocks?: number;
}

export interface FollowedBlock {
  height: number;
  hash: string;
  events: LocatedPrintEvent[];
}

/**
 * Reads the chain block by block from a height and hands over the print events of
 * our five contracts in chain order (transaction index, then event index). A block's
 * height is checkpointed once all its events were handed over, so after a restart
 * the follower resumes after the last complete block: delivery is at least once.
 */
export class ChainFollower {
  readonly #wake = new WakeSignal();

  constructor(
    private readonly chain: StacksChain,
    private readonly options: ChainFollowerOptions,
  ) {}

  /** The next height to read. */
  async position(): Promise<number> {
    const saved = await this.options.store.load(this.options.id);
    return saved === undefined ? this.options.fromHeight : saved + 1;
  }

  /** One block's events, or null when the block does not exist yet. */
  async readBlock(height: number): Promise<FollowedBlock | null> {
    const block = await this.chain.api.getBlockByHeight(height);
    if (!block) return null;
    const transactions = await Promise.all(block.txs.map((txid) => this.chain.api.getTransaction(txid)));
    const events: LocatedPrintEvent[] = [];
    const successful = transactions
      .filter((tx) => tx !== null && tx.tx_status === "success" && tx.canonical !== false)
      .sort((a, b) => (a?.tx_index ?? 0) - (b?.tx_index ?? 0));
    for (const tx of successful) {
      if (!tx) continue;
      const sorted = [...(tx.events ?? [])].sort((a, b) => a.event_index - b.event_index);
      for (const apiEvent of sorted) {
        const [decoded] = this.chain.printEvents([apiEvent]);
        if (!decoded) continue;
        events.push({
          ...decoded,
          txid: tx.tx_id.replace(/^0x/, ""),
          blockHeight: height,
          txIndex: tx.tx_index ?? 0,
          eventIndex: apiEvent.event_index,
        });
      }
    }
    return { height, hash: block.hash, events };
  }

  /**
   * Blocks from the checkpoint up to the tip (minus the lag), one at a time; the
   * checkpoint moves when the consumer asks for the block after. Stops at the tip
   * unless `follow` is set, then waits for new blocks until the signal aborts.
   */
  async *blocks(options: { follow?: boolean; signal?: AbortSignal } = {}): AsyncGenerator<FollowedBlock> {
    const onAbort = () => this.#wake.wake();
    options.signal?.addEventListener("abort", onAbort);
    try {
      let height = await this.position();
      while (!options.signal?.aborted) {
        const tip = (await this.chain.api.getTipHeight()) - (this.options.lagBlocks ?? 0);
        while (height <= tip && !options.signal?.aborted) {
          const block = await this.readBlock(height);
          if (!block) break;
          yield block;
          await this.options.store.save(this.options.id, height);
          height += 1;
        }
        if (!options.follow) return;
        await this.#wake.wait(this.options.pollIntervalMs ?? 1_000);
      }
    } finally {
      options.signal?.removeEventListener("abort", onAbort);
    }
  }

  /** The print events one by one, in order; see `blocks` for checkpointing. */
  async *events(options: { follow?: boolean; signal?: AbortSignal } = {}): AsyncGenerator<LocatedPrintEvent> {
    for await (const block of this.blocks(options)) yield* block.events;
  }
}
