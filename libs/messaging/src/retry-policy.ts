/** Exponential backoff between deliveries of a message whose handler failed. */
export type RetryBackoff = {
  /** Delay before the second delivery, in milliseconds. */
  initialMs: number;
  /** Multiplier per further delivery. */
  factor: number;
  /** Upper bound, in milliseconds. */
  maxMs: number;
};

export const DEFAULT_RETRY_BACKOFF: RetryBackoff = { initialMs: 1_000, factor: 2, maxMs: 5 * 60_000 };

/** The delay before redelivering a message that failed on delivery `deliveryCount` (1-based). */
export function retryDelayMs(backoff: RetryBackoff, deliveryCount: number): number {
  const delay = backoff.initialMs * backoff.factor ** Math.max(0, deliveryCount - 1);
  return Math.round(Math.min(backoff.maxMs, delay));
}
