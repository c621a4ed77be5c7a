import type { StacksNetwork } from "@stacks/network";
import { makeUnsignedContractCall, PostConditionMode, type StacksTransactionWire } from "@stacks/transactions";
import { AsyncMutex } from "./async-mutex.js";
import { BroadcastRejectedError, ChainError } from "./chain-error.js";
import type { ContractCall, SubmitOptions, SubmittedTransaction } from "./contract-call.js";
import type { FeeEstimator } from "./fee-estimator.js";
import type { NonceStore } from "./nonce-store.js";
import type { Signer } from "./signer.js";
import type { StacksApi } from "./stacks-api.js";
import { normalizeTxid } from "./confirmation-tracker.js";
import { inSpan } from "./tracing.js";
import { WakeSignal } from "./wake-signal.js";

export interface TransactionSenderOptions {
  /** How many unconfirmed transactions one sender may chain; a Stacks node's mempool accepts 25. */
  maxChainedTransactions?: number;
  nonceStore?: NonceStore;
  /** How often to re-read the account while the chain is full, ms. */
  pollIntervalMs?: number;
  /** Retries after a nonce conflict or a full chain before giving up. */
  maxBroadcastAttempts?: number;
  /** How long a call may wait for a free slot in a full chain before failing, ms. */
  capacityTimeoutMs?: number;
  /**
   * A call that uses up a nonce and changes nothing (it always fails with a contract
   * error), sent to fill a nonce gap this sender holds no transaction for, such as a
   * dropped transaction's or one lost before a restart. Without it such gaps are
   * reported as NONCE_GAP, not filled.
   */
  gapFiller?: ContractCall;
}

interface InFlight {
  nonce: bigint;
  txid: string;
  txHex: string;
  call: ContractCall | undefined;
  feeUstx: bigint;
  beforeBroadcast: SubmitOptions["beforeBroadcast"];
}

/** A transaction this signer signed earlier, perhaps in a process that is gone. */
export interface EarlierTransaction {
  txid: string;
  nonce: bigint;
}

const RETRY_REASONS = new Set(["BadNonce", "ConflictingNonceInMempool", "TooMuchChaining", "FeeTooLow"]);
// Refusals that say another transaction has the nonce (executed, or waiting in the mempool).
const NONCE_TAKEN = new Set(["BadNonce", "ConflictingNonceInMempool"]);

/**
 * Signs and broadcasts one signer's transactions with consecutive nonces, many in
 * flight at once. Nonce assignment, signing and broadcast are serialised per signer
 * so that a refused broadcast gives its nonce back before the next caller takes one.
 */
export class TransactionSender {
  readonly address: string;
  #next: bigint | undefined;
  readonly #inFlight = new Map<bigint, InFlight>();
  readonly #byTxid = new Map<string, InFlight>();
  readonly #replacedBy = new Map<string, string>();
  readonly #mutex = new AsyncMutex();
  readonly #capacity = new WakeSignal();
  readonly #maxChain: number;
  readonly #pollMs: number;
  readonly #maxAttempts: number;
  #queued = 0;

  constructor(
    private readonly api: StacksApi,
    private readonly network: StacksNetwork,
    readonly signer: Signer,
    private readonly fees: FeeEstimator,
    private readonly options: TransactionSenderOptions = {},
  ) {
    this.address = signer.address;
    this.#maxChain = options.maxChainedTransactions ?? 25;
    this.#pollMs = options.pollIntervalMs ?? 500;
    this.#maxAttempts = options.maxBroadcastAttempts ?? 8;
  }

  /** Transactions this sender broadcast that are not yet known to be final. */
  get inFlightCount(): number {
    return this.#inFlight.size;
  }

  /** Transactions in flight plus calls waiting to be signed: what a pool balances on. */
  get load(): number {
    return this.#inFlight.size + this.#queued;
  }

  /** The nonce the next transaction will use, once synced. */
  get nextNonce(): bigint | undefined {
    return this.#next;
  }

  /** Reads the account from the node (and the nonce store): call once on start, before the first submit. */
  async start(): Promise<void> {
    await this.#mutex.run(() => this.#sync());
  }

