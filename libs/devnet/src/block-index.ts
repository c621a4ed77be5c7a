// The chain's blocks as the API serves them: every height's time and burn
// height, the blocks that carried transactions, and the hashes that tell the
// branches of a fork apart, including the orphaned blocks the API still
// serves by hash.
import { createHash } from "node:crypto";
import { nowSeconds } from "./chain-clock.js";

export interface BlockInfo {
  height: number;
  hash: string;
  parentHash: string;
  time: number;
  burnHeight: number;
  txids: string[];
  /** Set on a block a fork orphaned; absent on the canonical chain. */
  canonical?: false;
}

export class BlockIndex {
  private readonly blocksWithTxs = new Map<number, BlockInfo>();
  private readonly blockTimes: number[] = [];
  private readonly burnHeights: number[] = [];
  /** The first orphaned height of every fork, oldest first; a block's hash depends on how many are at or below it. */
  private readonly forkHeights: number[] = [];
  private readonly orphanedBlocks = new Map<string, BlockInfo>();

  /** Starts with the genesis blocks (the manifest's deployments), all stamped with the start time. */
  constructor(
    private readonly tipHeight: () => number,
    genesisHeight: number,
    genesisBurnHeight: number,
  ) {
    const startTime = nowSeconds();
    for (let height = 0; height <= genesisHeight; height += 1) {
      this.blockTimes[height] = startTime;
      this.burnHeights[height] = Math.min(height, genesisBurnHeight);
    }
  }

  /** The highest height with a recorded time; the simnet may be ahead of it in the middle of a rebuild. */
  committedTipHeight(): number {
    return this.blockTimes.length - 1;
  }

  time(height: number): number | undefined {
    return this.blockTimes[height];
  }

  burnHeight(height: number): number | undefined {
    return this.burnHeights[height];
  }

  /** Stamps the new tip, and any heights mined on the way to it, with a time and a burn height. */
  recordBlockMeta(height: number, burnHeight: number, time: number): void {
    for (let gap = this.blockTimes.length; gap < height; gap += 1) {
      this.blockTimes[gap] = time;
      this.burnHeights[gap] = burnHeight - (height - gap);
    }
    this.blockTimes[height] = time;
    this.burnHeights[height] = burnHeight;
  }

  /** Records a mined block's transactions; its time must be recorded already. */
  recordTransactions(height: number, time: number, txids: string[]): void {
    const parentHash = this.blockHash(height - 1);
    this.blocksWithTxs.set(height, {
      height,
      hash: this.blockHash(height, txids),
      parentHash,
      time,
      burnHeight: this.burnHeights[height]!,
      txids,
    });
  }

  /**
   * Forgets every height from the fork point up and every block's transactions;
   * replaying the retained blocks records the ones below the fork point again.
   */
  resetTo(forkHeight: number): void {
    this.blocksWithTxs.clear();
    this.blockTimes.length = forkHeight;
    this.burnHeights.length = forkHeight;
  }

  /** Remembers a fork, so blocks from its height up hash differently, and the blocks it orphaned. */
  recordFork(forkHeight: number, orphaned: BlockInfo[]): void {
    this.forkHeights.push(forkHeight);
    for (const block of orphaned) this.orphanedBlocks.set(block.hash, { ...block, canonical: false });
  }

  /**
   * A block hash carries its height in its first 8 bytes, so a hash finds its
   * block without an index. Every fork replaces all blocks from its height up,
   * so the number of forks at or below a height tells the branches apart: a new
   * branch's block gets a new hash even where it holds the same transactions.
   */
  blockHash(height: number, txids?: string[]): string {
    const ids = txids ?? this.blocksWithTxs.get(height)?.txids ?? [];
    const prefix = Buffer.alloc(8);
    prefix.writeBigUInt64BE(BigInt(Math.max(height, 0)));
    const branch = this.forkHeights.filter((forkHeight) => forkHeight <= height).length;
    const digest = createHash("sha256")
      .update(`voltstack-devnet:${height}:${branch === 0 ? "" : `fork${branch}:`}${ids.join(",")}`)
      .digest();
    return `0x${prefix.toString("hex")}${digest.subarray(0, 24).toString("hex")}`;
  }

  /** A block a fork orphaned, by its hash. */
  orphanedBlock(hash: string): BlockInfo | undefined {
    return this.orphanedBlocks.get(`0x${hash.replace(/^0x/i, "").toLowerCase()}`);
  }

  heightOfHash(hash: string): number | undefined {
    const hex = hash.replace(/^0x/i, "").toLowerCase();
    if (!/^[0-9a-f]{64}$/.test(hex)) return undefined;
    const height = Number(BigInt(`0x${hex.slice(0, 16)}`));
    return height <= this.tipHeight() && this.blockHash(height) === `0x${hex}` ? height : undefined;
  }

  block(height: number): BlockInfo | undefined {
    if (!Number.isInteger(height) || height < 0 || height > this.tipHeight()) return undefined;
    const withTxs = this.blocksWithTxs.get(height);
    if (withTxs) return withTxs;
    return {
      height,
      hash: this.blockHash(height),
      parentHash: this.blockHash(height - 1),
      time: this.blockTimes[height] ?? this.blockTimes[this.blockTimes.length - 1] ?? nowSeconds(),
      burnHeight: this.burnHeights[height] ?? height,
      txids: [],
    };
  }
}
