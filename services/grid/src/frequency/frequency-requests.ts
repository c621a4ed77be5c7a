import { z } from "zod";
import { safeUint, stacksPrincipal } from "@voltstack/service-kit";

const INT32_MAX = 2_147_483_647;
// One request carries at most this many readings (a meter's buffered minutes).
export const MAX_READINGS_PER_REQUEST = 1_000;

const milliHz = safeUint({ max: INT32_MAX }).min(1, { error: "must be a frequency in millihertz (50 Hz = 50000)" });

export const setFrequencyTargetBody = z.strictObject({
  targetMhz: milliHz,
  deadbandMhz: safeUint({ max: INT32_MAX }),
  actAs: stacksPrincipal.optional(),
});

const reading = z.strictObject({
  frequencyMhz: milliHz,
  /** When the meter measured it; the cadence is counted in these times. Defaults to the time of receipt. */
  measuredAt: z.iso.datetime({ offset: true, error: "must be an ISO 8601 date-time" }).optional(),
});

/** One reading, or a batch as a meter or oracle sends after buffering. */
export const frequencyReadingsBody = z.union([
  reading.extend({ actAs: stacksPrincipal.optional() }),
  z.strictObject({
    readings: z.array(reading).min(1).max(MAX_READINGS_PER_REQUEST),
    actAs: stacksPrincipal.optional(),
  }),
]);

export type FrequencyReadingsBody = z.output<typeof frequencyReadingsBody>;

export const setOracleBody = z.strictObject({
  enabled: z.boolean(),
  actAs: stacksPrincipal.optional(),
});

export const listReadingsQuery = z.strictObject({
  after: z
    .string()
    .regex(/^\d{1,15}$/, { error: "must be a reading id" })
    .transform(Number)
    .optional(),
  limit: z
    .string()
    .regex(/^\d{1,3}$/, { error: "must be a whole number from 1 to 100" })
    .transform(Number)
    .pipe(z.number().min(1).max(100))
    .default(20),
});
