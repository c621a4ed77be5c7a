import type { ClarityValue } from "@stacks/transactions";
import { ConfirmationTimeoutError } from "./chain-error.js";
import { decodeHex } from "./clarity-decoding.js";
import type { ApiEvent, ApiTransaction, StacksApi } from "./stacks-api.js";
import { WakeSignal } from "./wake-signal.js";

export interface ConfirmationOptions {
  /** Blocks that must carry the transaction (1 = included in the tip). */
  confirmations?: number;
  /** Give up after this long, ms. */
  timeoutMs?: number;
  /** How often the tip is polled, ms. */
  pollIntervalMs?: number;
  /** A transaction unknown to the node or still pending after this long is handed to recovery, ms. */
  stuckAfterMs?: number;
  /** How often each waiter's transaction is fetched even when no new block lists it (drops, lost transactions), ms; default stuckAfterMs / 2. */
  recheckIntervalMs?: number;
}

export type FinalStatus = "success" | "abort_by_response" | "abort_by_post_condition" | `dropped_${string}`;

export interface FinalTransaction {
  txid: string;
  status: FinalStatus;
  blockHeight: number | undefined;
  result: ClarityValue | undefined;
  resultRepr: string | undefined;
  events: ApiEvent[];
}

/** Called with a stuck txid; resolves with the txid to follow from now on. */
export type RecoverFn = (txid: string) => Promise<string>;

interface Waiter {
  txid: string;
  confirmations: number;
  deadline: number;
  timeoutMs: number;
  stuckAfterMs: number;
  recheckMs: number;
  since: number;
  lastChecked: number;
  due: boolean;
  lastStatus: string;
  includedAt: number | undefined;
  recover: RecoverFn | undefined;
  promise: Promise<FinalTransaction>;
  resolve: (tx: FinalTransaction) => void;
  reject: (error: Error) => void;
}

export const DEFAULT_CONFIRMATION: Required<Omit<ConfirmationOptions, "recheckIntervalMs">> = {
  confirmations: 1,
  timeoutMs: 120_000,
  pollIntervalMs: 1_000,
  stuckAfterMs: 30_000,
};

export function normalizeTxid(txid: string): string {
  return txid.replace(/^0x/, "").toLowerCase();
}

/**
 * Follows many transactions to a final state with one polling loop: it reads the tip,
 * looks at each new block's transaction list, and fetches only the transactions of
 * its waiters that appear there (or all of them when the API has no block endpoint),
 * plus a periodic check of every waiter so that drops and lost transactions surface.
 */
export class ConfirmationTracker {
  readonly #waiters = new Map<string, Waiter>();
  readonly #wake = new WakeSignal();
  #running = false;
  #lastTip: number | undefined;
  readonly #defaults: ConfirmationOptions & typeof DEFAULT_CONFIRMATION;

  constructor(
    private readonly api: StacksApi,
    defaults: ConfirmationOptions = {},
  ) {
    this.#defaults = { ...DEFAULT_CONFIRMATION, ...defaults };
  }

