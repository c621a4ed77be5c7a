import type { TailedEvent } from "@voltstack/local-stack";

interface Deposit {
  depositId: number;
  requestId: number | undefined;
  amountUstx: bigint;
  seenAtMs: number;
}

interface FacilityLedger {
  deposits: Deposit[];
  distributedUstx: bigint;
  /** Distribution events seen, with their chain position, in arrival order. */
  distributions: { amountUstx: bigint; blockHeight: number | undefined; seenAtMs: number }[];
}

export interface Payout {
  requestId: number;
  facilityId: number;
  amountUstx: bigint;
  /** When the event that completed the payment reached the bus (deposit or distribution, the later). */
  paidAtMs: number;
  /** Block of the distribution that completed it. */
  blockHeight: number | undefined;
}

const REQUEST_SOURCE = /^grid-request:(\d+)$/;

const toBigInt = (value: unknown): bigint => BigInt(String(value));

/**
 * Tells when each request's payout reached its stakeholders, from the events on NATS alone,
 * whatever way the revenue service distributes (a facility's whole pool, or stated amounts
 * from several pools at once): a facility's deposits are paid in the order they were made,
 * so a deposit is paid once the facility's distributions add up to every deposit up to and
 * including it. Only the facilities it is told about are tracked.
 */
export class PayoutTracker {
  readonly #ledgers = new Map<number, FacilityLedger>();
  readonly #paid = new Map<number, Payout>();
  readonly #waiters = new Map<number, (payout: Payout) => void>();
  /** Distribution events of the tracked facilities, in arrival order. */
  distributionEvents = 0;

  track(facilityId: number): void {
    if (!this.#ledgers.has(facilityId))
      this.#ledgers.set(facilityId, { deposits: [], distributedUstx: 0n, distributions: [] });
  }

  get paid(): ReadonlyMap<number, Payout> {
    return this.#paid;
  }

  /** Resolves once the request's payout was distributed. */
  paidOut(requestId: number): Promise<Payout> {
    const known = this.#paid.get(requestId);
    if (known) return Promise.resolve(known);
    return new Promise((resolve) => this.#waiters.set(requestId, resolve));
  }

  /** Total deposited into and distributed out of the tracked facilities' pools. */
  totals(): { depositedUstx: bigint; distributedUstx: bigint } {
    let depositedUstx = 0n;
    let distributedUstx = 0n;
    for (const ledger of this.#ledgers.values()) {
      depositedUstx += ledger.deposits.reduce((sum, deposit) => sum + deposit.amountUstx, 0n);
      distributedUstx += ledger.distributedUstx;
    }
    return { depositedUstx, distributedUstx };
  }

  onEvent(tailed: TailedEvent, seenAtMs = Date.now()): void {
    const payload = (tailed.event.payload ?? {}) as Record<string, unknown>;
    const facilityId = Number(payload.facilityId);
    const ledger = this.#ledgers.get(facilityId);
    if (!ledger) return;
    if (tailed.subject === "revenue.deposited") {
      const depositId = Number(payload.depositId);
      if (ledger.deposits.some((deposit) => deposit.depositId === depositId)) return;
      const match = REQUEST_SOURCE.exec(String(payload.source ?? ""));
      ledger.deposits.push({
        depositId,
        requestId: match ? Number(match[1]) : undefined,
        amountUstx: toBigInt(payload.amountUstx),
        seenAtMs,
      });
      ledger.deposits.sort((a, b) => a.depositId - b.depositId);
    } else if (tailed.subject === "revenue.distributed") {
      const amountUstx = toBigInt(payload.amountUstx);
      ledger.distributedUstx += amountUstx;
      ledger.distributions.push({ amountUstx, blockHeight: tailed.event.chain?.blockHeight, seenAtMs });
      this.distributionEvents += 1;
    } else {
      return;
    }
    this.#settle(facilityId, ledger, seenAtMs);
  }

  #settle(facilityId: number, ledger: FacilityLedger, nowMs: number): void {
    let cumulative = 0n;
    for (const deposit of ledger.deposits) {
      cumulative += deposit.amountUstx;
      if (cumulative > ledger.distributedUstx) break;
      if (deposit.requestId === undefined || this.#paid.has(deposit.requestId)) continue;
      const payout: Payout = {
        requestId: deposit.requestId,
        facilityId,
        amountUstx: deposit.amountUstx,
        paidAtMs: Math.max(nowMs, deposit.seenAtMs),
        blockHeight: ledger.distributions.at(-1)?.blockHeight,
      };
      this.#paid.set(deposit.requestId, payout);
      this.#waiters.get(deposit.requestId)?.(payout);
      this.#waiters.delete(deposit.requestId);
    }
  }
}
