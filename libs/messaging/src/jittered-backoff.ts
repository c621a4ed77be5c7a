/** Pauses between the transport's own attempts: doubling from the first to the last, plus up to half again at random. */
export type JitteredBackoff = { firstMs: number; maxMs: number };

/** The pause before attempt `attempt` (1-based). */
export function jitteredBackoffMs({ firstMs, maxMs }: JitteredBackoff, attempt: number): number {
  const base = Math.min(maxMs, firstMs * 2 ** Math.min(attempt - 1, 16));
  return Math.round(base + base * 0.5 * Math.random());
}
