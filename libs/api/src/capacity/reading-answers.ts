import { z } from "zod";
import { integerField, kwhField, timestampField, txidField } from "../fields/answer-fields.js";

export const READING_OUTCOMES = ["written", "skipped", "superseded", "failed"] as const;

/** What became of one reading. */
export const readingAnswer = z.object({
  readingId: z.string(),
  facilityId: integerField,
  storedKwh: kwhField,
  measuredAt: timestampField,
  outcome: z.enum(READING_OUTCOMES),
  written: z.boolean().meta({ description: "True only when this reading's update-capacity transaction confirmed" }),
  reason: z.string().nullable().meta({
    description: "Why it was not written: BELOW_MIN_CHANGE, WITHIN_MIN_INTERVAL, SUPERSEDED or the chain's code",
  }),
  txid: txidField.nullable(),
  blockHeight: integerField.nullable(),
});

export const readingBatchAnswer = z.object({ results: z.array(readingAnswer), written: integerField });

export type ReadingOutcome = (typeof READING_OUTCOMES)[number];
export type CapacityReadingResult = z.output<typeof readingAnswer>;
export type CapacityReadingBatchResult = z.output<typeof readingBatchAnswer>;
