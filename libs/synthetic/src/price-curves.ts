import type { Random } from "./random.js";

/**
 * Synthetic wholesale energy prices in integer micro-STX per kWh, one per step, for planning
 * tests and benchmarks. The shape follows what day-ahead markets show: a night trough, a
 * morning and a larger evening peak, flatter and cheaper weekends, dearer winters, correlated
 * noise, rare short spikes and, when asked, a midday solar dip that goes below zero on sunny days.
 */
export interface PriceCurveOptions {
  days: number;
  stepMinutes: number;
  /** Average price level before shape and noise, micro-STX per kWh (default 80,000 = 0.08 STX). */
  baseMicroStx?: number;
  /** Day of the year (0 = 1 January) of the first step, for the seasonal drift (default 0). */
  startDayOfYear?: number;
  /** Weekday of the first day, 0 = Monday (default 0). */
  startWeekday?: number;
  /** Relative size of the step-to-step noise (default 0.08). */
  noiseFraction?: number;
  /** Chance per day that a spike of 3 to 6 times the price lasts an hour or two (default 0.03). */
  spikesPerDay?: number;
  /** Chance per day of a sunny midday deep enough to push prices below zero (default 0: never). */
  negativeMiddayChance?: number;
}

const HOURS_PER_DAY = 24;
const DAYS_PER_YEAR = 365;
/** Correlation of the noise from one hour to the next: prices wander, they do not flicker. */
const NOISE_CORRELATION_PER_HOUR = 0.7;

export function priceCurve(random: Random, options: PriceCurveOptions): number[] {
  const {
    days,
    stepMinutes,
    baseMicroStx = 80_000,
    startDayOfYear = 0,
    startWeekday = 0,
    noiseFraction = 0.08,
    spikesPerDay = 0.03,
    negativeMiddayChance = 0,
  } = options;
  if (!Number.isInteger(days) || days < 1) throw new RangeError(`days must be a positive integer, got ${days}`);
  if (!Number.isInteger(stepMinutes) || stepMinutes < 1 || (HOURS_PER_DAY * 60) % stepMinutes !== 0) {
    throw new RangeError(`stepMinutes must divide a day into whole steps, got ${stepMinutes}`);
  }
  const stepsPerDay = (HOURS_PER_DAY * 60) / stepMinutes;
  const stepHours = stepMinutes / 60;
  const correlation = NOISE_CORRELATION_PER_HOUR ** stepHours;
  const innovation = Math.sqrt(1 - correlation * correlation);
  let noise = random.normal();
  let spikeStepsLeft = 0;
  let spikeFactor = 1;
  const prices: number[] = [];
  for (let day = 0; day < days; day += 1) {
    const weekend = (startWeekday + day) % 7 >= 5;
    const dayOfYear = (startDayOfYear + day) % DAYS_PER_YEAR;
    // Winter (mid-January) about 15 % above the mean, summer about 15 % below.
    const season = 1 + 0.15 * Math.cos((2 * Math.PI * (dayOfYear - 15)) / DAYS_PER_YEAR);
    const solarDepth = random.next() < negativeMiddayChance ? random.between(1.1, 1.6) : random.between(0, 0.4);
    const spikeStep = random.next() < spikesPerDay ? Math.floor(random.next() * stepsPerDay) : -1;
    for (let step = 0; step < stepsPerDay; step += 1) {
      const hour = step * stepHours;
      const peaks = weekend ? 0.6 : 1;
      const shape =
        0.75 +
        peaks * 0.35 * bump(hour, 8, 1.5) +
        peaks * 0.6 * bump(hour, 19, 2) -
        0.2 * bump(hour, 3.5, 2.5) -
        (weekend ? 0.1 : 0);
      const solar = solarDepth * (1 - 0.2 * (season - 1)) * bump(hour, 13, 2);
      noise = correlation * noise + innovation * random.normal();
      if (step === spikeStep) {
        spikeStepsLeft = Math.max(1, Math.round(random.between(1, 2) / stepHours));
        spikeFactor = random.between(3, 6);
      }
      const spike = spikeStepsLeft > 0 ? spikeFactor : 1;
      spikeStepsLeft = Math.max(0, spikeStepsLeft - 1);
      const level = (shape * season - solar) * (1 + noiseFraction * noise) * spike;
      prices.push(Math.round(baseMicroStx * level));
    }
  }
  return prices;
}

export interface ForecastOptions {
  /** Typical forecast error as a fraction of the price level (0.1 = about 10 %). */
  errorFraction: number;
}

/**
 * A forecast of `actual`: the actual curve plus correlated error whose size scales with each
 * step's price and with the curve's average level (so prices near zero still get some error).
 */
export function forecastOf(random: Random, actual: readonly number[], options: ForecastOptions): number[] {
  const { errorFraction } = options;
  if (!(errorFraction >= 0)) throw new RangeError(`errorFraction must be at least 0, got ${errorFraction}`);
  const meanLevel = actual.reduce((sum, price) => sum + Math.abs(price), 0) / Math.max(1, actual.length);
  const correlation = 0.8;
  const innovation = Math.sqrt(1 - correlation * correlation);
  let error = random.normal();
  return actual.map((price) => {
    error = correlation * error + innovation * random.normal();
    return Math.round(price + errorFraction * (0.5 * Math.abs(price) + 0.5 * meanLevel) * error);
  });
}

/** A smooth bump of height 1 at `centreHour`, `widthHours` wide (one standard deviation). */
function bump(hour: number, centreHour: number, widthHours: number): number {
  const distance = Math.min(Math.abs(hour - centreHour), HOURS_PER_DAY - Math.abs(hour - centreHour));
  return Math.exp(-(distance * distance) / (2 * widthHours * widthHours));
}
