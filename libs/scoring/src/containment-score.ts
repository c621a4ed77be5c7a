/**
 * Frequency containment scored by energy: at each step the frequency sets the power required (the
 * profile's droop, under-frequency asking for discharge), and the error is how far the metered
 * power lies outside what a compliant battery could deliver at that moment: anywhere between the
 * droop's target and that target reached at the slowest allowed ramp. The score is
 * 1 - error energy / max(required absolute energy, floor).
 */
import type { ContainmentProfile } from "./containment-profile.js";
import {
  checkCommittedPower,
  checkSameLength,
  checkStep,
  countMissing,
  type Sample,
  SECONDS_PER_HOUR,
  windowMeans,
} from "./telemetry.js";

export interface ContainmentInput {
  /** Measured grid frequency in mHz (e.g. 49,987). */
  frequencyMilliHz: readonly Sample[];
  /** Metered power in watts (positive = discharge), one sample per frequency step. */
  responseW: readonly Sample[];
  committedW: number;
  stepSeconds: number;
}

/** One point per 10 s, for a chart of what was required against what was delivered. */
export interface ContainmentSeriesPoint {
  offsetSeconds: number;
  /** Mean frequency over the interval; null when it is missing for the whole interval. */
  frequencyMilliHz: number | null;
  /** Mean power the droop asked for, in watts (positive = discharge). */
  requiredW: number | null;
  /** Mean metered power, in watts; missing samples count as zero. */
  responseW: number;
}

export interface ContainmentScore {
  /** 1 - errorWh / max(required absolute energy, floor), in [0, 1]; 0 when no step had a frequency. */
  score: number;
  /** Net energy the droop asked for (discharge positive), rounded to whole Wh. */
  requiredWh: number;
  /** Net energy delivered over the scored steps (discharge positive), rounded to whole Wh. */
  deliveredWh: number;
  /** Energy outside what a compliant response could deliver, summed without sign, rounded to whole Wh. */
  errorWh: number;
  /** Steps scored: those with a frequency. */
  samples: number;
  /** Scored steps with no response telemetry; each counted as zero power delivered. */
  missingSamples: number;
  /** Steps with no frequency; left out of the scoring. */
  skippedSamples: number;
  series: ContainmentSeriesPoint[];
}

const SERIES_INTERVAL_SECONDS = 10;

export function scoreContainment(input: ContainmentInput, profile: ContainmentProfile): ContainmentScore {
  const { frequencyMilliHz, responseW, committedW, stepSeconds } = input;
  checkStep(stepSeconds);
  checkCommittedPower(committedW);
  checkSameLength(["The frequency", "The response"], frequencyMilliHz, responseW);

  const rampWPerStep = (committedW * stepSeconds) / profile.fullActivationSeconds;
  const requiredW: Sample[] = [];
  let rampedW = 0;
  let samples = 0;
  let missingSamples = 0;
  let requiredWs = 0;
  let requiredAbsoluteWs = 0;
  let deliveredWs = 0;
  let errorWs = 0;
  frequencyMilliHz.forEach((frequency, index) => {
    if (frequency === null) {
      requiredW.push(null);
      return;
    }
    const targetW = droopW(frequency, committedW, profile);
    rampedW += Math.max(-rampWPerStep, Math.min(rampWPerStep, targetW - rampedW));
    const response = responseW[index] ?? null;
    if (response === null) missingSamples += 1;
    const delivered = response ?? 0;
    const lowest = Math.min(targetW, rampedW);
    const highest = Math.max(targetW, rampedW);
    const outsideW = delivered < lowest ? lowest - delivered : delivered > highest ? delivered - highest : 0;
    samples += 1;
    requiredW.push(targetW);
    requiredWs += targetW * stepSeconds;
    requiredAbsoluteWs += Math.abs(targetW) * stepSeconds;
    deliveredWs += delivered * stepSeconds;
    errorWs += outsideW * stepSeconds;
  });

  const floorWs = profile.errorFloorFraction * committedW * samples * stepSeconds;
  const denominatorWs = Math.max(requiredAbsoluteWs, floorWs);
  const score = samples === 0 ? 0 : Math.min(1, Math.max(0, 1 - errorWs / denominatorWs));
  const stepsPerPoint = Math.max(1, Math.round(SERIES_INTERVAL_SECONDS / stepSeconds));
  const meanFrequency = windowMeans(frequencyMilliHz, stepsPerPoint, "skip");
  const meanRequired = windowMeans(requiredW, stepsPerPoint, "skip");
  const meanResponse = windowMeans(responseW, stepsPerPoint, "zero");
  return {
    score,
    requiredWh: Math.round(requiredWs / SECONDS_PER_HOUR),
    deliveredWh: Math.round(deliveredWs / SECONDS_PER_HOUR),
    errorWh: Math.round(errorWs / SECONDS_PER_HOUR),
    samples,
    missingSamples,
    skippedSamples: countMissing(frequencyMilliHz),
    series: meanFrequency.map((frequency, index) => ({
      offsetSeconds: index * stepsPerPoint * stepSeconds,
      frequencyMilliHz: frequency === null ? null : Math.round(frequency),
      requiredW: roundOrNull(meanRequired[index] ?? null),
      responseW: Math.round(meanResponse[index] ?? 0),
    })),
  };
}

/**
 * The power the droop asks for at a frequency, in watts: none inside the deadband, rising linearly
 * from its edge to the full committed power at the full activation deviation; discharge
 * (positive) below nominal, charge above.
 */
export function droopW(frequencyMilliHz: number, committedW: number, profile: ContainmentProfile): number {
  const deviation = frequencyMilliHz - profile.nominalMilliHz;
  const beyondDeadband = Math.max(0, Math.abs(deviation) - profile.deadbandMilliHz);
  const activation = Math.min(1, beyondDeadband / (profile.fullActivationMilliHz - profile.deadbandMilliHz));
  return deviation < 0 ? activation * committedW : -activation * committedW;
}

function roundOrNull(value: number | null): number | null {
  return value === null ? null : Math.round(value);
}
