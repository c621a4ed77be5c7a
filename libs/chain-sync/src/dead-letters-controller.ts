import { itemsAnswer, integerField, pageLimit, timestampField } from "@voltstack/api";
import { Controller, Get, HttpCode, Inject, Post, type Type } from "@nestjs/common";
import { ApiTags } from "@nestjs/swagger";
import { z } from "zod";
import {
  DEAD_LETTER_STATES,
  type DeadLetter,
  type DeadLetterStore,
  MAX_DISCARD_REASON_LENGTH,
  MessagingError,
} from "@voltstack/messaging";
import {
  ApiError,
  type Caller,
  CurrentCaller,
  Operation,
  type Refusals,
  Roles,
  ZodBody,
  ZodParam,
  ZodQuery,
} from "@voltstack/service-kit";

const listQuery = z.strictObject({
  subject: z.string().min(1).max(200).optional(),
  state: z.enum(DEAD_LETTER_STATES).default("open"),
  limit: pageLimit(50),
});

const idParam = z.uuid({ error: "must be a dead letter id (a UUID)" });

const discardBody = z.strictObject({
  reason: z
    .string({ error: "must say why the letter is discarded" })
    .trim()
    .min(1, { error: "must say why the letter is discarded" })
    .max(MAX_DISCARD_REASON_LENGTH, { error: `must be at most ${MAX_DISCARD_REASON_LENGTH} characters` }),
});

const deadLetterAnswer = z.object({
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

// What the store refuses, as HTTP answers.
const STATUS_OF: Record<string, number> = {
  DEAD_LETTER_NOT_FOUND: 404,
  DEAD_LETTER_NOT_REPLAYABLE: 409,
  DEAD_LETTER_DISCARDED: 409,
  DEAD_LETTER_ALREADY_DISCARDED: 409,
  DEAD_LETTER_ALREADY_REPLAYED: 409,
} satisfies Refusals;

/**
 * The events a service's consumers gave up on, for admins to inspect, replay or discard
 * (with a reason kept), from the dead-letter store its module provides under `storeToken`.
 */
export function createDeadLettersController(storeToken: symbol | string): Type<unknown> {
  @ApiTags("operations")
  @Controller("dead-letters")
  @Roles("admin")
  class DeadLettersController {
    constructor(@Inject(storeToken) private readonly store: DeadLetterStore<unknown>) {}

    @Operation({
      summary:
        "The letters this service's consumers gave up on, newest first (open ones unless `state` says otherwise).",
      answers: itemsAnswer(deadLetterAnswer),
    })
    @Get()
    async list(@ZodQuery(listQuery) query: z.output<typeof listQuery>): Promise<{ items: DeadLetter[] }> {
      return { items: await this.store.list(query) };
    }

    /** Publishes the event again under its original id; consumers that had processed it skip it. */
    @Operation({
      summary: "Publishes the letter's event again under its original id; consumers that had processed it skip it.",
      answers: deadLetterAnswer,
      refuses: [STATUS_OF],
    })
    @Post(":id/replay")
    @HttpCode(200)
    async replay(@ZodParam("id", idParam) id: string): Promise<DeadLetter> {
      return this.#answer(id, () => this.store.replay(id));
    }

    /** Keeps the letter out of the open ones for good, with who discarded it and why; it is never replayed. */
    @Operation({
      summary: "Discards the letter for good, keeping who discarded it and why; it is never replayed.",
      answers: deadLetterAnswer,
      refuses: [STATUS_OF],
    })
    @Post(":id/discard")
    @HttpCode(200)
    async discard(
      @ZodParam("id", idParam) id: string,
      @ZodBody(discardBody) body: z.output<typeof discardBody>,
      @CurrentCaller() caller: Caller,
    ): Promise<DeadLetter> {
      return this.#answer(id, () => this.store.discard(id, { reason: body.reason, discardedBy: caller.id }));
    }

    async #answer(id: string, work: () => Promise<DeadLetter>): Promise<DeadLetter> {
      try {
        return await work();
      } catch (error) {
        const status = error instanceof MessagingError ? STATUS_OF[error.code] : undefined;
        if (!status) throw error;
        const letter = await this.store.get(id);
        const details = letter
          ? {
              id,
              replayedAt: letter.replayedAt,
              discardedAt: letter.discardedAt,
              discardReason: letter.discardReason,
              discardedBy: letter.discardedBy,
            }
          : { id };
        throw new ApiError(status, (error as MessagingError).code, (error as MessagingError).message, details);
      }
    }
  }
  return DeadLettersController;
}