  waitFor(txid: string, options: ConfirmationOptions = {}, recover?: RecoverFn): Promise<FinalTransaction> {
    const settings = { ...this.#defaults, ...options };
    const id = normalizeTxid(txid);
    const existing = this.#waiters.get(id);
    if (existing) return existing.promise;
    let resolve!: (tx: FinalTransaction) => void;
    let reject!: (error: Error) => void;
    const promise = new Promise<FinalTransaction>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    {
      const now = Date.now();
      this.#waiters.set(id, {
        txid: id,
        confirmations: settings.confirmations,
        deadline: now + settings.timeoutMs,
        timeoutMs: settings.timeoutMs,
        stuckAfterMs: settings.stuckAfterMs,
        recheckMs: settings.recheckIntervalMs ?? Math.max(settings.stuckAfterMs / 2, settings.pollIntervalMs),
        since: now,
        lastChecked: 0,
        due: true,
        lastStatus: "unknown",
        includedAt: undefined,
        recover,
        promise,
        resolve,
        reject,
      });
    }
    this.#ensureRunning(Math.min(settings.pollIntervalMs, this.#defaults.pollIntervalMs));
    this.#wake.wake();
    return promise;
  }

  #ensureRunning(pollMs: number): void {
    if (this.#running) return;
    this.#running = true;
    void this.#loop(pollMs);
  }

  async #loop(pollMs: number): Promise<void> {
    while (this.#waiters.size > 0) {
      try {
        await this.#pollOnce();
      } catch {
        // The node did not answer this round; the next round retries and timeouts still apply.
      }
      this.#expire();
      if (this.#waiters.size > 0) await this.#wake.wait(pollMs);
    }
    this.#running = false;
    // New waiters are checked on arrival, so an idle tracker need not walk the blocks it missed.
    this.#lastTip = undefined;
  }

  async #pollOnce(): Promise<void> {
    const tip = await this.api.getTipHeight();
    if (this.#lastTip === undefined || tip > this.#lastTip) {
      await this.#markIncluded(this.#lastTip === undefined ? tip : this.#lastTip + 1, tip);
      this.#lastTip = tip;
    }
    const now = Date.now();
    const due = [...this.#waiters.values()].filter(
      (w) =>
        w.due ||
        now - w.lastChecked >= w.recheckMs ||
        (w.includedAt !== undefined && tip >= w.includedAt + w.confirmations - 1),
    );
    await Promise.all(due.map((waiter) => this.#check(waiter, tip)));
  }

  /** Marks the waiters whose transaction is in one of the blocks `from..to`. */
  async #markIncluded(from: number, to: number): Promise<void> {
    const first = Math.max(from, to - 50);
    for (let height = first; height <= to; height += 1) {
      const block = await this.api.getBlockByHeight(height).catch(() => undefined);
      if (!block) {
        for (const waiter of this.#waiters.values()) waiter.due = true;
        return;
      }
      for (const txid of block.txs) {
        const waiter = this.#waiters.get(normalizeTxid(txid));
        if (waiter) waiter.due = true;
      }
    }
  }

  async #check(waiter: Waiter, tip: number): Promise<void> {
    waiter.due = false;
    waiter.lastChecked = Date.now();
    const tx = await this.api.getTransaction(waiter.txid);
    if (!this.#waiters.has(waiter.txid)) return;
    if (tx === null || tx.tx_status === "pending") {
      waiter.lastStatus = tx === null ? "unknown to the node" : "pending";
      waiter.includedAt = undefined;
      if (waiter.recover && Date.now() - waiter.since >= waiter.stuckAfterMs) await this.#recover(waiter);
      return;
    }
    waiter.lastStatus = tx.tx_status;
    if (tx.tx_status === "success") {
      if (tx.canonical === false || tx.block_height === undefined) return;
      waiter.includedAt = tx.block_height;
      if (tip < tx.block_height + waiter.confirmations - 1) return;
    }
    this.#settle(waiter, tx);
  }

  async #recover(waiter: Waiter): Promise<void> {
    waiter.since = Date.now();
    const next = normalizeTxid(await (waiter.recover as RecoverFn)(waiter.txid));
    if (next !== waiter.txid) {
      this.#waiters.delete(waiter.txid);
      waiter.txid = next;
      waiter.due = true;
      this.#waiters.set(next, waiter);
    }
  }

  #settle(waiter: Waiter, tx: ApiTransaction): void {
    this.#waiters.delete(waiter.txid);
    waiter.resolve({
      txid: waiter.txid,
      status: tx.tx_status as FinalStatus,
      blockHeight: tx.block_height,
      result: tx.tx_result?.hex ? decodeHex(tx.tx_result.hex) : undefined,
      resultRepr: tx.tx_result?.repr,
      events: tx.events ?? [],
    });
  }

  #expire(): void {
    const now = Date.now();
    for (const waiter of this.#waiters.values()) {
      if (now < waiter.deadline) continue;
      this.#waiters.delete(waiter.txid);
      waiter.reject(new ConfirmationTimeoutError(waiter.txid, waiter.lastStatus, waiter.timeoutMs));
    }
  }
}
