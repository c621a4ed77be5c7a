import { z } from "zod";
import { integerField, principalField, timestampField } from "../fields/answer-fields.js";

/**
 * pending: signed and journaled before its broadcast, not final yet (the node may or may
 * not have it); confirmed: succeeded on chain; failed: refused at broadcast, ended in an
 * error, or replaced by a transaction that took its nonce.
 */
export const JOURNAL_STATUSES = ["pending", "confirmed", "failed"] as const;
export type JournalStatus = (typeof JOURNAL_STATUSES)[number];

/** A chain transaction a service sent, as its journal keeps it (`GET /transactions`). */
export const journalEntryAnswer = z.object({
  id: z.string(),
  txid: z.string().nullable().meta({ description: "Null until the transaction is signed" }),
  requestedBy: z.string().meta({ description: "The caller that asked for the write" }),
  sender: principalField,
  nonce: z.string().nullable(),
  contract: z.string(),
  functionName: z.string(),
  arguments: z.array(z.string()),
  status: z.enum(JOURNAL_STATUSES),
  errorCode: z.string().nullable(),
  errorMessage: z.string().nullable(),
  blockHeight: integerField.nullable(),
  createdAt: timestampField,
  updatedAt: timestampField,
});

export type JournalEntry = z.output<typeof journalEntryAnswer>;

/** An event a service's consumer gave up on (`GET /dead-letters`); the discard fields are null until an admin discards it. */
export const deadLetterAnswer = z.object({
  id: z.uuid(),
  consumer: z.string(),
  eventId: z.string(),
  subject: z.string(),
  stream: z.string(),
  streamSeq: integerField,
  payload: z.string().meta({ description: "The message body as received, decoded as UTF-8" }),
  headers: z.record(z.string(), z.string()),
  errorCode: z.string(),
  errorMessage: z.string(),
  deliveries: integerField,
  failedAt: timestampField,
  replayedAt: timestampField.nullable(),
  replayCount: integerField,
  discardedAt: timestampField.nullable(),
  discardReason: z.string().nullable(),
  discardedBy: z.string().nullable(),
});

export type DeadLetter = z.output<typeof deadLetterAnswer>;

/** `POST /admin/resync`: the height the replay reached once at the chain's tip. */
export const resyncAnswer = z.object({ syncedHeight: integerField });

export type ResyncResult = z.output<typeof resyncAnswer>;

/** Where a service's read model stands against the chain (`GET /chain-sync/status`). */
export const syncStatusAnswer = z.object({
  /** The newest block the Stacks API has indexed. */
  tipHeight: integerField,
  /** The last height whose events the read model holds. */
  followerHeight: integerField,
  /** Blocks of the chain the read model is not known to hold yet: tip - follower height, at least 0. */
  lagBlocks: integerField,
  /** False while the follower is still catching up (its pass did not end within the status's wait). */
  caughtUp: z.boolean(),
  /** The chain's mean block interval over the last blocks (at most 100), seconds; null while unknown. */
  secondsPerBlock: z.number().nullable(),
});

export type SyncStatus = z.output<typeof syncStatusAnswer>;
