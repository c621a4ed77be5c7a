/**
 * Regulation (signal following) scored the way PJM scores it, after PJM Manual 12 "Balancing
 * Operations", section "Regulation", its "Performance Score" definition: the response is compared
 * with the signal at 10 s samples; the accuracy (correlation) score is the best correlation over
 * shifts of the response of 0 to 5 minutes; the delay score follows from the shift at that best
 * correlation; the precision score from the mean absolute error against the mean absolute signal;
 * the performance score is the mean of the three. Mileage, which PJM pays the performance part on,
 * is the sum of the signal's moves (PJM Manual 11 "Energy & Ancillary Services Market Operations",
 * "Regulation" market section, mileage).
 */
import { ScoringInputError } from "./scoring-input-error.js";
import {
  checkCommittedPower,
  checkSameLength,
  checkStep,
  countMissing,
  FULL_SCALE_BPS,
  type Sample,
  windowMeans,
} from "./telemetry.js";

export interface RegulationInput {
  /** The regulation signal in basis points of committed power, -10,000..10,000 (positive = discharge). */
  signal: readonly Sample[];
  /** Metered power in watts (positive = discharge), one sample per signal step. */
  responseW: readonly Sample[];
  committedW: number;
  stepSeconds: number;
}

export interface RegulationConfig {
  /** The signal and response are compared at samples this far apart (PJM: 10 s). */
  scoringIntervalSeconds: number;
  /** The largest delay searched, which also scores 0 on delay (PJM: 5 minutes). */
  maxDelaySeconds: number;
  /** A performance score at or above this passes (PJM's qualification tests ask for 0.75). */
  passThreshold: number;
}

export const PJM_REGULATION: RegulationConfig = {
  scoringIntervalSeconds: 10,
  maxDelaySeconds: 300,
  passThreshold: 0.75,
};

/** One point per scoring interval, for a chart of what was asked against what was delivered. */
export interface RegulationSeriesPoint {
  /** Start of the interval, in seconds from the start of the period. */
  offsetSeconds: number;
  /** The signal as power, in watts; null when the signal is missing for the whole interval. */
  signalW: number | null;
  /** Mean metered power over the interval, in watts; missing samples count as zero. */
  responseW: number;
}

export interface RegulationScore {
  /** Mean of accuracy, delay and precision, in [0, 1]. */
  score: number;
  /** Best correlation of response against signal over the shifts searched, 0 when not positive. */
  accuracy: number;
  /** 1 - delaySeconds / maxDelaySeconds; 0 when the response does not correlate at all. */
  delay: number;
  /** 1 - mean |response - signal| / mean |signal|, clamped to [0, 1]. */
  precision: number;
  /** The shift of the response at its best correlation, a multiple of the scoring interval. */
  delaySeconds: number;
  passed: boolean;
  /** Scoring intervals with a signal: the number of points the scores are computed over. */
  samples: number;
  /** Response steps with no telemetry; each counted as zero power delivered. */
  missingSamples: number;
  /** Signal steps with no value; left out of the scoring. */
  skippedSamples: number;
  /** Sum of the signal's absolute moves from step to step, in basis points of committed power. */
  mileageBps: number;
  /** Length of the period scored: steps x step seconds. */
  periodSeconds: number;
  series: RegulationSeriesPoint[];
}

