import { z } from "zod";
import { cursorParam, pageLimit, pgInteger } from "../fields/request-fields.js";
import { stacksPrincipal } from "../fields/stacks-principal.js";

// One request carries at most this many readings (a meter's buffered minutes).
export const MAX_READINGS_PER_REQUEST = 1_000;

// The read model keeps frequencies in INTEGER columns.
const milliHz = pgInteger({ min: 1 }).describe("A frequency in millihertz (50 Hz = 50000).");

export const setFrequencyTargetBody = z.strictObject({
  targetMhz: milliHz,
  deadbandMhz: pgInteger(),
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
  // Readings have BIGINT ids; a JSON number holds them up to 2^53 - 1.
  after: cursorParam("reading", { max: Number.MAX_SAFE_INTEGER }).optional(),
  limit: pageLimit(20),
});
