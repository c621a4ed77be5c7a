import type { TailedEvent } from "@voltstack/local-stack";

/** One facility's settled earnings for one period, and when they reached its stakeholders. */
export interface FacilityPeriod {
  programId: number;
  cohort: number;
  slot: number;
  facilityId: number;
  period: number;
  amountUstx: bigint;
  settledAtMs: number;
  paidAtMs?: number;
}

interface Slot {
  /** Settled periods of the slot in the order they were settled, with the running total. */
  settled: { key: string; cumulativeUstx: bigint }[];
  paidUstx: bigint;
}

const toBigInt = (value: unknown): bigint => BigInt(String(value));

/**
 * Follows a program's settlements and earnings distributions on NATS: a facility-period
 * is paid once the amounts distributed to its slot add up to everything the slot earned
 * up to and including that period (earnings are paid in the order they were settled).
 */
export class ProgramTracker {
  readonly facilityPeriods = new Map<string, FacilityPeriod>();
  readonly #slots = new Map<string, Slot>();

  constructor(private readonly programId: () => number | undefined) {}

  onEvent(tailed: TailedEvent, seenAtMs = Date.now()): void {
    const payload = (tailed.event.payload ?? {}) as Record<string, unknown>;
    const programId = this.programId();
    if (programId === undefined || Number(payload.programId) !== programId) return;
    const cohort = Number(payload.cohort);
    if (tailed.subject === "program.settled") {
      const period = Number(payload.period);
      const lines = (payload.lines ?? []) as Record<string, unknown>[];
      lines.forEach((line, slot) => {
        const amountUstx = toBigInt(line.amountUstx);
        if (amountUstx === 0n) return;
        const key = `${cohort}/${slot}/${period}`;
        if (this.facilityPeriods.has(key)) return;
        this.facilityPeriods.set(key, {
          programId,
          cohort,
          slot,
          facilityId: Number(line.facilityId),
          period,
          amountUstx,
          settledAtMs: seenAtMs,
        });
        const state = this.#slot(cohort, slot);
        const before = state.settled.at(-1)?.cumulativeUstx ?? 0n;
        state.settled.push({ key, cumulativeUstx: before + amountUstx });
        this.#settle(state, seenAtMs);
      });
    } else if (tailed.subject === "program.earnings.distributed") {
      const amounts = (payload.amountsUstx ?? []) as unknown[];
      amounts.forEach((amount, slot) => {
        const state = this.#slot(cohort, slot);
        state.paidUstx += toBigInt(amount);
        this.#settle(state, seenAtMs);
      });
    }
  }

  #slot(cohort: number, slot: number): Slot {
    const key = `${cohort}/${slot}`;
    let state = this.#slots.get(key);
    if (!state) {
      state = { settled: [], paidUstx: 0n };
      this.#slots.set(key, state);
    }
    return state;
  }

  #settle(state: Slot, nowMs: number): void {
    for (const { key, cumulativeUstx } of state.settled) {
      if (cumulativeUstx > state.paidUstx) break;
      const facilityPeriod = this.facilityPeriods.get(key)!;
      facilityPeriod.paidAtMs ??= nowMs;
    }
  }

  /** Totals settled and paid so far, in micro-STX. */
  totals(): { settledUstx: bigint; paidUstx: bigint } {
    let settledUstx = 0n;
    let paidUstx = 0n;
    for (const state of this.#slots.values()) {
      settledUstx += state.settled.at(-1)?.cumulativeUstx ?? 0n;
      paidUstx += state.paidUstx;
    }
    return { settledUstx, paidUstx };
  }
}

/** Remembers when each block height was first seen on the chain. */
export class BlockClock {
  readonly #seen = new Map<number, number>();
  #tip = -1;
  readonly #timer: NodeJS.Timeout;

  constructor(
    private readonly devnetUrl: string,
    intervalMs = 200,
  ) {
    this.#timer = setInterval(() => void this.poll(), intervalMs);
    this.#timer.unref();
  }

  get tip(): number {
    return this.#tip;
  }

  async poll(): Promise<number> {
    try {
      const response = await fetch(`${this.devnetUrl}/extended`);
      const body = (await response.json()) as { chain_tip?: { block_height: number } };
      const height = body.chain_tip?.block_height ?? -1;
      const now = Date.now();
      for (let seen = this.#tip + 1; seen <= height; seen += 1) this.#seen.set(seen, now);
      this.#tip = Math.max(this.#tip, height);
    } catch {
      // The next poll tries again.
    }
    return this.#tip;
  }

  /** When `height` was first seen, if it was. */
  seenAt(height: number): number | undefined {
    return this.#seen.get(height);
  }

  /** Resolves once the chain has reached `height`. */
  async reach(height: number): Promise<void> {
    while ((await this.poll()) < height) await new Promise((resolve) => setTimeout(resolve, 200));
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
