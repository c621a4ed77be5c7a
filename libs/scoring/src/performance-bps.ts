/**
 * A score in [0, 1] as the grid-services contract's performance: integer basis points 0..10,000,
 * rounded down. Anything that is not a number scores 0. The score is a binary fraction, so 0.29
 * is really 0.28999...; a tolerance of 1e-9 keeps such a score at 2,900 rather than 2,899.
 */
export function performanceBps(score: number): number {
  if (Number.isNaN(score)) return 0;
  const clamped = Math.min(1, Math.max(0, score));
  return Math.min(10_000, Math.floor(clamped * 10_000 + 1e-9));
}
