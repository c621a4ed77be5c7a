import { z } from "zod";
import { blockHeight, pageLimit } from "../fields/request-fields.js";
import { JOURNAL_STATUSES } from "./operations-answers.js";

export const listTransactionsQuery = z.strictObject({
  status: z.enum(JOURNAL_STATUSES).optional(),
  limit: pageLimit(50),
  offset: z
    .string()
    .regex(/^\d{1,6}$/, { error: "must be a whole number" })
    .transform(Number)
    .default(0),
});

export const txidParam = z.string().regex(/^(0x)?[0-9a-fA-F]{64}$/, {
  error: "must be a transaction id (64 hex digits)",
});

/** Which dead letters a list holds: open (neither replayed nor discarded, the default), replayed, discarded or all. */
export const DEAD_LETTER_STATES = ["open", "replayed", "discarded", "all"] as const;
export type DeadLetterState = (typeof DEAD_LETTER_STATES)[number];

/** The longest reason a discard keeps, in characters. */
export const MAX_DISCARD_REASON_LENGTH = 500;

export const listDeadLettersQuery = z.strictObject({
  subject: z.string().min(1).max(200).optional(),
  state: z.enum(DEAD_LETTER_STATES).default("open"),
  limit: pageLimit(50),
});

export const deadLetterIdParam = z.uuid({ error: "must be a dead letter id (a UUID)" });

export const discardDeadLetterBody = z.strictObject({
  reason: z
    .string({ error: "must say why the letter is discarded" })
    .trim()
    .min(1, { error: "must say why the letter is discarded" })
    .max(MAX_DISCARD_REASON_LENGTH, { error: `must be at most ${MAX_DISCARD_REASON_LENGTH} characters` }),
});

export const resyncBody = z.strictObject({ fromHeight: blockHeight() });
