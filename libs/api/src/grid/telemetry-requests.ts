import { telemetrySampleSchema } from "@voltstack/events";
import { z } from "zod";

// A query spans at most this much: 10,800 steps of 2 s per channel.
export const MAX_SERIES_SPAN_MS = 6 * 3_600_000;
// One request carries at most an hour of 2-second samples, as one telemetry.reported event does.
export const MAX_SAMPLES_PER_REQUEST = 1_800;

/** The samples of a telemetry.reported event (the catalog's own sample schema); the facility comes from the path. */
export const telemetryBody = z
  .strictObject({ samples: z.array(telemetrySampleSchema).min(1).max(MAX_SAMPLES_PER_REQUEST) })
  .refine((body) => new Set(body.samples.map((sample) => sample.at)).size === body.samples.length, {
    path: ["samples"],
    message: "lists one instant twice",
  });

export type TelemetryBody = z.output<typeof telemetryBody>;

export const regulationSignalBody = z
  .strictObject({
    samples: z
      .array(
        z.strictObject({
          at: z.iso.datetime({ error: "must be an ISO 8601 date-time (UTC)" }),
          valueBps: z
            .int()
            .min(-10_000)
            .max(10_000)
            .describe("The requested output in basis points of committed power: + discharge, - charge."),
        }),
      )
      .min(1)
      .max(MAX_SAMPLES_PER_REQUEST),
  })
  .refine((body) => new Set(body.samples.map((sample) => sample.at)).size === body.samples.length, {
    path: ["samples"],
    message: "lists one instant twice",
  });

export type RegulationSignalBody = z.output<typeof regulationSignalBody>;

/** A window [from, to) of at most six hours. */
export const seriesQuery = z
  .strictObject({
    from: z.iso.datetime({ offset: true, error: "must be an ISO 8601 date-time" }),
    to: z.iso.datetime({ offset: true, error: "must be an ISO 8601 date-time" }),
  })
  .superRefine((query, ctx) => {
    const span = Date.parse(query.to) - Date.parse(query.from);
    if (span <= 0) ctx.addIssue({ code: "custom", path: ["to"], message: "must be after from" });
    if (span > MAX_SERIES_SPAN_MS) {
      ctx.addIssue({
        code: "custom",
        path: ["to"],
        message: `spans ${Math.ceil(span / 60_000)} minutes; at most ${MAX_SERIES_SPAN_MS / 60_000} per request`,
      });
    }
  });
