import type { Share } from "@voltstack/client";

const FULL_SHARE_BPS = 10_000n;

/**
 * What revenue-sharing pays each stakeholder of a pool: pool x share / 10,000 rounded
 * down, the remainder to the largest share (the first listed on a tie). The demo checks
 * the chain's payments against it.
 */
export function expectedSplit(poolUstx: bigint, shares: readonly Share[]): Map<string, bigint> {
  const amounts = new Map(
    shares.map((share) => [share.stakeholder, (poolUstx * BigInt(share.shareBps)) / FULL_SHARE_BPS]),
  );
  const largest = shares.reduce((best, share) => (share.shareBps > best.shareBps ? share : best), shares[0]!);
  const floorSum = [...amounts.values()].reduce((sum, amount) => sum + amount, 0n);
  amounts.set(largest.stakeholder, amounts.get(largest.stakeholder)! + poolUstx - floorSum);
  return amounts;
}
