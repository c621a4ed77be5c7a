// The devnet's chain: a mempool with the node's admission rules, blocks mined
// into the simnet, post-conditions enforced after the fact, and the record of
// every transaction and block that the HTTP API serves. This composes the
// parts (see block-production.ts for mining and its rebuilds, chain-fork.ts for
// forks) and runs what changes the tip one at a time.
import { AccountLedger } from "./account-ledger.js";
import { BlockIndex, type BlockInfo } from "./block-index.js";
import { BlockProducer } from "./block-production.js";
import { forkChain } from "./chain-fork.js";
import { ChainLog, projectFingerprint } from "./chain-log.js";
import type { ChainParts } from "./chain-parts.js";
import { CommittedBlocks } from "./committed-blocks.js";
import { checkForkOptions, type ForkResult } from "./fork.js";
import { Mempool } from "./mempool.js";
import { MempoolRejection } from "./mempool-rejection.js";
import { SimnetHost, type ContractInterface } from "./simnet-host.js";
import { callReadOnly, dataVar, mapEntry, stxBalance, type ReadOnlyOutcome } from "./simnet-reads.js";
import { advanceTo, createSimnet, type Simnet } from "./simnet-session.js";
import { decodeTransaction } from "./transaction-decoder.js";
import { TransactionHistory, type ContractLogRef, type TxRecord } from "./transaction-history.js";

export interface ChainOptions {
  manifestPath: string;
  minFeeUstx: bigint;
  dataDir?: string;
}

export class DevnetChain {
  readonly records: Map<string, TxRecord>;
  readonly contractLogs: Map<string, ContractLogRef[]>;
  readonly genesisHeight: number;
  private readonly parts: ChainParts;
  private readonly producer: BlockProducer;
  private miningCount = 0;
  private miningQueue: Promise<unknown> = Promise.resolve();

  private constructor(simnet: Simnet, options: ChainOptions) {
    const log = options.dataDir ? new ChainLog(options.dataDir) : undefined;
    const host = new SimnetHost(simnet, options.manifestPath);
    const history = new TransactionHistory();
    const ledger = new AccountLedger();
    this.parts = {
      host,
      blocks: new BlockIndex(() => host.simnet.blockHeight, simnet.blockHeight, simnet.burnBlockHeight),
      history,
      ledger,
      mempool: new Mempool(history, ledger, host, log, options.minFeeUstx),
      committed: new CommittedBlocks(),
      log,
    };
    this.producer = new BlockProducer(this.parts);
    this.records = history.records;
    this.contractLogs = history.contractLogs;
    this.genesisHeight = simnet.blockHeight;
  }

  static async open(options: ChainOptions): Promise<DevnetChain> {
    if (options.dataDir) new ChainLog(options.dataDir).checkGenesis(projectFingerprint(options.manifestPath));
    const chain = new DevnetChain(await createSimnet(options.manifestPath), options);
    chain.replayLog();
    return chain;
  }

  get tipHeight(): number {
    return this.parts.host.simnet.blockHeight;
  }

  get simnetAccounts(): Map<string, string> {
    return this.parts.host.simnet.getAccounts();
  }

  /** Resolves when the simnet is consistent (not in the middle of a rebuild). */
  whenIdle(): Promise<void> {
    return this.parts.host.whenIdle();
  }

  // Admission

  /** Admits a transaction to the mempool or throws a MempoolRejection; returns the txid. */
  submit(raw: string | Uint8Array): string {
    const decoded = decodeTransaction(raw);
    try {
      this.parts.mempool.admit(decoded);
    } catch (error) {
      if (error instanceof MempoolRejection) error.txid ??= decoded.txid;
      throw error;
    }
    return decoded.txid;
  }

  /**
   * Evicts a pending transaction as a node's mempool garbage collection does
   * (status dropped_stale_garbage_collect). It can be broadcast again later.
   * Returns false when the transaction is not pending.
   */
  dropPending(txid: string): boolean {
    return this.parts.mempool.dropPending(txid);
  }

