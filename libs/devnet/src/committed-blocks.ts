// The canonical chain's blocks with transactions, as the log writes them, kept
// in memory so that a fresh simnet can be brought to the chain's state by
// running them again.
import { createHash } from "node:crypto";
import type { LoggedAbort, LoggedBlock } from "./chain-log.js";
import { advanceTo, executeBlock, type BlockEntry, type Simnet } from "./simnet-session.js";
import { decodeTransaction, type DecodedTransaction } from "./transaction-decoder.js";

export class CommittedBlocks {
  private readonly blocks: LoggedBlock[] = [];
  /** Spares a replay decoding every transaction again. */
  private readonly decodedByTxid = new Map<string, DecodedTransaction>();

  add(block: LoggedBlock, entries: BlockEntry[]): void {
    for (const { decoded } of entries) this.decodedByTxid.set(decoded.txid, decoded);
    this.blocks.push(block);
  }

  /** Empties the record and returns the blocks below the fork point, for replaying them. */
  takeBelow(forkHeight: number): LoggedBlock[] {
    const retained = this.blocks.filter((block) => block.height < forkHeight);
    this.blocks.length = 0;
    return retained;
  }

  entryFor(logged: { hex: string; abort?: LoggedAbort }): BlockEntry {
    const txid = createHash("sha512-256").update(Buffer.from(logged.hex, "hex")).digest("hex");
    const decoded = this.decodedByTxid.get(txid) ?? decodeTransaction(logged.hex, true);
    return { decoded, feeOnly: logged.abort !== undefined };
  }

  /** Runs every committed block in a fresh simnet, then mines empty blocks up to the tip. */
  replayInto(simnet: Simnet, tip: number): void {
    for (const block of this.blocks) {
      advanceTo(simnet, block.height - 1);
      executeBlock(
        simnet,
        block.txs.map((logged) => this.entryFor(logged)),
      );
      if (simnet.blockHeight !== block.height) {
        throw new Error(`REPLAY_DIVERGED: block ${block.height} replayed at height ${simnet.blockHeight}`);
      }
    }
    advanceTo(simnet, tip);
  }
}