  async submit(call: ContractCall, options: SubmitOptions = {}): Promise<SubmittedTransaction> {
    return inSpan(
      `chain.submit ${call.contract.name}::${call.functionName}`,
      { "chain.contract": call.contract.id, "chain.function": call.functionName, "chain.sender": this.address },
      async (span) => {
        this.#queued += 1;
        let submitted: SubmittedTransaction;
        try {
          const feeUstx = await this.#feeFor(call);
          submitted = await this.#mutex.run(() => this.#broadcastNext(call, feeUstx, options.beforeBroadcast));
        } finally {
          this.#queued -= 1;
        }
        span.setAttributes({ "chain.txid": submitted.txid, "chain.nonce": Number(submitted.nonce) });
        return submitted;
      },
    );
  }

  /**
   * Sends `call` in place of `earlier`, a transaction of this signer whose fate the
   * node cannot tell (a process stopped around its broadcast, or the node dropped it),
   * so that at most one of the two ever confirms:
   * - the node knows `earlier`, or this sender still holds it: it is returned, to follow;
   * - another transaction executed its nonce: it can never confirm; `call` takes the next nonce;
   * - its nonce is free: `call` is signed at that very nonce, which supersedes it;
   * - another transaction waits at its nonce (or took it meanwhile): NONCE_BUSY, to ask again once that settles.
   * A signed transaction's bytes live only in the process that signed it, so once that
   * process is gone, superseding its nonce is what keeps it off the chain for good.
   */
  async replace(
    earlier: EarlierTransaction,
    call: ContractCall,
    options: SubmitOptions = {},
  ): Promise<SubmittedTransaction> {
    const feeUstx = await this.#feeFor(call);
    const txid = normalizeTxid(earlier.txid);
    return this.#mutex.run(async () => {
      const held = this.#byTxid.get(this.currentTxid(txid));
      if (held) return this.#describe(held);
      const known = await this.api.getTransaction(txid, 0);
      if (known && !known.tx_status.startsWith("dropped")) {
        return this.#describe({
          nonce: earlier.nonce,
          txid,
          txHex: "",
          call,
          feeUstx: BigInt(known.fee_rate ?? 0),
          beforeBroadcast: undefined,
        });
      }
      const nonces = await this.api.getNonces(this.address);
      if (nonces.lastExecutedTxNonce !== null && earlier.nonce <= nonces.lastExecutedTxNonce) {
        return this.#broadcastNext(call, feeUstx, options.beforeBroadcast);
      }
      const waiting =
        (earlier.nonce < nonces.possibleNextNonce && !nonces.detectedMissingNonces.includes(earlier.nonce)) ||
        this.#inFlight.has(earlier.nonce);
      if (!waiting) {
        try {
          return await this.#sendAt(call, earlier.nonce, feeUstx, options.beforeBroadcast);
        } catch (error) {
          if (!(error instanceof BroadcastRejectedError && NONCE_TAKEN.has(error.reason))) throw error;
        }
      }
      throw new ChainError(
        "NONCE_BUSY",
        `Nonce ${earlier.nonce} of ${this.address}, that of ${txid}, is held by a transaction that is not final yet.`,
        { address: this.address, nonce: earlier.nonce.toString(), txid },
      );
    });
  }

  /** Forget a transaction that reached a final state: its slot in the chain is free again. */
  markFinal(txid: string): void {
    const record = this.#byTxid.get(txid);
    if (!record) return;
    this.#byTxid.delete(txid);
    if (this.#inFlight.get(record.nonce) === record) this.#inFlight.delete(record.nonce);
    this.#capacity.wake();
  }

  /** The transaction that now stands for `txid` (itself unless it had to be re-signed with another nonce). */
  currentTxid(txid: string): string {
    let current = txid;
    for (let next = this.#replacedBy.get(current); next !== undefined; next = this.#replacedBy.get(current))
      current = next;
    return current;
  }

  owns(txid: string): boolean {
    return this.#byTxid.has(txid) || this.#replacedBy.has(txid);
  }

  /**
   * A transaction of ours that the node does not know, or that waits behind a gap:
   * re-broadcast what the node is missing, re-sign what lost its nonce to another
   * transaction, and fill gaps we hold nothing for. Returns the txid to follow now.
   */
  async recover(txid: string): Promise<string> {
    return this.#mutex.run(async () => {
      const nonces = await this.api.getNonces(this.address);
      for (const missing of nonces.detectedMissingNonces) await this.#fillGap(missing);
      const current = this.currentTxid(txid);
      const record = this.#byTxid.get(current);
      if (!record) return current;
      if ((await this.api.getTransaction(current, 0)) !== null) return current;
      return this.#rebroadcastOrResign(record);
    });
  }

  async #fillGap(nonce: bigint): Promise<void> {
    const record = this.#inFlight.get(nonce);
    if (record) {
      await this.#rebroadcastOrResign(record);
      return;
    }
    const gapFiller = this.options.gapFiller;
    if (!gapFiller) {
      throw new ChainError(
        "NONCE_GAP",
        `Nonce ${nonce} of ${this.address} is missing on the node and no transaction is held for it.`,
        {
          address: this.address,
          nonce: nonce.toString(),
        },
      );
    }
    const filler = await this.#build(gapFiller, nonce, this.fees.policy.floorUstx);
    await this.signer.signTransaction(filler);
    await this.api.broadcast(filler.serialize()).catch((error: unknown) => {
      if (!(error instanceof BroadcastRejectedError && NONCE_TAKEN.has(error.reason))) throw error;
    });
  }

  async #rebroadcastOrResign(record: InFlight): Promise<string> {
    try {
      await this.api.broadcast(record.txHex);
      return record.txid;
    } catch (error) {
      if (!(error instanceof BroadcastRejectedError)) throw error;
      if ((await this.api.getTransaction(record.txid, 0)) !== null) return record.txid;
      if (!record.call || !NONCE_TAKEN.has(error.reason)) throw error;
      this.#forget(record);
      await this.#sync();
      const replacement = await this.#broadcastNext(record.call, record.feeUstx, record.beforeBroadcast);
      this.#replacedBy.set(record.txid, replacement.txid);
      return replacement.txid;
    }
  }

  async #broadcastNext(
    call: ContractCall,
    initialFeeUstx: bigint,
    beforeBroadcast: SubmitOptions["beforeBroadcast"],
  ): Promise<SubmittedTransaction> {
    let feeUstx = initialFeeUstx;
    if (this.#next === undefined) await this.#sync();
    for (let attempt = 1; ; attempt += 1) {
      await this.#waitForChainCapacity();
      const nonce = this.#next as bigint;
      try {
        return await this.#sendAt(call, nonce, feeUstx, beforeBroadcast);
      } catch (error) {
        const retry =
          error instanceof BroadcastRejectedError && RETRY_REASONS.has(error.reason) && attempt < this.#maxAttempts;
        if (!retry) throw error;
        feeUstx = await this.#handleRejection(error as BroadcastRejectedError, nonce, feeUstx);
      }
    }
  }

  /**
   * Signs `call` at `nonce`, hands the signed transaction to `beforeBroadcast`, then
   * broadcasts it. Throws the node's refusal, with the nonce still free.
   */
  async #sendAt(
    call: ContractCall,
    nonce: bigint,
    feeUstx: bigint,
    beforeBroadcast: SubmitOptions["beforeBroadcast"],
  ): Promise<SubmittedTransaction> {
    const transaction = await this.#build(call, nonce, feeUstx);
    await this.signer.signTransaction(transaction);
    const record: InFlight = {
      nonce,
      txid: transaction.txid(),
      txHex: transaction.serialize(),
      call,
      feeUstx,
      beforeBroadcast,
    };
    await beforeBroadcast?.(this.#describe(record));
    try {
      await this.api.broadcast(record.txHex);
    } catch (error) {
      // Unreachable, the node may or may not have it: keep the nonce, and let recovery re-broadcast it if it never arrived.
      if (!(error instanceof ChainError && error.code === "NODE_UNREACHABLE")) throw error;
    }
    return this.#record(record);
  }

  #feeFor(call: ContractCall): Promise<bigint> {
    if (call.feeUstx !== undefined) return Promise.resolve(call.feeUstx);
    return this.fees.feeFor(() => this.#build(call, 0n, 0n), `${call.contract.id}::${call.functionName}`);
  }

  async #handleRejection(error: BroadcastRejectedError, nonce: bigint, feeUstx: bigint): Promise<bigint> {
    if (error.reason === "FeeTooLow") {
      const expected = BigInt((error.reasonData as { expected?: number } | undefined)?.expected ?? 0);
      const raised = this.fees.clamp(expected > feeUstx ? expected : feeUstx * 2n);
      if (raised <= feeUstx) throw error;
      return raised;
    }
    if (error.reason === "TooMuchChaining") {
      await this.#capacity.wait(this.#pollMs);
      await this.#releaseConfirmed();
      return feeUstx;
    }
    // BadNonce or ConflictingNonceInMempool: the nonce is taken; move past it.
    await this.#sync(nonce + 1n);
    return feeUstx;
  }

  #record(record: InFlight): SubmittedTransaction {
    this.#inFlight.set(record.nonce, record);
    this.#byTxid.set(record.txid, record);
    if (this.#next === undefined || record.nonce >= this.#next) this.#next = record.nonce + 1n;
    void this.options.nonceStore?.save(this.address, record.nonce);
    return this.#describe(record);
  }

  #describe(record: InFlight): SubmittedTransaction {
    return {
      txid: record.txid,
      nonce: record.nonce,
      sender: this.address,
      feeUstx: record.feeUstx,
      contract: (record.call as ContractCall).contract,
      functionName: (record.call as ContractCall).functionName,
    };
  }

  #forget(record: InFlight): void {
    this.#inFlight.delete(record.nonce);
    this.#byTxid.delete(record.txid);
  }

  /**
   * next = the highest of the node's next nonce, the stored last nonce + 1, `atLeast`
   * and the current next: a nonce handed out once is never handed out again.
   */
  async #sync(atLeast = 0n): Promise<void> {
    const nonces = await this.api.getNonces(this.address);
    const stored = await this.options.nonceStore?.load(this.address);
    let next = nonces.possibleNextNonce;
    for (const candidate of [stored === undefined ? undefined : stored + 1n, atLeast, this.#next]) {
      if (candidate !== undefined && candidate > next) next = candidate;
    }
    this.#next = next;
  }

  /**
   * Waits while the chain is full. A confirmation seen by `markFinal` frees a slot at
   * once; re-reading the account (for transactions nobody waits on) is the slower fallback,
   * so a full chain does not poll the node on every tick.
   */
  async #waitForChainCapacity(): Promise<void> {
    const deadline = Date.now() + (this.options.capacityTimeoutMs ?? 300_000);
    let accountReadAt = 0;
    while (this.#inFlight.size >= this.#maxChain) {
      if (Date.now() - accountReadAt >= this.#pollMs * 10) {
        accountReadAt = Date.now();
        await this.#releaseConfirmed();
        if (this.#inFlight.size < this.#maxChain) return;
      }
      if (Date.now() > deadline) {
        throw new ChainError(
          "CHAIN_FULL",
          `${this.address} has ${this.#inFlight.size} unconfirmed transactions and none confirmed in time.`,
          { address: this.address, inFlight: this.#inFlight.size },
        );
      }
      await this.#capacity.wait(this.#pollMs * 10);
    }
  }

  /** Frees the slots of every transaction the chain has executed (confirmed nonce passed it). */
  async #releaseConfirmed(): Promise<void> {
    const { nonce: confirmedNext } = await this.api.getAccount(this.address);
    for (const [nonce, record] of this.#inFlight) {
      if (nonce < confirmedNext) {
        this.#inFlight.delete(nonce);
        this.#byTxid.delete(record.txid);
      }
    }
  }

  #build(call: ContractCall, nonce: bigint, feeUstx: bigint): Promise<StacksTransactionWire> {
    return makeUnsignedContractCall({
      contractAddress: call.contract.address,
      contractName: call.contract.name,
      functionName: call.functionName,
      functionArgs: call.functionArgs,
      postConditions: call.postConditions,
      postConditionMode: call.postConditionMode === "allow" ? PostConditionMode.Allow : PostConditionMode.Deny,
      publicKey: this.signer.publicKey,
      nonce,
      fee: feeUstx,
      network: this.network,
      validateWithAbi: false,
    });
  }
}