export function scoreRegulation(input: RegulationInput, config: Partial<RegulationConfig> = {}): RegulationScore {
  const { scoringIntervalSeconds, maxDelaySeconds, passThreshold } = { ...PJM_REGULATION, ...config };
  const { signal, responseW, committedW, stepSeconds } = input;
  checkStep(stepSeconds);
  checkCommittedPower(committedW);
  checkSameLength(["The signal", "The response"], signal, responseW);
  const stepsPerInterval = scoringIntervalSeconds / stepSeconds;
  if (!Number.isInteger(stepsPerInterval) || stepsPerInterval < 1) {
    throw new ScoringInputError(
      "STEP_INVALID",
      `The ${scoringIntervalSeconds} s scoring interval must be a whole number of ${stepSeconds} s steps.`,
    );
  }

  const signalBps = windowMeans(signal, stepsPerInterval, "skip");
  const responseBps = windowMeans(responseW, stepsPerInterval, "zero").map(
    (watts) => ((watts ?? 0) * FULL_SCALE_BPS) / committedW,
  );
  const samples = signalBps.filter((value) => value !== null).length;

  const maxShift = Math.min(Math.floor(maxDelaySeconds / scoringIntervalSeconds), Math.max(0, signalBps.length - 1));
  let bestCorrelation = 0;
  let bestShift = 0;
  for (let shift = 0; shift <= maxShift; shift += 1) {
    const correlation = shiftedCorrelation(signalBps, responseBps, shift);
    if (correlation > bestCorrelation) {
      bestCorrelation = correlation;
      bestShift = shift;
    }
  }
  const accuracy = Math.min(1, bestCorrelation);
  const delaySeconds = bestShift * scoringIntervalSeconds;
  // A response that does not follow the signal at all has no delay to speak of: it earns no delay score.
  const delay = accuracy > 0 ? Math.abs((delaySeconds - maxDelaySeconds) / maxDelaySeconds) : 0;
  const precision = precisionScore(signalBps, responseBps);
  const score = (accuracy + delay + precision) / 3;

  return {
    score,
    accuracy,
    delay,
    precision,
    delaySeconds,
    passed: score >= passThreshold,
    samples,
    missingSamples: countMissing(responseW),
    skippedSamples: countMissing(signal),
    mileageBps: mileage(signal),
    periodSeconds: signal.length * stepSeconds,
    series: signalBps.map((bps, index) => ({
      offsetSeconds: index * scoringIntervalSeconds,
      signalW: bps === null ? null : Math.round((bps * committedW) / FULL_SCALE_BPS),
      responseW: Math.round(((responseBps[index] ?? 0) * committedW) / FULL_SCALE_BPS),
    })),
  };
}

/** Pearson correlation of signal[i] with response[i + shift] over the samples with a signal; 0 when undefined. */
function shiftedCorrelation(signal: readonly Sample[], response: readonly number[], shift: number): number {
  let count = 0;
  let sumS = 0;
  let sumR = 0;
  let sumSS = 0;
  let sumRR = 0;
  let sumSR = 0;
  for (let index = 0; index + shift < response.length; index += 1) {
    const s = signal[index];
    const r = response[index + shift];
    if (s === null || s === undefined || r === undefined) continue;
    count += 1;
    sumS += s;
    sumR += r;
    sumSS += s * s;
    sumRR += r * r;
    sumSR += s * r;
  }
  if (count < 2) return 0;
  const covariance = sumSR - (sumS * sumR) / count;
  const varianceS = sumSS - (sumS * sumS) / count;
  const varianceR = sumRR - (sumR * sumR) / count;
  // Below this (in squared basis points) a series is flat: rounding noise, not a signal to follow.
  const flat = 1e-6 * count;
  if (varianceS <= flat || varianceR <= flat) return 0;
  return covariance / Math.sqrt(varianceS * varianceR);
}

function precisionScore(signal: readonly Sample[], response: readonly number[]): number {
  let count = 0;
  let absoluteSignal = 0;
  let absoluteError = 0;
  signal.forEach((s, index) => {
    if (s === null) return;
    count += 1;
    absoluteSignal += Math.abs(s);
    absoluteError += Math.abs((response[index] ?? 0) - s);
  });
  if (count === 0) return 0;
  // An idle signal (all zero) asks for nothing: precise only if nothing was delivered.
  if (absoluteSignal === 0) return absoluteError === 0 ? 1 : 0;
  return Math.min(1, Math.max(0, 1 - absoluteError / absoluteSignal));
}

/** Sum of |move| between consecutive signal values; a gap is bridged from the last value seen. */
function mileage(signal: readonly Sample[]): number {
  let total = 0;
  let previous: number | null = null;
  for (const value of signal) {
    if (value === null) continue;
    if (previous !== null) total += Math.abs(value - previous);
    previous = value;
  }
  return total;
}
