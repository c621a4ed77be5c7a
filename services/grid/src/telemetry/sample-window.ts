/** How far ahead of this service's clock a sample may be (a meter's clock skew). */
export const MAX_CLOCK_SKEW_MS = 60_000;
const DAY_MS = 86_400_000;

/** Why samples were refused: a stable code, a sentence, and the figures. */
export interface SampleWindowRefusal {
  code: "TELEMETRY_SAMPLE_IN_FUTURE" | "TELEMETRY_SAMPLE_TOO_OLD";
  message: string;
  details: { at: string; now: string; earliest: string; latest: string };
}

/**
 * The first sample outside what is accepted: more than a minute ahead of `now`, or older than
 * the retention (it would be deleted by the next retention sweep); undefined when all fit.
 */
export function sampleWindowRefusal(
  samplesAtMs: readonly number[],
  now: Date,
  retentionDays: number,
): SampleWindowRefusal | undefined {
  const earliest = now.getTime() - retentionDays * DAY_MS;
  const latest = now.getTime() + MAX_CLOCK_SKEW_MS;
  const window = {
    now: now.toISOString(),
    earliest: new Date(earliest).toISOString(),
    latest: new Date(latest).toISOString(),
  };
  for (const atMs of samplesAtMs) {
    const at = new Date(atMs).toISOString();
    if (atMs > latest) {
      return {
        code: "TELEMETRY_SAMPLE_IN_FUTURE",
        message: `A sample at ${at} is more than ${MAX_CLOCK_SKEW_MS / 1_000} s ahead of this service's clock (${window.now}); check the meter's clock.`,
        details: { at, ...window },
      };
    }
    if (atMs < earliest) {
      return {
        code: "TELEMETRY_SAMPLE_TOO_OLD",
        message: `A sample at ${at} is older than the ${retentionDays} days telemetry is kept (earliest ${window.earliest}).`,
        details: { at, ...window },
      };
    }
  }
  return undefined;
}
