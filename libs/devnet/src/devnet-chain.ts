// The devnet's chain: a mempool with the node's admission rules, blocks mined
// into the simnet, post-conditions enforced after the fact, and the record of
// every transaction and block that the HTTP API serves.
//
// The simnet commits a call's effects as it runs and has no rollback, so a
// block whose transactions break their post-conditions (or hit a runtime error)
// is undone by building a fresh simnet and replaying the committed blocks, then
// mined again with the offending transactions reduced to their fee. Such aborts
// are rare; a rebuild costs the simnet's start-up (about 3 s) plus about 1 ms
// per replayed transaction.
//
// A fork (a Bitcoin reorganisation on the real chain) is undone the same way:
// a fresh simnet replays the blocks below the fork point, then the new branch
// is mined on top; see fork().
import { createHash } from "node:crypto";
import { Cl, ClarityType, cvToHex, cvToString, hexToCV, type ClarityValue } from "@stacks/transactions";
import { argumentMismatch, type AbiFunction } from "./abi-arguments.js";
import { ChainLog, projectFingerprint, type LoggedAbort, type LoggedBlock } from "./chain-log.js";
import { ForkError, checkForkOptions, type ForkResult } from "./fork.js";
import { MempoolRejection } from "./mempool-rejection.js";
import { checkPostConditions } from "./post-condition-check.js";
import {
  createSimnet,
  executeBlock,
  quietly,
  type BlockEntry,
  type Simnet,
  type SimnetCallResult,
  type SimnetEvent,
} from "./simnet-session.js";
import { decodeTransaction, type DecodedTransaction } from "./transaction-decoder.js";

/** The node's limit on unconfirmed transactions chained from one sender. */
export const MAX_CHAINED_TRANSACTIONS = 25;
/** Keeps one block's execution (about 1.5 ms per transaction) well under a second. */
const MAX_TRANSACTIONS_PER_BLOCK = 400;
/** The mempool file is appended to on every admission and rewritten after this many mined transactions. */
const MEMPOOL_COMPACTION_INTERVAL = 1_000;

export type TxStatus =
  | "pending"
  | "success"
  | "abort_by_response"
  | "abort_by_post_condition"
  | "dropped_problematic"
  | "dropped_replace_by_fee"
  | "dropped_replace_across_fork"
  | "dropped_stale_garbage_collect";

export interface TxRecord {
  decoded: DecodedTransaction;
  receiptTime: number;
  arrival: number;
  status: TxStatus;
  resultHex: string | null;
  resultRepr: string | null;
  events: SimnetEvent[];
  blockHeight: number | null;
  txIndex: number | null;
  vmError: string | null;
  /** Chain height when the mempool accepted it (the API's receipt_block_height). */
  receiptBlockHeight?: number;
  /** Set when a transaction with the same sender and nonce and a higher fee replaced this one. */
  replacedByTxid?: string;
}

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

export interface ContractInterface {
  functions: AbiFunction[];
  [key: string]: unknown;
}

export interface NonceInfo {
  last_executed_tx_nonce: number | null;
  last_mempool_tx_nonce: number | null;
  possible_next_nonce: number;
  detected_missing_nonces: number[];
  detected_mempool_nonces: number[];
}

export interface ChainOptions {
  manifestPath: string;
  minFeeUstx: bigint;
  dataDir?: string;
}

export interface ReadOnlyOutcome {
  okay: boolean;
  result?: string;
  cause?: string;
}

