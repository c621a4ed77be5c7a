/** Why a reading was acknowledged but not written to the chain. */
export type SkipReason = "BELOW_MIN_CHANGE" | "WITHIN_MIN_INTERVAL";

export interface ReadingThresholds {
  minChangeKwh: number;
  minIntervalMs: number;
}

/**
 * Whether a facility's newest reading goes to the chain: only when it moves stored
 * energy by at least `minChangeKwh` from what the chain shows, and at least
 * `minIntervalMs` after the facility's last reading written by this service.
 */
export function readingDecision(
  reading: { storedKwh: bigint; receivedAt: Date },
  chain: { storedKwh: bigint },
  lastWrittenAt: Date | undefined,
  thresholds: ReadingThresholds,
): { write: true } | { write: false; reason: SkipReason } {
  const change = reading.storedKwh - chain.storedKwh;
  if ((change < 0n ? -change : change) < BigInt(thresholds.minChangeKwh)) {
    return { write: false, reason: "BELOW_MIN_CHANGE" };
  }
  if (lastWrittenAt && reading.receivedAt.getTime() - lastWrittenAt.getTime() < thresholds.minIntervalMs) {
    return { write: false, reason: "WITHIN_MIN_INTERVAL" };
  }
  return { write: true };
}
