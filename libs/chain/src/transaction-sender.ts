import type { StacksNetwork } from "@stacks/network";
import { makeUnsignedContractCall, PostConditionMode, type StacksTransactionWire } from "@stacks/transactions";
import { AsyncMutex } from "./async-mutex.js";
import {
  broadcastBackoffMs,
  broadcastOutcomeUnknown,
  type BroadcastRetryPolicy,
  DEFAULT_BROADCAST_RETRY,
  retryableBroadcastFailure,
} from "./broadcast-retry.js";
import { BroadcastRejectedError, ChainError } from "./chain-error.js";
import type { ContractCall, SubmitOptions, SubmittedTransaction } from "./contract-call.js";
import type { FeeEstimator } from "./fee-estimator.js";
import type { NonceStore } from "./nonce-store.js";
import type { Signer } from "./signer.js";
import type { SigningPermit } from "./signing-permit.js";
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
  /**
   * A transaction still pending this long after it was signed is re-signed at its nonce
   * with a higher fee (FeeEstimator.bumped) the next time recovery looks at it, ms; 0 never.
   */
  feeBumpAfterMs?: number;
  /** Retries of a broadcast the node could not take for now (TemporarilyBlacklisted, HTTP 429 or 5xx). */
  broadcastRetry?: Partial<BroadcastRetryPolicy>;
  /** Checked before every signature: the lease that makes this process the only signer of the address. */
  permit?: SigningPermit;
  /** The clock fee bumps are timed by, ms (tests pass their own). */
  now?: () => number;
  /** Waits between broadcast retries (tests pass their own). */
  sleep?: (ms: number) => Promise<void>;
  /** The jitter source of broadcast retries, in [0, 1). */
  random?: () => number;
}

interface InFlight {
  nonce: bigint;
  txid: string;
  txHex: string;
  call: ContractCall | undefined;
  feeUstx: bigint;
  beforeBroadcast: SubmitOptions["beforeBroadcast"];
  /** When this transaction was signed, by `now`. */
  signedAt: number;
  /** Earlier transactions at the same nonce this one replaced by fee, oldest first: any of them may still be mined. */
  replaced: string[];
}