export interface ContractLogRef {
  txid: string;
  eventIndex: number;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class DevnetChain {
  readonly records = new Map<string, TxRecord>();
  readonly contractLogs = new Map<string, ContractLogRef[]>();
  private readonly committedBlocks: LoggedBlock[] = [];
  private readonly decodedByTxid = new Map<string, DecodedTransaction>();
  private readonly blocksWithTxs = new Map<number, BlockInfo>();
  private readonly blockTimes: number[] = [];
  private readonly burnHeights: number[] = [];
  private readonly nextNonces = new Map<string, bigint>();
  private readonly pending = new Map<string, Map<bigint, TxRecord>>();
  private readonly feesPaid = new Map<string, bigint>();
  private readonly stxSent = new Map<string, bigint>();
  private readonly stxReceived = new Map<string, bigint>();
  private interfaceCache: Map<string, ContractInterface> | undefined;
  private arrivals = 0;
  private miningCount = 0;
  private minedSinceCompaction = 0;
  private rebuilding: Promise<void> | undefined;
  private spare: Promise<Simnet> | undefined;
  private closed = false;
  private miningQueue: Promise<unknown> = Promise.resolve();
  /** The first orphaned height of every fork, oldest first; a block's hash depends on how many are at or below it. */
  private readonly forkHeights: number[] = [];
  private readonly orphanedBlocks = new Map<string, BlockInfo>();
  private readonly log: ChainLog | undefined;
  readonly genesisHeight: number;

  private constructor(
    private simnet: Simnet,
    private readonly options: ChainOptions,
  ) {
    this.log = options.dataDir ? new ChainLog(options.dataDir) : undefined;
    this.genesisHeight = simnet.blockHeight;
    const startTime = nowSeconds();
    for (let height = 0; height <= simnet.blockHeight; height += 1) {
      this.blockTimes[height] = startTime;
      this.burnHeights[height] = Math.min(height, simnet.burnBlockHeight);
    }
  }

  static async open(options: ChainOptions): Promise<DevnetChain> {
    if (options.dataDir) new ChainLog(options.dataDir).checkGenesis(projectFingerprint(options.manifestPath));
    const chain = new DevnetChain(await createSimnet(options.manifestPath), options);
    chain.replayLog();
    return chain;
  }

  get tipHeight(): number {
    return this.simnet.blockHeight;
  }

  get burnTipHeight(): number {
    return this.burnHeights[this.tipHeight] ?? this.simnet.burnBlockHeight;
  }

  get simnetAccounts(): Map<string, string> {
    return this.simnet.getAccounts();
  }

  /** Resolves when the simnet is consistent (not in the middle of a rebuild). */
  whenIdle(): Promise<void> {
    return this.rebuilding ?? Promise.resolve();
  }

  // Admission

  /** Admits a transaction to the mempool or throws a MempoolRejection; returns the txid. */
  submit(raw: string | Uint8Array): string {
    const decoded = decodeTransaction(raw);
    try {
      this.admit(decoded);
    } catch (error) {
      if (error instanceof MempoolRejection) error.txid ??= decoded.txid;
      throw error;
    }
    return decoded.txid;
  }

  private admit(decoded: DecodedTransaction): void {
    const { txid, sender, nonce, feeUstx, payload } = decoded;
    const known = this.records.get(txid);
    if (known?.status === "pending") return;
    this.checkPayload(decoded);
    const requiredFee = this.requiredFee(decoded.byteLength);
    if (feeUstx < requiredFee) {
      throw new MempoolRejection(
        "FeeTooLow",
        { expected: Number(requiredFee), actual: Number(feeUstx) },
        `fee ${feeUstx} below ${requiredFee}`,
        txid,
      );
    }
    const spend = feeUstx + (payload.kind === "token_transfer" ? payload.amountUstx : 0n);
    const balance = this.stxBalance(sender);
    if (balance < spend) {
      const u128 = (value: bigint) => `0x${value.toString(16).padStart(32, "0")}`;
      throw new MempoolRejection(
        "NotEnoughFunds",
        { expected: u128(spend), actual: u128(balance) },
        `${sender} holds ${balance}, needs ${spend}`,
        txid,
      );
    }
    const expected = this.nextNonces.get(sender) ?? 0n;
    if (nonce < expected) {
      throw new MempoolRejection(
        "BadNonce",
        { expected: Number(expected), actual: Number(nonce), principal: sender, is_origin: true },
        `nonce ${nonce} already used; next is ${expected}`,
        txid,
      );
    }
    const senderPending = this.pending.get(sender);
    const prior = senderPending?.get(nonce);
    // Replace-by-fee as stacks-core's MemPoolDB::try_add_tx does it: a transaction
    // with the same origin nonce replaces the pending one only when its total fee
    // is strictly higher; otherwise the newcomer is refused.
    if (prior && feeUstx <= prior.decoded.feeUstx) {
      throw new MempoolRejection(
        "ConflictingNonceInMempool",
        undefined,
        `another transaction with nonce ${nonce} is pending with fee ${prior.decoded.feeUstx} >= ${feeUstx}`,
        txid,
      );
    }
    const maxNonce = expected + BigInt(MAX_CHAINED_TRANSACTIONS - 1);
    if (nonce > maxNonce) {
      throw new MempoolRejection(
        "TooMuchChaining",
        {
          message: "Nonce would exceed chaining limit in mempool",
          expected: Number(maxNonce),
          actual: Number(nonce),
          principal: sender,
          is_origin: true,
        },
        `nonce ${nonce} is beyond ${maxNonce}`,
        txid,
      );
    }
    const record: TxRecord = {
      decoded,
      receiptTime: nowSeconds(),
      arrival: (this.arrivals += 1),
      status: "pending",
      resultHex: null,
      resultRepr: null,
      events: [],
      blockHeight: null,
      txIndex: null,
      vmError: null,
      receiptBlockHeight: this.tipHeight,
    };
    if (prior) {
      prior.status = "dropped_replace_by_fee";
      prior.replacedByTxid = txid;
    }
    this.records.set(txid, record);
    if (senderPending) senderPending.set(nonce, record);
    else this.pending.set(sender, new Map([[nonce, record]]));
    this.log?.appendMempool(decoded.hex);
  }

  /**
   * Evicts a pending transaction as a node's mempool garbage collection does
   * (status dropped_stale_garbage_collect). It can be broadcast again later.
   * Returns false when the transaction is not pending.
   */
  dropPending(txid: string): boolean {
    const record = this.records.get(txid);
    if (record?.status !== "pending") return false;
    const { sender, nonce } = record.decoded;
    const senderPending = this.pending.get(sender);
    if (senderPending?.get(nonce) !== record) return false;
    senderPending.delete(nonce);
    if (senderPending.size === 0) this.pending.delete(sender);
    record.status = "dropped_stale_garbage_collect";
    // The mempool log is replayed on start; without this the dropped transaction would come back.
    this.log?.rewriteMempool(this.pendingHexes());
    return true;
  }

  requiredFee(byteLength: number): bigint {
    const perByte = BigInt(byteLength);
    return perByte > this.options.minFeeUstx ? perByte : this.options.minFeeUstx;
  }

  private checkPayload(decoded: DecodedTransaction): void {
    const { payload, sender, txid } = decoded;
    if (payload.kind === "token_transfer") {
      if (payload.amountUstx <= 0n)
        throw new MempoolRejection("TransferAmountMustBePositive", undefined, "amount must be positive", txid);
      if (payload.recipient === sender) {
        throw new MempoolRejection(
          "TransferRecipientCannotEqualSender",
          { recipient: payload.recipient },
          "recipient is the sender",
          txid,
        );
      }
      return;
    }
    if (payload.kind === "smart_contract") {
      if (this.interfaces().has(payload.contractId)) {
        throw new MempoolRejection(
          "ContractAlreadyExists",
          { contract_identifier: payload.contractId },
          `${payload.contractId} exists`,
          txid,
        );
      }
      return;
    }
    const contract = this.interfaces().get(payload.contractId);
    if (!contract) throw new MempoolRejection("NoSuchContract", undefined, `no contract ${payload.contractId}`, txid);
    const fn = contract.functions.find((candidate) => candidate.name === payload.functionName);
    if (!fn || fn.access !== "public") {
      throw new MempoolRejection("NoSuchPublicFunction", undefined, `no public function ${payload.functionName}`, txid);
    }
    if (fn.args.length !== payload.args.length) {
      const message = `${payload.functionName} takes ${fn.args.length} arguments, got ${payload.args.length}`;
      throw new MempoolRejection("BadFunctionArgument", { message }, message, txid);
    }
    for (const [index, arg] of fn.args.entries()) {
      const mismatch = argumentMismatch(payload.args[index]!, arg.type, arg.name);
      if (mismatch) throw new MempoolRejection("BadFunctionArgument", { message: mismatch }, mismatch, txid);
    }
  }

  // Mining

  /** Mines one block with the mempool's ready transactions; resolves to the new tip height. */
  mineBlock(): Promise<number> {
    return this.queued(() => this.mineNow());
  }

  /** Mining and forks change the tip, so they run one at a time, in the order asked. */
  private queued<T>(run: () => Promise<T>): Promise<T> {
    this.miningCount += 1;
    const result = this.miningQueue.then(run).finally(() => (this.miningCount -= 1));
    this.miningQueue = result.catch(() => undefined);
    return result;
  }

  /** Stops preparing spare simnets; the chain is no longer used after its server stopped. */
  close(): void {
    this.closed = true;
    this.spare = undefined;
  }

  /** Resolves once every queued block has been mined. */
  drain(): Promise<void> {
    return this.miningQueue.then(() => undefined);
  }

  /** Whether a block is being mined, so an interval timer can skip a tick instead of queueing. */
  get isMining(): boolean {
    return this.miningCount > 0;
  }

  private async mineNow(candidates: DecodedTransaction[] = this.selectReady()): Promise<number> {
    if (candidates.length === 0) {
      quietly(() => this.simnet.mineEmptyBlock());
      this.recordBlockMeta(nowSeconds());
      this.log?.writeTip({ height: this.tipHeight, time: this.blockTimes[this.tipHeight]! });
      return this.tipHeight;
    }
    const aborts = new Map<string, LoggedAbort>();
    for (;;) {
      const entries = candidates.map((decoded) => ({ decoded, feeOnly: aborts.has(decoded.txid) }));
      let results: (SimnetCallResult | undefined)[];
      try {
        results = executeBlock(this.simnet, entries);
      } catch {
        await this.rebuild();
        const droppedSenders = new Set<string>();
        for (const decoded of candidates) {
          if (droppedSenders.has(decoded.sender)) continue;
          if (!(await this.mineIsolated(decoded, aborts.get(decoded.txid)))) droppedSenders.add(decoded.sender);
        }
        return this.tipHeight;
      }
      const failures = this.postConditionFailures(entries, results);
      if (failures.size === 0) {
        this.commitBlock(entries, results, aborts, nowSeconds(), false);
        return this.tipHeight;
      }
      for (const [txid, abort] of failures) aborts.set(txid, abort);
      await this.rebuild();
    }
  }

  /**
   * After a block threw, each transaction gets a block of its own so the one that
   * throws is found. Resolves to false when the transaction had to be dropped.
   */
  private async mineIsolated(decoded: DecodedTransaction, knownAbort: LoggedAbort | undefined): Promise<boolean> {
    let abort = knownAbort;
    if (!abort) {
      const full = [{ decoded, feeOnly: false }];
      try {
        const results = executeBlock(this.simnet, full);
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
      const results = executeBlock(this.simnet, feeOnly);
      this.commitBlock(feeOnly, results, new Map([[decoded.txid, abort]]), nowSeconds(), false);
      return true;
    } catch (error) {
      await this.rebuild();
      this.drop(decoded, errorMessage(error));
      return false;
    }
  }

  private drop(decoded: DecodedTransaction, reason: string): void {
    const record = this.records.get(decoded.txid);
    if (record) {
      record.status = "dropped_problematic";
      record.vmError = reason;
    }
    this.pending.get(decoded.sender)?.delete(decoded.nonce);
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

  private selectReady(): DecodedTransaction[] {
    const balances = this.simnet.getAssetsMap().get("STX") ?? new Map<string, bigint>();
    const chosen: { record: TxRecord; key: number }[] = [];
    for (const [sender, byNonce] of this.pending) {
      let nonce = this.nextNonces.get(sender) ?? 0n;
      let spendable = balances.get(sender) ?? 0n;
      let key = 0;
      for (let record = byNonce.get(nonce); record; record = byNonce.get(nonce)) {
        if (record.decoded.feeUstx > spendable) break;
        spendable -= record.decoded.feeUstx;
        key = Math.max(key, record.arrival);
        chosen.push({ record, key });
        nonce += 1n;
      }
    }
    chosen.sort((a, b) => a.key - b.key || (a.record.decoded.nonce < b.record.decoded.nonce ? -1 : 1));
    return chosen.slice(0, MAX_TRANSACTIONS_PER_BLOCK).map(({ record }) => record.decoded);
  }

  private recordBlockMeta(time: number): void {
    const height = this.simnet.blockHeight;
    const burnHeight = this.simnet.burnBlockHeight;
    for (let gap = this.blockTimes.length; gap < height; gap += 1) {
      this.blockTimes[gap] = time;
      this.burnHeights[gap] = burnHeight - (height - gap);
    }
    this.blockTimes[height] = time;
    this.burnHeights[height] = burnHeight;
  }

  private commitBlock(
    entries: BlockEntry[],
    results: (SimnetCallResult | undefined)[],
    aborts: Map<string, LoggedAbort>,
    time: number,
    replaying: boolean,
  ): void {
    this.recordBlockMeta(time);
    const height = this.simnet.blockHeight;
    const txids = entries.map((entry) => entry.decoded.txid);
    let deployed = false;
    entries.forEach(({ decoded }, index) => {
      const record = this.records.get(decoded.txid) ?? this.newRecord(decoded, time);
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
        if (ok) this.indexEvents(decoded.txid, outcome.events);
        if (ok && decoded.payload.kind === "smart_contract") deployed = true;
      }
      record.blockHeight = height;
      record.txIndex = index;
      this.decodedByTxid.set(decoded.txid, decoded);
      this.nextNonces.set(decoded.sender, decoded.nonce + 1n);
      this.feesPaid.set(decoded.sender, (this.feesPaid.get(decoded.sender) ?? 0n) + decoded.feeUstx);
      const senderPending = this.pending.get(decoded.sender);
      senderPending?.delete(decoded.nonce);
      if (senderPending?.size === 0) this.pending.delete(decoded.sender);
    });
    if (deployed) this.interfaceCache = undefined;
    const parentHash = this.blockHash(height - 1);
    this.blocksWithTxs.set(height, {
      height,
      hash: this.blockHash(height, txids),
      parentHash,
      time,
      burnHeight: this.burnHeights[height]!,
      txids,
    });
    const logged: LoggedBlock = {
      height,
      time,
      burnHeight: this.burnHeights[height]!,
      txs: entries.map(({ decoded }) => {
        const abort = aborts.get(decoded.txid);
        return abort ? { hex: decoded.hex, abort } : { hex: decoded.hex };
      }),
    };
    this.committedBlocks.push(logged);
    if (!replaying && this.log) {
      this.log.appendBlock(logged);
      this.log.writeTip({ height, time });
      this.minedSinceCompaction += entries.length;
      if (this.minedSinceCompaction >= MEMPOOL_COMPACTION_INTERVAL) {
        this.minedSinceCompaction = 0;
        this.log.rewriteMempool(this.pendingHexes());
      }
    }
  }

  private newRecord(decoded: DecodedTransaction, time: number): TxRecord {
    const record: TxRecord = {
      decoded,
      receiptTime: time,
      arrival: (this.arrivals += 1),
      status: "pending",
      resultHex: null,
      resultRepr: null,
      events: [],
      blockHeight: null,
      txIndex: null,
      vmError: null,
    };
    this.records.set(decoded.txid, record);
    return record;
  }

  private indexEvents(txid: string, events: SimnetEvent[]): void {
    events.forEach((event, eventIndex) => {
      if (event.event === "print_event") {
        const contractId = String(event.data.contract_identifier);
        const refs = this.contractLogs.get(contractId);
        if (refs) refs.push({ txid, eventIndex });
        else this.contractLogs.set(contractId, [{ txid, eventIndex }]);
      } else if (event.event === "stx_transfer_event") {
        const amount = BigInt(String(event.data.amount));
        const sender = String(event.data.sender);
        const recipient = String(event.data.recipient);
        this.stxSent.set(sender, (this.stxSent.get(sender) ?? 0n) + amount);
        this.stxReceived.set(recipient, (this.stxReceived.get(recipient) ?? 0n) + amount);
      }
    });
  }

  // Forks

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
  async fork(options: unknown): Promise<ForkResult> {
    const checked = checkForkOptions(options);
    return this.queued(() => this.exclusively(() => this.forkNow(checked)));
  }

  private async forkNow({ depth, keep, blocks }: ReturnType<typeof checkForkOptions>): Promise<ForkResult> {
    const oldTip = this.tipHeight;
    const forkHeight = oldTip - depth + 1;
    // Below genesis lies the deployment of the manifest's contracts, which no replay can redo.
    if (forkHeight <= this.genesisHeight) {
      throw new ForkError(
        `depth ${depth} reaches below the first block after genesis (tip ${oldTip}, genesis ${this.genesisHeight})`,
      );
    }
    const orphaned: BlockInfo[] = [];
    for (let height = forkHeight; height <= oldTip; height += 1)
      orphaned.push({ ...this.block(height)!, canonical: false });
    const orphanedTxids = orphaned.flatMap((block) => block.txids);
    const kept = this.keptTransactions(orphanedTxids, keep);

    const simnet = await this.freshSimnet();
    const retained = this.committedBlocks.filter((block) => block.height < forkHeight);
    this.committedBlocks.length = 0;
    this.blocksWithTxs.clear();
    this.contractLogs.clear();
    this.nextNonces.clear();
    this.feesPaid.clear();
    this.stxSent.clear();
    this.stxReceived.clear();
    this.blockTimes.length = forkHeight;
    this.burnHeights.length = forkHeight;
    this.simnet = simnet;
    this.interfaceCache = undefined;
    // Every counter above is rebuilt by recording the retained blocks again.
    for (const block of retained) this.replayBlock(block);
    this.advanceTo(this.simnet, forkHeight - 1);
    if (this.simnet.blockHeight !== forkHeight - 1) {
      throw new Error(`REPLAY_DIVERGED: fork point ${forkHeight - 1} replayed at height ${this.simnet.blockHeight}`);
    }
    for (const txid of orphanedTxids) {
      const record = this.records.get(txid)!;
      record.status = "pending";
      record.resultHex = null;
      record.resultRepr = null;
      record.events = [];
      record.blockHeight = null;
      record.txIndex = null;
      record.vmError = null;
    }
    this.forkHeights.push(forkHeight);
    for (const block of orphaned) this.orphanedBlocks.set(block.hash, block);
    const forkTime = nowSeconds();
    if (this.log) {
      this.log.appendFork({
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
      this.log.writeTip({ height: forkHeight - 1, time: this.blockTimes[forkHeight - 1]! });
    }

    const newTipHeight = forkHeight - 1 + blocks;
    await this.mineNow(kept.map((txid) => this.records.get(txid)!.decoded));
    // The rest of the branch is empty blocks. (A first block that threw has been mined
    // again one transaction per block and may have used more heights already.)
    if (this.tipHeight < newTipHeight) {
      quietly(() => this.simnet.mineEmptyBlocks(newTipHeight - this.tipHeight));
      this.recordBlockMeta(nowSeconds());
      this.log?.writeTip({ height: this.tipHeight, time: this.blockTimes[this.tipHeight]! });
    }

    const returned: string[] = [];
    const dropped: string[] = [];
    for (const txid of orphanedTxids) {
      const record = this.records.get(txid)!;
      if (record.blockHeight !== null) continue;
      if (kept.includes(txid) || !this.returnToMempool(record)) dropped.push(txid);
      else returned.push(txid);
    }
    this.log?.rewriteMempool(this.pendingHexes());
    const tip = this.block(this.tipHeight)!;
    const hex = (txid: string) => `0x${txid}`;
    return {
      orphaned: orphaned.map((block) => ({ height: block.height, hash: block.hash, txids: block.txids.map(hex) })),
      newTip: { height: tip.height, hash: tip.hash },
      reincluded: kept.filter((txid) => this.records.get(txid)!.blockHeight !== null).map(hex),
      returnedToMempool: returned.map(hex),
      dropped: dropped.map(hex),
    };
  }

  /**
   * The orphaned txids the new branch mines again, in their old order. A sender's
   * transactions run in nonce order, so a kept one needs every earlier orphaned
   * one of its sender kept too.
   */
  private keptTransactions(orphanedTxids: string[], keep: "all" | Set<string>): string[] {
    if (keep === "all") return orphanedTxids;
    const orphanedSet = new Set(orphanedTxids);
    for (const txid of keep) {
      if (!orphanedSet.has(txid)) throw new ForkError(`0x${txid} is not in the orphaned blocks`);
    }
    const firstLeftOut = new Map<string, DecodedTransaction>();
    for (const txid of orphanedTxids) {
      const decoded = this.records.get(txid)!.decoded;
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

  /**
   * Puts an orphaned transaction back among the pending ones with its original
   * arrival, so it is mined before later arrivals. Refused (and dropped as
   * replaced across the fork, the API's status for it) when the new branch has
   * already used its nonce or another pending transaction holds it.
   */
  private returnToMempool(record: TxRecord): boolean {
    const { sender, nonce } = record.decoded;
    const senderPending = this.pending.get(sender);
    if (nonce < this.nextNonce(sender) || senderPending?.has(nonce)) {
      record.status = "dropped_replace_across_fork";
      return false;
    }
    if (senderPending) senderPending.set(nonce, record);
    else this.pending.set(sender, new Map([[nonce, record]]));
    return true;
  }

  // Rebuild and replay

  /**
   * Keeps HTTP requests waiting (whenIdle) while the chain's state is being
   * replaced; a rebuild inside a fork runs under the fork's hold.
   */
  private async exclusively<T>(run: () => Promise<T>): Promise<T> {
    if (this.rebuilding) return run();
    let finish: () => void = () => undefined;
    this.rebuilding = new Promise<void>((resolve) => (finish = resolve));
    try {
      return await run();
    } finally {
      this.rebuilding = undefined;
      finish();
    }
  }

  private async rebuild(): Promise<void> {
    await this.exclusively(async () => {
      const tip = this.tipHeightCommitted();
      const simnet = await this.freshSimnet();
      for (const block of this.committedBlocks) {
        this.advanceTo(simnet, block.height - 1);
        executeBlock(
          simnet,
          block.txs.map((logged) => this.entryFor(logged)),
        );
        if (simnet.blockHeight !== block.height) {
          throw new Error(`REPLAY_DIVERGED: block ${block.height} replayed at height ${simnet.blockHeight}`);
        }
      }
      this.advanceTo(simnet, tip);
      this.simnet = simnet;
      this.interfaceCache = undefined;
    });
    this.prepareSpare();
  }

  /**
   * Aborts come in bursts (a test suite exercising post-conditions, say), so after
   * a rebuild a genesis simnet is started in the background for the next one.
   */
  private prepareSpare(): void {
    if (this.closed) return;
    const spare = createSimnet(this.options.manifestPath);
    spare.catch(() => undefined);
    this.spare = spare;
  }

  private async freshSimnet(): Promise<Simnet> {
    const spare = this.spare;
    this.spare = undefined;
    if (spare) {
      try {
        return await spare;
      } catch {
        // A failed spare is no worse than having none.
      }
    }
    return createSimnet(this.options.manifestPath);
  }

  private tipHeightCommitted(): number {
    return this.blockTimes.length - 1;
  }

  private advanceTo(simnet: Simnet, height: number): void {
    if (simnet.blockHeight < height) quietly(() => simnet.mineEmptyBlocks(height - simnet.blockHeight));
  }

  private entryFor(logged: { hex: string; abort?: LoggedAbort }): BlockEntry {
    const txid = createHash("sha512-256").update(Buffer.from(logged.hex, "hex")).digest("hex");
    const decoded = this.decodedByTxid.get(txid) ?? decodeTransaction(logged.hex, true);
    return { decoded, feeOnly: logged.abort !== undefined };
  }

  /** Runs a logged block in the current simnet and records it as mined (without logging it again). */
  private replayBlock(block: LoggedBlock): void {
    this.advanceTo(this.simnet, block.height - 1);
    const entries = block.txs.map((logged) => this.entryFor(logged));
    const results = executeBlock(this.simnet, entries);
    if (this.simnet.blockHeight !== block.height) {
      throw new Error(`REPLAY_DIVERGED: block ${block.height} replayed at height ${this.simnet.blockHeight}`);
    }
    const aborts = new Map<string, LoggedAbort>();
    block.txs.forEach((logged, index) => {
      if (logged.abort) aborts.set(entries[index]!.decoded.txid, logged.abort);
    });
    this.commitBlock(entries, results, aborts, block.time, true);
  }

  /** Rebuilds the chain from the data directory's log, if there is one. */
  private replayLog(): void {
    if (!this.log) return;
    const { blocks, forks } = this.log.readChain();
    // Known before any block is replayed: the canonical blocks' hashes count every fork at or below them.
    for (const fork of forks) {
      this.forkHeights.push(fork.height);
      for (const orphan of fork.orphaned) this.orphanedBlocks.set(orphan.hash, { ...orphan, canonical: false });
    }
    for (const block of blocks) this.replayBlock(block);
    const tip = this.log.readTip();
    if (tip && tip.height > this.simnet.blockHeight) {
      this.advanceTo(this.simnet, tip.height);
      this.recordBlockMeta(tip.time);
    }
    const mempool = this.log.readMempool();
    for (const hex of mempool) {
      try {
        this.submit(hex);
      } catch {
        // Mined, superseded or no longer valid: a node would have evicted it too.
      }
    }
    this.log.rewriteMempool(this.pendingHexes());
  }

  private pendingHexes(): string[] {
    return [...this.pending.values()].flatMap((byNonce) => [...byNonce.values()].map((record) => record.decoded.hex));
  }

  // Reads

  interfaces(): Map<string, ContractInterface> {
    this.interfaceCache ??= this.simnet.getContractsInterfaces() as unknown as Map<string, ContractInterface>;
    return this.interfaceCache;
  }

  contractSource(contractId: string): string | undefined {
    return this.simnet.getContractSource(contractId);
  }

  stxBalance(principal: string): bigint {
    return this.simnet.getAssetsMap().get("STX")?.get(principal) ?? 0n;
  }

  stxTotals(principal: string): { sent: bigint; received: bigint; fees: bigint } {
    return {
      sent: this.stxSent.get(principal) ?? 0n,
      received: this.stxReceived.get(principal) ?? 0n,
      fees: this.feesPaid.get(principal) ?? 0n,
    };
  }

  nextNonce(principal: string): bigint {
    return this.nextNonces.get(principal) ?? 0n;
  }

  nonceInfo(principal: string): NonceInfo {
    const next = this.nextNonce(principal);
    const pendingNonces = [...(this.pending.get(principal)?.keys() ?? [])].sort((a, b) => (a < b ? -1 : 1));
    const lastMempool = pendingNonces.length > 0 ? pendingNonces[pendingNonces.length - 1]! : undefined;
    const missing: number[] = [];
    if (lastMempool !== undefined) {
      const present = new Set(pendingNonces);
      for (let nonce = lastMempool - 1n; nonce >= next; nonce -= 1n) {
        if (!present.has(nonce)) missing.push(Number(nonce));
      }
    }
    return {
      last_executed_tx_nonce: next > 0n ? Number(next - 1n) : null,
      last_mempool_tx_nonce: lastMempool === undefined ? null : Number(lastMempool),
      possible_next_nonce: Number(lastMempool !== undefined && lastMempool >= next ? lastMempool + 1n : next),
      detected_missing_nonces: missing,
      detected_mempool_nonces: pendingNonces.map(Number).reverse(),
    };
  }

  pendingRecords(): TxRecord[] {
    return [...this.pending.values()].flatMap((byNonce) => [...byNonce.values()]).sort((a, b) => b.arrival - a.arrival);
  }

  callReadOnly(contractId: string, functionName: string, argsHex: string[], sender: string): ReadOnlyOutcome {
    const contract = this.interfaces().get(contractId);
    if (!contract) return { okay: false, cause: `Unchecked(NoSuchContract("${contractId}"))` };
    const fn = contract.functions.find((candidate) => candidate.name === functionName);
    if (!fn) return { okay: false, cause: `Unchecked(NoSuchPublicFunction("${contractId}", "${functionName}"))` };
    let args: ClarityValue[];
    try {
      args = argsHex.map((hex) => hexToCV(hex));
    } catch (error) {
      return { okay: false, cause: `Unchecked(DeserializationError: ${errorMessage(error)})` };
    }
    if (args.length !== fn.args.length) {
      return { okay: false, cause: `Unchecked(IncorrectArgumentCount(${fn.args.length}, ${args.length}))` };
    }
    for (const [index, arg] of fn.args.entries()) {
      const mismatch = argumentMismatch(args[index]!, arg.type, arg.name);
      if (mismatch) return { okay: false, cause: `Unchecked(TypeValueError: ${mismatch})` };
    }
    try {
      const { result } = quietly(() => this.simnet.callReadOnlyFn(contractId, functionName, args as never, sender));
      return { okay: true, result: cvToHex(result as unknown as ClarityValue) };
    } catch (error) {
      return { okay: false, cause: errorMessage(error) };
    }
  }

  dataVar(contractId: string, name: string): string | undefined {
    try {
      return cvToHex(quietly(() => this.simnet.getDataVar(contractId, name)) as unknown as ClarityValue);
    } catch {
      return undefined;
    }
  }

  mapEntry(contractId: string, map: string, keyHex: string): string | undefined {
    try {
      const key = hexToCV(keyHex);
      return cvToHex(quietly(() => this.simnet.getMapEntry(contractId, map, key as never)) as unknown as ClarityValue);
    } catch {
      return undefined;
    }
  }

  // Blocks

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
    return height <= this.tipHeight && this.blockHash(height) === `0x${hex}` ? height : undefined;
  }

  block(height: number): BlockInfo | undefined {
    if (!Number.isInteger(height) || height < 0 || height > this.tipHeight) return undefined;
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
