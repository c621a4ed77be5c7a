import { z } from "zod";
import { integerField, timestampField } from "../fields/answer-fields.js";

const stored = z.object({
  accepted: integerField.meta({ description: "Samples taken: a batch is stored whole or refused whole" }),
  slots: integerField.meta({ description: "Distinct 2-second slots they filled" }),
});

const points = z.array(z.number().nullable());

export const telemetryAcceptedAnswer = stored.extend({ facilityId: integerField });

export const telemetrySeriesAnswer = z.object({
  facilityId: integerField,
  from: timestampField,
  stepSeconds: integerField,
  powerW: points,
  storedWh: points,
  frequencyMilliHz: points,
});

export const regulationSignalAcceptedAnswer = stored.extend({ programId: integerField });

export const regulationSignalSeriesAnswer = z.object({
  programId: integerField,
  from: timestampField,
  stepSeconds: integerField,
  valueBps: z.array(integerField.nullable()),
});

export type TelemetryAccepted = z.output<typeof telemetryAcceptedAnswer>;
export type TelemetrySeries = z.output<typeof telemetrySeriesAnswer>;
export type RegulationSignalAccepted = z.output<typeof regulationSignalAcceptedAnswer>;
export type RegulationSignalSeries = z.output<typeof regulationSignalSeriesAnswer>;
