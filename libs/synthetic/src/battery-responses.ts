/**
 * How a battery answers what the grid asked: metered power in watts (positive = discharge), one
 * value per step, `null` where telemetry is missing. Four behaviours to score against.
 */
import type { Random } from "./random.js";

export type BatteryBehaviour = "good" | "delayed" | "noisy" | "failing";

export interface BatteryResponseOptions {
  kind: BatteryBehaviour;
  /** The power asked for at each step, in watts. */
  requiredW: number[];
  stepSeconds: number;
  /** How late the battery follows; default 60 s for "delayed", 0 for the others. */
  delaySeconds?: number;
  /**
   * Standard deviation of the metering and control noise as a fraction of the largest power
   * asked for; default 0.2 for "noisy", 0.01 for the others.
   */
  noiseFraction?: number;
  /** Probability that a step's telemetry is missing; default 0. */
  missingFraction?: number;
}

/**
 * "good" follows at once with 1 % noise; "delayed" follows late; "noisy" follows with 20 % noise;
 * "failing" delivers nothing. Every behaviour draws the same random numbers in the same order,
 * so the same seed with more noise gives the same noise pattern, only larger.
 */
export function batteryResponse(random: Random, options: BatteryResponseOptions): (number | null)[] {
  const { kind, requiredW, stepSeconds } = options;
  const delaySteps = Math.round((options.delaySeconds ?? (kind === "delayed" ? 60 : 0)) / stepSeconds);
  const noiseFraction = options.noiseFraction ?? (kind === "noisy" ? 0.2 : 0.01);
  const missingFraction = options.missingFraction ?? 0;
  const peakW = requiredW.reduce((largest, value) => Math.max(largest, Math.abs(value)), 0);
  return requiredW.map((_, index) => {
    const noiseW = noiseFraction * peakW * random.normal();
    const missing = random.next() < missingFraction;
    if (missing) return null;
    if (kind === "failing") return 0;
    // Before the delay has passed the battery has not started to follow: it sits idle.
    const followedW = index >= delaySteps ? (requiredW[index - delaySteps] ?? 0) : 0;
    return Math.round(followedW + noiseW);
  });
}