  requiredFee(byteLength: number): bigint {
    return this.parts.mempool.requiredFee(byteLength);
  }

  // Mining and forks

  /** Mines one block with the mempool's ready transactions; resolves to the new tip height. */
  mineBlock(): Promise<number> {
    return this.queued(() => this.producer.mineNow());
  }

  /**
   * Orphans the top `depth` blocks and mines a longer competing branch from the
   * block below them; see forkChain.
   */
  async fork(options: unknown): Promise<ForkResult> {
    const checked = checkForkOptions(options);
    return this.queued(() =>
      this.parts.host.exclusively(() => forkChain(this.parts, this.producer, this.genesisHeight, checked)),
    );
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
    this.parts.host.close();
  }

  /** Resolves once every queued block has been mined. */
  drain(): Promise<void> {
    return this.miningQueue.then(() => undefined);
  }

  /** Whether a block is being mined, so an interval timer can skip a tick instead of queueing. */
  get isMining(): boolean {
    return this.miningCount > 0;
  }

  /** Rebuilds the chain from the data directory's log, if there is one. */
  private replayLog(): void {
    const { host, blocks, mempool, log } = this.parts;
    if (!log) return;
    const chain = log.readChain();
    // Known before any block is replayed: the canonical blocks' hashes count every fork at or below them.
    for (const fork of chain.forks) blocks.recordFork(fork.height, fork.orphaned);
    for (const block of chain.blocks) this.producer.replayBlock(block);
    const tip = log.readTip();
    if (tip && tip.height > host.simnet.blockHeight) {
      advanceTo(host.simnet, tip.height);
      this.producer.recordBlockMeta(tip.time);
    }
    for (const hex of log.readMempool()) {
      try {
        this.submit(hex);
      } catch {
        // Mined, superseded or no longer valid: a node would have evicted it too.
      }
    }
    log.rewriteMempool(mempool.pendingHexes());
  }

  // Reads

  interfaces(): Map<string, ContractInterface> {
    return this.parts.host.interfaces();
  }

  contractSource(contractId: string): string | undefined {
    return this.parts.host.simnet.getContractSource(contractId);
  }

  stxBalance(principal: string): bigint {
    return stxBalance(this.parts.host.simnet, principal);
  }

  stxTotals(principal: string): { sent: bigint; received: bigint; fees: bigint } {
    return this.parts.ledger.stxTotals(principal);
  }

  nextNonce(principal: string): bigint {
    return this.parts.ledger.nextNonce(principal);
  }

  pendingRecords(): TxRecord[] {
    return this.parts.mempool.pendingRecords();
  }

  callReadOnly(contractId: string, functionName: string, argsHex: string[], sender: string): ReadOnlyOutcome {
    const { host } = this.parts;
    return callReadOnly(host.simnet, host.interfaces(), contractId, functionName, argsHex, sender);
  }

  dataVar(contractId: string, name: string): string | undefined {
    return dataVar(this.parts.host.simnet, contractId, name);
  }

  mapEntry(contractId: string, map: string, keyHex: string): string | undefined {
    return mapEntry(this.parts.host.simnet, contractId, map, keyHex);
  }

  // Blocks

  /** See BlockIndex.blockHash: a hash carries its height and tells a fork's branches apart. */
  blockHash(height: number, txids?: string[]): string {
    return this.parts.blocks.blockHash(height, txids);
  }

  /** A block a fork orphaned, by its hash. */
  orphanedBlock(hash: string): BlockInfo | undefined {
    return this.parts.blocks.orphanedBlock(hash);
  }

  heightOfHash(hash: string): number | undefined {
    return this.parts.blocks.heightOfHash(hash);
  }

  block(height: number): BlockInfo | undefined {
    return this.parts.blocks.block(height);
  }
}
