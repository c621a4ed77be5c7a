// A fork (a Bitcoin reorganisation on the real chain) carried out on the
// chain: like an abort, it is undone by a fresh simnet that replays the
// blocks below the fork point, then the new branch is mined on top.
import type { BlockInfo } from "./block-index.js";
import type { BlockProducer } from "./block-production.js";
import { nowSeconds } from "./chain-clock.js";
import type { ChainParts } from "./chain-parts.js";
import { ForkError, type CheckedForkOptions, type ForkResult } from "./fork.js";
import { advanceTo } from "./simnet-session.js";
import type { DecodedTransaction } from "./transaction-decoder.js";
import type { TransactionHistory } from "./transaction-history.js";

/**
 * Orphans the top `depth` blocks and mines a longer competing branch from the
 * block below them, as a Bitcoin reorganisation does to Stacks blocks.
 *
 * Orphaned transactions are not lost: stacks-core's mempool keeps a mined
 * transaction until garbage collection (by age, MEMPOOL_MAX_TRANSACTION_AGE),
 * and the API moves the orphaned block's transactions back into its mempool
 * table as pending (PgWriteStore.restoreOrphanedChain → restoreMempoolTxs).
 * So those the new branch does not mine again are pending here, and the next
 * block mines them. The ones kept are mined in the branch's first block, in
 * their old order; the rest of the branch is empty blocks.
 */
export async function forkChain(
  parts: ChainParts,
  producer: BlockProducer,
  genesisHeight: number,
  { depth, keep, blocks }: CheckedForkOptions,
): Promise<ForkResult> {
  const { host, history, ledger, mempool, committed, log } = parts;
  const oldTip = host.simnet.blockHeight;
  const forkHeight = oldTip - depth + 1;
  // Below genesis lies the deployment of the manifest's contracts, which no replay can redo.
  if (forkHeight <= genesisHeight) {
    throw new ForkError(
      `depth ${depth} reaches below the first block after genesis (tip ${oldTip}, genesis ${genesisHeight})`,
    );
  }
  const orphaned: BlockInfo[] = [];
  for (let height = forkHeight; height <= oldTip; height += 1)
    orphaned.push({ ...parts.blocks.block(height)!, canonical: false });
  const orphanedTxids = orphaned.flatMap((block) => block.txids);
  const kept = keptTransactions(history, orphanedTxids, keep);

  const simnet = await host.freshSimnet();
  const retained = committed.takeBelow(forkHeight);
  parts.blocks.resetTo(forkHeight);
  history.contractLogs.clear();
  ledger.clear();
  host.replace(simnet);
  // Every counter above is rebuilt by recording the retained blocks again.
  for (const block of retained) producer.replayBlock(block);
  advanceTo(host.simnet, forkHeight - 1);
  if (host.simnet.blockHeight !== forkHeight - 1) {
    throw new Error(`REPLAY_DIVERGED: fork point ${forkHeight - 1} replayed at height ${host.simnet.blockHeight}`);
  }
  for (const txid of orphanedTxids) history.unmine(txid);
  parts.blocks.recordFork(forkHeight, orphaned);
  const forkTime = nowSeconds();
  if (log) {
    log.appendFork({
      height: forkHeight,
      time: forkTime,
      orphaned: orphaned.map(({ height, hash, parentHash, time, burnHeight, txids }) => ({
        height,
        hash,
        parentHash,
        time,
        burnHeight,
        txids,
      })),
    });
    log.writeTip({ height: forkHeight - 1, time: parts.blocks.time(forkHeight - 1)! });
  }

  const newTipHeight = forkHeight - 1 + blocks;
  await producer.mineNow(kept.map((txid) => history.records.get(txid)!.decoded));
  // The rest of the branch is empty blocks. (A first block that threw has been mined
  // again one transaction per block and may have used more heights already.)
  if (host.simnet.blockHeight < newTipHeight) producer.mineEmptyBlocksTo(newTipHeight);

  const returned: string[] = [];
  const dropped: string[] = [];
  for (const txid of orphanedTxids) {
    const record = history.records.get(txid)!;
    if (record.blockHeight !== null) continue;
    if (kept.includes(txid) || !mempool.returnToMempool(record)) dropped.push(txid);
    else returned.push(txid);
  }
  log?.rewriteMempool(mempool.pendingHexes());
  const tip = parts.blocks.block(host.simnet.blockHeight)!;
  const hex = (txid: string) => `0x${txid}`;
  return {
    orphaned: orphaned.map((block) => ({ height: block.height, hash: block.hash, txids: block.txids.map(hex) })),
    newTip: { height: tip.height, hash: tip.hash },
    reincluded: kept.filter((txid) => history.records.get(txid)!.blockHeight !== null).map(hex),
    returnedToMempool: returned.map(hex),
    dropped: dropped.map(hex),
  };
}

/**
 * The orphaned txids the new branch mines again, in their old order. A sender's
 * transactions run in nonce order, so a kept one needs every earlier orphaned
 * one of its sender kept too.
 */
function keptTransactions(history: TransactionHistory, orphanedTxids: string[], keep: "all" | Set<string>): string[] {
  if (keep === "all") return orphanedTxids;
  const orphanedSet = new Set(orphanedTxids);
  for (const txid of keep) {
    if (!orphanedSet.has(txid)) throw new ForkError(`0x${txid} is not in the orphaned blocks`);
  }
  const firstLeftOut = new Map<string, DecodedTransaction>();
  for (const txid of orphanedTxids) {
    const decoded = history.records.get(txid)!.decoded;
    if (keep.has(txid)) {
      const gap = firstLeftOut.get(decoded.sender);
      if (gap) {
        throw new ForkError(
          `keep lists 0x${txid} (nonce ${decoded.nonce}) but not 0x${gap.txid} (nonce ${gap.nonce}) of the same sender`,
        );
      }
    } else if (!firstLeftOut.has(decoded.sender)) {
      firstLeftOut.set(decoded.sender, decoded);
    }
  }
  return orphanedTxids.filter((txid) => keep.has(txid));
}
