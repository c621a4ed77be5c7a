/**
 * One process's allowance of Stacks API requests: every request of the follower, the
 * confirmation tracker, the nonce manager and the fee estimator draws from the same
 * token bucket, at most `maxConcurrent` run at once, and a 429 from the API pauses all
 * of them until its `retry-after` has passed. Hosted APIs limit per key or per IP
 * (Hiro: about 50 requests a minute without a key), so the budget is set per process
 * and the operations guide multiplies it by the replicas sharing one key.
 */
export interface RequestBudgetOptions {
  /** Sustained rate; 0 = unlimited (a self-hosted API on the same network). */
  requestsPerMinute: number;
  /** Requests that may go out at once after a quiet period. */
  burst?: number;
  maxConcurrent?: number;
  /** Clock and timer, replaceable in unit tests. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Unlimited in rate unless configured (services take STACKS_API_REQUESTS_PER_MINUTE), but
 * never more than a handful of requests at once.
 */
export const DEFAULT_REQUEST_BUDGET: Required<
  Pick<RequestBudgetOptions, "requestsPerMinute" | "burst" | "maxConcurrent">
> = {
  requestsPerMinute: 0,
  burst: 10,
  maxConcurrent: 8,
};

export class RequestBudget {
  readonly requestsPerMinute: number;
  readonly #burst: number;
  readonly #maxConcurrent: number;
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  #tokens: number;
  #refilledAt: number;
  #pausedUntil = 0;
  #running = 0;
  readonly #slots: (() => void)[] = [];
  /** Tokens are handed out in arrival order. */
  #tokenQueue: Promise<void> = Promise.resolve();
  /** Requests granted so far and 429 answers seen, for metrics and tests. */
  granted = 0;
  throttled = 0;

  constructor(options: RequestBudgetOptions) {
    this.requestsPerMinute = options.requestsPerMinute;
    this.#burst = Math.max(1, options.burst ?? DEFAULT_REQUEST_BUDGET.burst);
    this.#maxConcurrent = Math.max(1, options.maxConcurrent ?? DEFAULT_REQUEST_BUDGET.maxConcurrent);
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms).unref?.()));
    this.#tokens = this.#burst;
    this.#refilledAt = this.#now();
  }

  /** Runs `request` once a token and a slot are free. */
  async run<T>(request: () => Promise<T>): Promise<T> {
    await this.#acquireSlot();
    try {
      const turn = this.#tokenQueue.then(() => this.#takeToken());
      this.#tokenQueue = turn;
      await turn;
      this.granted += 1;
      return await request();
    } finally {
      this.#releaseSlot();
    }
  }

  /** The API answered 429: nobody in this process sends before `retryAfterMs` has passed. */
  pause(retryAfterMs: number): void {
    this.throttled += 1;
    this.#pausedUntil = Math.max(this.#pausedUntil, this.#now() + retryAfterMs);
  }

  async #takeToken(): Promise<void> {
    for (;;) {
      const now = this.#now();
      if (now < this.#pausedUntil) {
        await this.#sleep(this.#pausedUntil - now);
        continue;
      }
      if (this.requestsPerMinute <= 0) return;
      const perMs = this.requestsPerMinute / 60_000;
      this.#tokens = Math.min(this.#burst, this.#tokens + (now - this.#refilledAt) * perMs);
      this.#refilledAt = now;
      if (this.#tokens >= 1) {
        this.#tokens -= 1;
        return;
      }
      await this.#sleep(Math.ceil((1 - this.#tokens) / perMs));
    }
  }

  async #acquireSlot(): Promise<void> {
    if (this.#running < this.#maxConcurrent) {
      this.#running += 1;
      return;
    }
    await new Promise<void>((resolve) => this.#slots.push(resolve));
  }

  #releaseSlot(): void {
    const next = this.#slots.shift();
    if (next) next();
    else this.#running -= 1;
  }
}
