/**
 * What the grid asks of a facility: a regulation signal for signal-following products and a
 * measured frequency for frequency containment. Both are integer series, one value per step.
 */
import type { Random } from "./random.js";

export interface SeriesShape {
  /** Length of the series in seconds; the series has floor(seconds / stepSeconds) values. */
  seconds: number;
  stepSeconds: number;
}

/** Full scale of the regulation signal: basis points of committed power. */
export const REGULATION_FULL_SCALE_BPS = 10_000;

/**
 * A fast, roughly energy-neutral regulation signal in -10,000..10,000 basis points of committed
 * power (positive asks for discharge), shaped like PJM's RegD: a few swings with periods of one
 * to ten minutes under a fast random component with a time constant of about 20 s. The mean is
 * removed before scaling, so the energy asked for over the series nets to about zero.
 */
export function regulationSignal(random: Random, { seconds, stepSeconds }: SeriesShape): number[] {
  const count = Math.floor(seconds / stepSeconds);
  const swings = Array.from({ length: 3 }, () => ({
    periodSeconds: random.between(60, 600),
    phase: random.between(0, 2 * Math.PI),
    amplitude: random.between(0.3, 1),
  }));
  const fastTimeConstantSeconds = 20;
  const keep = Math.exp(-stepSeconds / fastTimeConstantSeconds);
  const fastDeviation = 0.4;
  const innovation = fastDeviation * Math.sqrt(1 - keep * keep);
  let fast = 0;
  const raw = Array.from({ length: count }, (_, index) => {
    const t = index * stepSeconds;
    fast = fast * keep + innovation * random.normal();
    return swings.reduce(
      (sum, swing) => sum + swing.amplitude * Math.sin((2 * Math.PI * t) / swing.periodSeconds + swing.phase),
      fast,
    );
  });
  const mean = raw.reduce((sum, value) => sum + value, 0) / Math.max(1, count);
  const peak = raw.reduce((largest, value) => Math.max(largest, Math.abs(value - mean)), 0);
  // The largest swing reaches 95 % of full scale; the rest of the signal scales with it.
  const scale = peak === 0 ? 0 : (0.95 * REGULATION_FULL_SCALE_BPS) / peak;
  return raw.map((value) => Math.round((value - mean) * scale));
}

export interface FrequencyShape extends SeriesShape {
  /** 50,000 mHz in Europe and Great Britain, 60,000 in North America. */
  nominalMilliHz: number;
}

/**
 * A grid frequency in mHz: mean-reverting noise (time constant 60 s, standard deviation 25 mHz)
 * and, about once in twenty minutes, an excursion of 100-300 mHz either way that arrives in 5-10 s
 * (a lost generator or load) and decays over one to three minutes as reserves restore it.
 */
export function frequencyTrace(random: Random, { seconds, stepSeconds, nominalMilliHz }: FrequencyShape): number[] {
  const count = Math.floor(seconds / stepSeconds);
  const revertTimeConstantSeconds = 60;
  const noiseDeviationMilliHz = 25;
  const excursionsPerSecond = 1 / 1_200;
  const keep = Math.exp(-stepSeconds / revertTimeConstantSeconds);
  const innovation = noiseDeviationMilliHz * Math.sqrt(1 - keep * keep);
  let noise = noiseDeviationMilliHz * random.normal();
  const excursions: { startSeconds: number; depthMilliHz: number; arrivalSeconds: number; decaySeconds: number }[] = [];
  return Array.from({ length: count }, (_, index) => {
    const t = index * stepSeconds;
    noise = noise * keep + innovation * random.normal();
    if (random.next() < excursionsPerSecond * stepSeconds) {
      excursions.push({
        startSeconds: t,
        depthMilliHz: (random.next() < 0.5 ? -1 : 1) * random.between(100, 300),
        arrivalSeconds: random.between(5, 10),
        decaySeconds: random.between(60, 180),
      });
    }
    const excursion = excursions.reduce((sum, { startSeconds, depthMilliHz, arrivalSeconds, decaySeconds }) => {
      const since = t - startSeconds;
      const arrived = Math.min(1, since / arrivalSeconds);
      const decayed = since <= arrivalSeconds ? 1 : Math.exp(-(since - arrivalSeconds) / (decaySeconds / 3));
      return sum + depthMilliHz * arrived * decayed;
    }, 0);
    return Math.round(nominalMilliHz + noise + excursion);
  });
}
