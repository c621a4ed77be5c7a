import { z } from "zod";
import {
  chainWriteAnswer,
  integerField,
  itemsAnswer,
  pageAnswer,
  principalField,
  timestampField,
  txidField,
} from "../fields/answer-fields.js";

/** Why a reading went on chain (state-change, cadence) or did not (skipped). */
export const READING_DECISIONS = ["state-change", "cadence", "skipped"] as const;
export type ReadingDecision = (typeof READING_DECISIONS)[number];

const decision = z.enum(READING_DECISIONS);

export const setFrequencyTargetAnswer = chainWriteAnswer({ targetMhz: integerField, deadbandMhz: integerField });

/** Every reading taken, and which went on chain and why. */
export const frequencyIngestAnswer = z.object({
  received: integerField,
  written: integerField,
  readings: z.array(
    z.object({
      index: integerField.meta({ description: "Position in the request" }),
      frequencyMhz: integerField,
      measuredAt: timestampField,
      deviating: z.boolean(),
      decision,
      written: z.boolean(),
      txid: txidField.nullable(),
      blockHeight: integerField.nullable(),
    }),
  ),
});

/** One ingested reading and what the service did with it. */
const frequencyReadingAnswer = z.object({
  id: integerField,
  source: z.string().meta({ description: "The API key (or JWT subject) that sent it" }),
  frequencyMhz: integerField,
  measuredAt: timestampField,
  receivedAt: timestampField,
  deviating: z.boolean(),
  decision,
  written: z.boolean(),
  txid: txidField.nullable(),
  blockHeight: integerField.nullable(),
});

export const frequencyReadingPageAnswer = pageAnswer(frequencyReadingAnswer);

export const setOracleAnswer = chainWriteAnswer({ oracle: principalField, enabled: z.boolean() });

/** A principal enabled or disabled as a frequency reporter, as the chain last showed it. */
const frequencyOracleAnswer = z.object({
  oracle: principalField,
  enabled: z.boolean(),
  lastTxid: txidField,
  lastHeight: integerField,
  updatedAt: timestampField,
});

export const frequencyOraclesAnswer = itemsAnswer(frequencyOracleAnswer);

/** The frequency settings, the last on-chain reading and the newest reading received. */
export const frequencyStatusAnswer = z.object({
  targetMhz: integerField,
  deadbandMhz: integerField,
  lastReadingMhz: integerField.nullable(),
  lastReadingHeight: integerField.nullable(),
  lastReporter: principalField.nullable(),
  deviating: z.boolean(),
  lastTxid: txidField.nullable(),
  lastHeight: integerField.nullable(),
  lastIngested: z
    .object({
      frequencyMhz: integerField,
      measuredAt: timestampField,
      deviating: z.boolean(),
      decision: z.string(),
    })
    .nullable(),
});

export type SetFrequencyTargetResult = z.output<typeof setFrequencyTargetAnswer>;
export type FrequencyIngest = z.output<typeof frequencyIngestAnswer>;
export type FrequencyReading = z.output<typeof frequencyReadingAnswer>;
export type FrequencyReadingPage = z.output<typeof frequencyReadingPageAnswer>;
export type SetOracleResult = z.output<typeof setOracleAnswer>;
export type FrequencyOracle = z.output<typeof frequencyOracleAnswer>;
export type FrequencyStatus = z.output<typeof frequencyStatusAnswer>;