/** What the node says of a transaction, as far as the sender needs to know. */
type NodeView = { state: "unknown" | "pending" | "dropped" | "final"; feeUstx: bigint | undefined };

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
  readonly #retry: BroadcastRetryPolicy;
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;
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
    this.#retry = { ...DEFAULT_BROADCAST_RETRY, ...options.broadcastRetry };
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.#random = options.random ?? Math.random;
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
      const known = await this.#nodeView(txid);
      if (known.state !== "unknown" && known.state !== "dropped") {
        return this.#describe({
          nonce: earlier.nonce,
          txid,
          txHex: "",
          call,
          feeUstx: known.feeUstx ?? 0n,
          beforeBroadcast: undefined,
          signedAt: this.#now(),
          replaced: [],
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

  /** Forget a transaction that reached a final state (or one it replaced by fee): its slot in the chain is free again. */
  markFinal(txid: string): void {
    const record = this.#byTxid.get(txid);
    if (!record) return;
    this.#forget(record);
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
   * A transaction of ours that the node does not know, that waits behind a gap, or that
   * has been pending too long: re-broadcast what the node is missing, re-sign what lost
   * its nonce to another transaction, fill gaps we hold nothing for, and re-sign at the
   * same nonce with a higher fee what has waited `feeBumpAfterMs`. Returns the txid to
   * follow now: after a fee bump the newest, unless an earlier one at that nonce was mined.
   */
  async recover(txid: string): Promise<string> {
    return this.#mutex.run(async () => {
      const nonces = await this.api.getNonces(this.address);
      for (const missing of nonces.detectedMissingNonces) await this.#fillGap(missing);
      const current = this.currentTxid(txid);
      const record = this.#byTxid.get(current);
      if (!record) return current;
      const mined = await this.#minedPredecessor(record);
      if (mined) return mined;
      const view = await this.#nodeView(record.txid);
      if (view.state === "unknown") return this.#rebroadcastOrResign(record);
      if (view.state === "pending" && this.#feeBumpDue(record)) return this.#bumpFee(record);
      return record.txid;
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
    await this.#sign(filler);
    await this.#broadcast(filler.serialize()).catch((error: unknown) => {
      if (!(error instanceof BroadcastRejectedError && NONCE_TAKEN.has(error.reason))) throw error;
    });
  }

  async #rebroadcastOrResign(record: InFlight): Promise<string> {
    try {
      await this.#broadcast(record.txHex);
      return record.txid;
    } catch (error) {
      if (!(error instanceof BroadcastRejectedError)) throw error;
      if ((await this.#nodeView(record.txid)).state !== "unknown") return record.txid;
      // The nonce was taken by a transaction this one replaced by fee: that one stands for the call.
      const predecessor = await this.#livePredecessor(record);
      if (predecessor) return predecessor;
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
    await this.#sign(transaction);
    const record: InFlight = {
      nonce,
      txid: transaction.txid(),
      txHex: transaction.serialize(),
      call,
      feeUstx,
      beforeBroadcast,
      signedAt: this.#now(),
      replaced: [],
    };
    await beforeBroadcast?.(this.#describe(record));
    try {
      await this.#broadcast(record.txHex);
    } catch (error) {
      // Unreachable or failing (5xx), the node may or may not have it: keep the nonce, and let recovery re-broadcast it if it never arrived.
      if (!broadcastOutcomeUnknown(error)) throw error;
    }
    return this.#record(record);
  }

  /**
   * Re-signs a pending transaction at its nonce with a higher fee, within the ceiling; the
   * node replaces the pending one by it. The new transaction goes to `beforeBroadcast` first
   * with `replaces` set, so the earlier txid stays known: a miner may still include that
   * one instead. Returns the txid to follow (the earlier one when no bump was sent).
   */
  async #bumpFee(record: InFlight): Promise<string> {
    const call = record.call;
    // A fixed fee is the caller's decision; gap fillers are not worth paying more for.
    if (!call || call.feeUstx !== undefined) return record.txid;
    const feeUstx = this.fees.bumped(record.feeUstx, await this.#feeFor(call));
    if (feeUstx === undefined) return record.txid;
    const transaction = await this.#build(call, record.nonce, feeUstx);
    await this.#sign(transaction);
    const bumped: InFlight = {
      ...record,
      txid: transaction.txid(),
      txHex: transaction.serialize(),
      feeUstx,
      signedAt: this.#now(),
      replaced: [...record.replaced, record.txid],
    };
    await record.beforeBroadcast?.({ ...this.#describe(bumped), replaces: record.txid });
    try {
      await this.#broadcast(bumped.txHex);
    } catch (error) {
      // Refused (another transaction took the nonce, or the fee did not outbid): keep following the earlier one.
      if (error instanceof BroadcastRejectedError && !broadcastOutcomeUnknown(error)) return record.txid;
      if (!broadcastOutcomeUnknown(error)) throw error;
    }
    this.#inFlight.set(bumped.nonce, bumped);
    for (const txid of [...bumped.replaced, bumped.txid]) this.#byTxid.set(txid, bumped);
    this.#replacedBy.set(record.txid, bumped.txid);
    return bumped.txid;
  }

  #feeBumpDue(record: InFlight): boolean {
    const after = this.options.feeBumpAfterMs ?? 60_000;
    return after > 0 && this.#now() - record.signedAt >= after;
  }

  /** An earlier transaction at this record's nonce that was mined (succeeded or aborted): it, not the replacement, is the call's outcome. */
  async #minedPredecessor(record: InFlight): Promise<string | undefined> {
    for (const txid of record.replaced) {
      if ((await this.#nodeView(txid)).state === "final") return txid;
    }
    return undefined;
  }

  /** An earlier transaction at this record's nonce that the node still has or mined, newest first. */
  async #livePredecessor(record: InFlight): Promise<string | undefined> {
    for (const txid of [...record.replaced].reverse()) {
      const { state } = await this.#nodeView(txid);
      if (state === "pending" || state === "final") return txid;
    }
    return undefined;
  }

  /**
   * What the node says of `txid`. The one place that reads the API's transaction record,
   * so that a change of its shape is met here.
   */
  async #nodeView(txid: string): Promise<NodeView> {
    const tx = await this.api.getTransaction(txid, 0);
    if (tx === null) return { state: "unknown", feeUstx: undefined };
    const feeUstx = tx.fee_rate === undefined ? undefined : BigInt(tx.fee_rate);
    if (tx.tx_status === "pending") return { state: "pending", feeUstx };
    if (tx.tx_status.startsWith("dropped")) return { state: "dropped", feeUstx };
    return { state: "final", feeUstx };
  }

  /** Signs, once the permit (the signing lease) confirms that no other process signs for this address. */
  async #sign(transaction: StacksTransactionWire): Promise<void> {
    this.options.permit?.assertHeld();
    await this.signer.signTransaction(transaction);
  }

  /**
   * Broadcasts, trying again with exponential backoff and jitter while the node cannot take
   * the transaction for now (TemporarilyBlacklisted, HTTP 429 or 5xx): the same signed bytes
   * carry the same txid and nonce, so a repeat cannot double the call. Other refusals and the
   * last failure are thrown. The signer's queue waits meanwhile, as the next nonce would.
   */
  async #broadcast(txHex: string): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.api.broadcast(txHex);
        return;
      } catch (error) {
        if (retryableBroadcastFailure(error) === undefined || attempt >= this.#retry.attempts) throw error;
        await this.#sleep(broadcastBackoffMs(this.#retry, attempt, this.#random));
      }
    }
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
    if (this.#inFlight.get(record.nonce) === record) this.#inFlight.delete(record.nonce);
    for (const txid of [...record.replaced, record.txid]) this.#byTxid.delete(txid);
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
      if (nonce < confirmedNext) this.#forget(record);
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
