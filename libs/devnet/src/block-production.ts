// Mining: a block of the mempool's ready transactions runs in the simnet, its
// post-conditions are enforced after the fact, and what it did is recorded
// (transactions, events, account totals, block, log).
//
// The simnet commits a call's effects as it runs and has no rollback, so a
// block whose transactions break their post-conditions (or hit a runtime error)
// is undone by building a fresh simnet and replaying the committed blocks, then
// mined again with the offending transactions reduced to their fee. Such aborts
// are rare; a rebuild costs the simnet's start-up (about 3 s) plus about 1 ms
// per replayed transaction.
import { Cl, ClarityType, cvToHex, cvToString, hexToCV } from "@stacks/transactions";
import { nowSeconds } from "./chain-clock.js";
import type { LoggedAbort, LoggedBlock } from "./chain-log.js";
import type { ChainParts } from "./chain-parts.js";
import { errorMessage } from "./error-message.js";
import { checkPostConditions } from "./post-condition-check.js";
import { advanceTo, executeBlock, quietly, type BlockEntry, type SimnetCallResult } from "./simnet-session.js";
import type { DecodedTransaction } from "./transaction-decoder.js";

/** The mempool file is appended to on every admission and rewritten after this many mined transactions. */
const MEMPOOL_COMPACTION_INTERVAL = 1_000;

export class BlockProducer {
  private minedSinceCompaction = 0;

  constructor(private readonly parts: ChainParts) {}

  /** Mines one block with these transactions (by default the mempool's ready ones); resolves to the new tip height. */
  async mineNow(candidates: DecodedTransaction[] = this.parts.mempool.selectReady()): Promise<number> {
    const { host, blocks, log } = this.parts;
    if (candidates.length === 0) {
      quietly(() => host.simnet.mineEmptyBlock());
      this.recordBlockMeta(nowSeconds());
      log?.writeTip({ height: host.simnet.blockHeight, time: blocks.time(host.simnet.blockHeight)! });
      return host.simnet.blockHeight;
    }
    const aborts = new Map<string, LoggedAbort>();
    for (;;) {
      const entries = candidates.map((decoded) => ({ decoded, feeOnly: aborts.has(decoded.txid) }));
      let results: (SimnetCallResult | undefined)[];
      try {
        results = executeBlock(host.simnet, entries);
      } catch {
        await this.rebuild();
        const droppedSenders = new Set<string>();
        for (const decoded of candidates) {
          if (droppedSenders.has(decoded.sender)) continue;
          if (!(await this.mineIsolated(decoded, aborts.get(decoded.txid)))) droppedSenders.add(decoded.sender);
        }
        return host.simnet.blockHeight;
      }
      const failures = this.postConditionFailures(entries, results);
      if (failures.size === 0) {
        this.commitBlock(entries, results, aborts, nowSeconds(), false);
        return host.simnet.blockHeight;
      }
      for (const [txid, abort] of failures) aborts.set(txid, abort);
      await this.rebuild();
    }
  }

  /** Mines empty blocks up to the height (the rest of a fork's branch). */
  mineEmptyBlocksTo(height: number): void {
    const { host, blocks, log } = this.parts;
    quietly(() => host.simnet.mineEmptyBlocks(height - host.simnet.blockHeight));
    this.recordBlockMeta(nowSeconds());
    log?.writeTip({ height: host.simnet.blockHeight, time: blocks.time(host.simnet.blockHeight)! });
  }

  /** Runs a logged block in the current simnet and records it as mined (without logging it again). */
  replayBlock(block: LoggedBlock): void {
    const { host, committed } = this.parts;
    advanceTo(host.simnet, block.height - 1);
    const entries = block.txs.map((logged) => committed.entryFor(logged));
    const results = executeBlock(host.simnet, entries);
    if (host.simnet.blockHeight !== block.height) {
      throw new Error(`REPLAY_DIVERGED: block ${block.height} replayed at height ${host.simnet.blockHeight}`);
    }
    const aborts = new Map<string, LoggedAbort>();
    block.txs.forEach((logged, index) => {
      if (logged.abort) aborts.set(entries[index]!.decoded.txid, logged.abort);
    });
    this.commitBlock(entries, results, aborts, block.time, true);
  }

  /** Stamps the simnet's tip (and any heights mined on the way to it) with a time. */
  recordBlockMeta(time: number): void {
    const { simnet } = this.parts.host;
    this.parts.blocks.recordBlockMeta(simnet.blockHeight, simnet.burnBlockHeight, time);
  }

