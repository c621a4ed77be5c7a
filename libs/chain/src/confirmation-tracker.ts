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
  /** How often waiting senders' nonces are polled, ms. */
  pollIntervalMs?: number;
  /** A transaction unknown to the node or still pending after this long is handed to recovery, ms. */
  stuckAfterMs?: number;
  /** How often each waiter's transaction is fetched even when no new block lists it (drops, lost transactions), ms; default stuckAfterMs / 2. */
  recheckIntervalMs?: number;
}

export type FinalStatus =
  "success" | "abort_by_response" | "abort_by_post_condition" | "problematic_skipped" | `dropped_${string}`;

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
  origin: TransactionOrigin | undefined;
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
  pollIntervalMs: 3_000,
  stuckAfterMs: 30_000,
};

export function normalizeTxid(txid: string): string {
  return txid.replace(/^0x/, "").toLowerCase();
}

/** Who sent a transaction: lets the tracker learn from one nonce lookup that it was mined. */
export interface TransactionOrigin {
  sender: string;
  nonce: bigint;
}

/**
 * Follows many transactions to a final state with one polling loop whose requests grow
 * with the number of senders, not of transactions: each round asks the API for each
 * waiting sender's last confirmed nonce, and fetches a transaction only once its nonce
 * was executed (or, for waiters of unknown origin, every round). Every waiter is also
 * fetched now and then, so that drops, replacements and lost transactions surface: a
 * transaction replaced by fee is followed to its replacement, a dropped or unknown one
 * is handed to recovery (re-broadcast, fee bump) and declared dropped only when its
 * nonce went to another transaction.
 */
export class ConfirmationTracker {
  readonly #waiters = new Map<string, Waiter>();
  readonly #wake = new WakeSignal();
  #running = false;
  readonly #defaults: ConfirmationOptions & typeof DEFAULT_CONFIRMATION;

  constructor(
    private readonly api: StacksApi,
    defaults: ConfirmationOptions = {},
  ) {
    this.#defaults = { ...DEFAULT_CONFIRMATION, ...defaults };
  }

  waitFor(
    txid: string,
    options: ConfirmationOptions = {},
    recover?: RecoverFn,
    origin?: TransactionOrigin,
  ): Promise<FinalTransaction> {
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
    const now = Date.now();
    this.#waiters.set(id, {
      txid: id,
      origin,
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
    this.#ensureRunning(Math.min(settings.pollIntervalMs, this.#defaults.pollIntervalMs));
    this.#wake.wake();
    return promise;
  }

  /** Transactions being followed now. */
  get waiting(): number {
    return this.#waiters.size;
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
        // The API did not answer this round; the next round retries and timeouts still apply.
      }
      this.#expire();
      if (this.#waiters.size > 0) await this.#wake.wait(pollMs);
    }
    this.#running = false;
  }

  async #pollOnce(): Promise<void> {
    const now = Date.now();
    const waiters = [...this.#waiters.values()];
    const senders = new Set(waiters.flatMap((w) => (w.origin ? [w.origin.sender] : [])));
    const executed = new Map<string, bigint | null>();
    await Promise.all(
      [...senders].map(async (sender) => {
        executed.set(sender, (await this.api.getNonces(sender)).lastExecutedTxNonce);
      }),
    );
    const needsTip = waiters.some((w) => w.includedAt !== undefined && w.confirmations > 1);
    const tip = needsTip ? await this.api.getTipHeight() : undefined;
    const due = waiters.filter((w) => {
      if (w.due || now - w.lastChecked >= w.recheckMs) return true;
      if (w.includedAt !== undefined) return tip === undefined || tip >= w.includedAt + w.confirmations - 1;
      if (!w.origin) return true;
      const last = executed.get(w.origin.sender);
      return last !== null && last !== undefined && w.origin.nonce <= last;
    });
    await Promise.all(due.map((waiter) => this.#check(waiter, tip, executed)));
  }

  async #check(waiter: Waiter, tip: number | undefined, executed: Map<string, bigint | null>): Promise<void> {
    waiter.due = false;
    waiter.lastChecked = Date.now();
    const tx = await this.api.getTransaction(waiter.txid);
    if (!this.#waiters.has(waiter.txid)) return;
    if (tx?.tx_status === "dropped_replace_by_fee" && tx.replaced_by_tx_id) {
      this.#follow(waiter, tx.replaced_by_tx_id);
      return;
    }
    if (tx === null || tx.tx_status === "pending" || tx.tx_status.startsWith("dropped")) {
      waiter.lastStatus = tx === null ? "unknown to the API" : tx.tx_status;
      waiter.includedAt = undefined;
      // The API answers 404 for a dropped transaction (it prunes it) and shows mined ones
      // from the same index as the nonces: unknown with its nonce executed means another
      // transaction took the nonce, unless recovery knows a replacement of ours that did.
      if (this.#nonceTakenByAnother(waiter, executed)) {
        if (waiter.recover) {
          const before = waiter.txid;
          await this.#recover(waiter);
          if (waiter.txid !== before) return;
        }
        this.#settle(waiter, tx ?? { tx_id: waiter.txid, tx_status: "dropped_superseded" });
        return;
      }
      const givenUp = !waiter.recover && Date.now() - waiter.since >= waiter.stuckAfterMs;
      if (tx !== null && tx.tx_status.startsWith("dropped") && givenUp) {
        this.#settle(waiter, tx);
        return;
      }
      if (waiter.recover && Date.now() - waiter.since >= waiter.stuckAfterMs) await this.#recover(waiter);
      return;
    }
    waiter.lastStatus = tx.tx_status;
    if (tx.tx_status === "success") {
      if (tx.block_height === undefined) return;
      waiter.includedAt = tx.block_height;
      if (waiter.confirmations > 1) {
        const height = tip ?? (await this.api.getTipHeight());
        if (height < tx.block_height + waiter.confirmations - 1) return;
      }
    }
    this.#settle(waiter, tx);
  }

  /** The waiter's nonce was executed, yet its own transaction is not mined: another one took the nonce. */
  #nonceTakenByAnother(waiter: Waiter, executed: Map<string, bigint | null>): boolean {
    if (!waiter.origin) return false;
    const last = executed.get(waiter.origin.sender);
    return last !== null && last !== undefined && waiter.origin.nonce <= last;
  }

  async #recover(waiter: Waiter): Promise<void> {
    waiter.since = Date.now();
    const next = normalizeTxid(await (waiter.recover as RecoverFn)(waiter.txid));
    if (next !== waiter.txid) this.#follow(waiter, next);
  }

  #follow(waiter: Waiter, txid: string): void {
    const next = normalizeTxid(txid);
    this.#waiters.delete(waiter.txid);
    waiter.txid = next;
    waiter.due = true;
    this.#waiters.set(next, waiter);
    this.#wake.wake();
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
