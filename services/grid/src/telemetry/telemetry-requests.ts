import { z } from "zod";
import { MAX_SAMPLES_PER_REQUEST } from "@voltstack/api";
import { telemetrySampleSchema } from "@voltstack/events";

// The samples' own schema is the event catalogue's (telemetry.reported), which @voltstack/api does not depend on.

/** The samples of a telemetry.reported event; the facility comes from the path. */
export const telemetryBody = z
  .strictObject({ samples: z.array(telemetrySampleSchema).min(1).max(MAX_SAMPLES_PER_REQUEST) })
  .refine((body) => new Set(body.samples.map((sample) => sample.at)).size === body.samples.length, {
    path: ["samples"],
    message: "lists one instant twice",
  });

export type TelemetryBody = z.output<typeof telemetryBody>;
