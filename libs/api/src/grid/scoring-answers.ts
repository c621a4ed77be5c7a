import { z } from "zod";
import {
  bpsField,
  chainWriteAnswer,
  integerField,
  kwField,
  kwhField,
  timestampField,
  ustxField,
} from "../fields/answer-fields.js";

/** How frequency containment is scored: fcr (ENTSO-E) or dynamic-containment (GB), as grid's period scores define them. */
export const CONTAINMENT_PROFILE_NAMES = ["fcr", "dynamic-containment"] as const;

const scoreFields = {
  facilityId: integerField,
  method: z.enum(["regulation", "containment", "energy"]),
  performanceBps: bpsField,
  deliveredKwh: kwhField,
  committedKw: kwField,
  window: z.object({ from: timestampField, to: timestampField, stepSeconds: integerField }),
  breakdown: z.record(z.string(), z.unknown()),
  scoredAt: timestampField,
};

/** The score a request was fulfilled with, computed from its facility's telemetry. */
export const requestScoreAnswer = z.object({ requestId: integerField, ...scoreFields });

/** One facility's score for one period: the numbers posted, what they earn, and what they were computed from. */
export const periodScoreAnswer = z.object({
  programId: integerField,
  period: integerField,
  ...scoreFields,
  amountUstx: ustxField.meta({ description: "What the line earns by settle-period's rule at the program's prices" }),
});

const series = z.array(z.unknown()).meta({ description: "The points the score was computed from (10 s), for a plot" });

export const fulfilFromTelemetryAnswer = chainWriteAnswer({
  requestId: integerField,
  performanceBps: bpsField,
  payoutUstx: ustxField,
  score: requestScoreAnswer,
});

export const requestScoreSeriesAnswer = requestScoreAnswer.extend({ series });

/** A program scored from telemetry, and the first of its periods not yet scored. */
export const scoredProgramAnswer = z.object({
  programId: integerField,
  containmentProfile: z.enum(CONTAINMENT_PROFILE_NAMES),
  nextPeriod: integerField,
});

export const periodScoresAnswer = z.object({
  programId: integerField,
  period: integerField,
  items: z.array(periodScoreAnswer),
});

export const periodScoreSeriesAnswer = periodScoreAnswer.extend({ series });

export const scoringSweepAnswer = z.object({
  height: integerField.nullable().meta({ description: "The tip read; null when no program is scored (nothing read)" }),
  periods: z.array(
    z.object({ programId: integerField, period: integerField, scored: integerField, posted: integerField }),
  ),
  failed: z.array(z.object({ programId: integerField, period: integerField, code: z.string(), message: z.string() })),
});

export type ContainmentProfileName = (typeof CONTAINMENT_PROFILE_NAMES)[number];
export type RequestScore = z.output<typeof requestScoreAnswer>;
export type PerformanceScore = z.output<typeof periodScoreAnswer>;
export type FulfilFromTelemetryResult = z.output<typeof fulfilFromTelemetryAnswer>;
export type ScoredProgram = z.output<typeof scoredProgramAnswer>;
export type PeriodScores = z.output<typeof periodScoresAnswer>;
export type ScoringSweepResult = z.output<typeof scoringSweepAnswer>;