  /**
   * After a block threw, each transaction gets a block of its own so the one that
   * throws is found. Resolves to false when the transaction had to be dropped.
   */
  private async mineIsolated(decoded: DecodedTransaction, knownAbort: LoggedAbort | undefined): Promise<boolean> {
    const { host } = this.parts;
    let abort = knownAbort;
    if (!abort) {
      const full = [{ decoded, feeOnly: false }];
      try {
        const results = executeBlock(host.simnet, full);
        const failure = this.postConditionFailures(full, results).get(decoded.txid);
        if (!failure) {
          this.commitBlock(full, results, new Map(), nowSeconds(), false);
          return true;
        }
        abort = failure;
      } catch (error) {
        abort = { status: "abort_by_response", resultHex: cvToHex(Cl.error(Cl.none())), vmError: errorMessage(error) };
      }
      await this.rebuild();
    }
    const feeOnly = [{ decoded, feeOnly: true }];
    try {
      const results = executeBlock(host.simnet, feeOnly);
      this.commitBlock(feeOnly, results, new Map([[decoded.txid, abort]]), nowSeconds(), false);
      return true;
    } catch (error) {
      await this.rebuild();
      this.drop(decoded, errorMessage(error));
      return false;
    }
  }

  private drop(decoded: DecodedTransaction, reason: string): void {
    const record = this.parts.history.records.get(decoded.txid);
    if (record) {
      record.status = "dropped_problematic";
      record.vmError = reason;
    }
    this.parts.mempool.remove(decoded);
  }

  private postConditionFailures(
    entries: BlockEntry[],
    results: (SimnetCallResult | undefined)[],
  ): Map<string, LoggedAbort> {
    const failures = new Map<string, LoggedAbort>();
    entries.forEach((entry, index) => {
      const outcome = results[index];
      const { decoded } = entry;
      // The node checks post-conditions on contract calls and deployments; an STX
      // transfer payload moves exactly what it says.
      if (!outcome || decoded.payload.kind === "token_transfer") return;
      const verdict = checkPostConditions(
        decoded.postConditions,
        decoded.postConditionMode,
        decoded.sender,
        outcome.events,
      );
      if (!verdict.ok) {
        failures.set(decoded.txid, {
          status: "abort_by_post_condition",
          resultHex: cvToHex(outcome.result),
          vmError: verdict.reason ?? "post-condition check failed",
        });
      }
    });
    return failures;
  }

  private commitBlock(
    entries: BlockEntry[],
    results: (SimnetCallResult | undefined)[],
    aborts: Map<string, LoggedAbort>,
    time: number,
    replaying: boolean,
  ): void {
    const { host, blocks, history, ledger, mempool, committed, log } = this.parts;
    this.recordBlockMeta(time);
    const height = host.simnet.blockHeight;
    const txids = entries.map((entry) => entry.decoded.txid);
    let deployed = false;
    entries.forEach(({ decoded }, index) => {
      const record = history.records.get(decoded.txid) ?? history.newRecord(decoded, time);
      const abort = aborts.get(decoded.txid);
      const outcome = results[index];
      if (abort) {
        record.status = abort.status;
        record.resultHex = abort.resultHex;
        record.resultRepr = abort.resultHex ? cvToString(hexToCV(abort.resultHex)) : null;
        record.events = [];
        record.vmError = abort.vmError;
      } else if (outcome) {
        const ok = outcome.result.type === ClarityType.ResponseOk || outcome.result.type === ClarityType.BoolTrue;
        record.status = ok ? "success" : "abort_by_response";
        record.resultHex = cvToHex(outcome.result);
        record.resultRepr = cvToString(outcome.result);
        record.events = ok ? outcome.events : [];
        record.vmError = null;
        if (ok) {
          history.indexContractLogs(decoded.txid, outcome.events);
          ledger.recordTransfers(outcome.events);
        }
        if (ok && decoded.payload.kind === "smart_contract") deployed = true;
      }
      record.blockHeight = height;
      record.txIndex = index;
      ledger.recordMined(decoded);
      mempool.remove(decoded);
    });
    if (deployed) host.contractsChanged();
    blocks.recordTransactions(height, time, txids);
    const logged: LoggedBlock = {
      height,
      time,
      burnHeight: blocks.burnHeight(height)!,
      txs: entries.map(({ decoded }) => {
        const abort = aborts.get(decoded.txid);
        return abort ? { hex: decoded.hex, abort } : { hex: decoded.hex };
      }),
    };
    committed.add(logged, entries);
    if (!replaying && log) {
      log.appendBlock(logged);
      log.writeTip({ height, time });
      this.minedSinceCompaction += entries.length;
      if (this.minedSinceCompaction >= MEMPOOL_COMPACTION_INTERVAL) {
        this.minedSinceCompaction = 0;
        log.rewriteMempool(mempool.pendingHexes());
      }
    }
  }

  private async rebuild(): Promise<void> {
    const { host, blocks, committed } = this.parts;
    await host.exclusively(async () => {
      const tip = blocks.committedTipHeight();
      const simnet = await host.freshSimnet();
      committed.replayInto(simnet, tip);
      host.replace(simnet);
    });
    host.prepareSpare();
  }
}
