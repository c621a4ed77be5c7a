/**
 * Telemetry as the scoring functions take it: one integer per step (watts, mHz or basis points),
 * `null` where the sample is missing, and the checks every scoring function makes on it.
 */
import { ScoringInputError } from "./scoring-input-error.js";

export type Sample = number | null;

/** Full scale of a normalised signal: basis points of committed power. */
export const FULL_SCALE_BPS = 10_000;

export const SECONDS_PER_HOUR = 3_600;

export function checkStep(stepSeconds: number): void {
  if (!(Number.isFinite(stepSeconds) && stepSeconds > 0)) {
    throw new ScoringInputError("STEP_INVALID", `The step must be a positive number of seconds; got ${stepSeconds}.`);
  }
}

export function checkCommittedPower(committedW: number): void {
  if (!(Number.isFinite(committedW) && committedW > 0)) {
    throw new ScoringInputError(
      "COMMITTED_POWER_INVALID",
      `The committed power must be a positive number of watts; got ${committedW}.`,
    );
  }
}

export function checkSameLength(names: [string, string], first: readonly Sample[], second: readonly Sample[]): void {
  if (first.length !== second.length) {
    throw new ScoringInputError(
      "SERIES_LENGTHS_DIFFER",
      `${names[0]} has ${first.length} samples and ${names[1]} has ${second.length}; both must cover the same steps.`,
    );
  }
}

/**
 * The mean of each run of `stepsPerWindow` samples (the last run may be shorter). A missing
 * sample is left out of its window's mean ("skip"), or counts as zero ("zero"); a window whose
 * samples are all missing is `null` when skipping.
 */
export function windowMeans(values: readonly Sample[], stepsPerWindow: number, missing: "skip" | "zero"): Sample[] {
  const means: Sample[] = [];
  for (let start = 0; start < values.length; start += stepsPerWindow) {
    const end = Math.min(values.length, start + stepsPerWindow);
    let sum = 0;
    let present = 0;
    for (let index = start; index < end; index += 1) {
      const value = values[index];
      if (value !== null && value !== undefined) {
        sum += value;
        present += 1;
      }
    }
    const divisor = missing === "zero" ? end - start : present;
    means.push(divisor === 0 ? null : sum / divisor);
  }
  return means;
}

export function countMissing(values: readonly Sample[]): number {
  return values.reduce<number>((count, value) => (value === null ? count + 1 : count), 0);
}
