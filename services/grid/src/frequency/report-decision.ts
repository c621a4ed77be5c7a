import type { ReadingDecision } from "@voltstack/api";

/** What was last written to the chain: in which deviation state, and when it was measured. */
export interface LastReport {
  deviating: boolean;
  measuredAt: Date;
}

/**
 * Whether a reading goes on chain: always when the deviation state differs from the
 * last report (or there is none), otherwise only once `cadenceS` seconds of measurement
 * time have passed since the last report.
 */
export function reportDecision(
  reading: { deviating: boolean; measuredAt: Date },
  last: LastReport | undefined,
  cadenceS: number,
): ReadingDecision {
  if (!last || last.deviating !== reading.deviating) return "state-change";
  return reading.measuredAt.getTime() - last.measuredAt.getTime() >= cadenceS * 1_000 ? "cadence" : "skipped";
}

/** The contract's rule: a reading deviates when it is further from the target than the deadband. */
export function deviates(frequencyMhz: number, targetMhz: number, deadbandMhz: number): boolean {
  return Math.abs(frequencyMhz - targetMhz) > deadbandMhz;
}
