import {
  DEAD_LETTER_STATES as API_DEAD_LETTER_STATES,
  deadLetterAnswer,
  deadLetterIdParam,
  discardDeadLetterBody,
  itemsAnswer,
  listDeadLettersQuery,
  MAX_DISCARD_REASON_LENGTH as API_MAX_DISCARD_REASON_LENGTH,
} from "@voltstack/api";
import { Controller, Get, HttpCode, Inject, Post, type Type } from "@nestjs/common";
import { ApiTags } from "@nestjs/swagger";
import type { z } from "zod";
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

// The API declares the store's states and discard limit again (it imports no server library):
// tsc fails here when the two differ.
DEAD_LETTER_STATES satisfies typeof API_DEAD_LETTER_STATES;
API_DEAD_LETTER_STATES satisfies typeof DEAD_LETTER_STATES;
MAX_DISCARD_REASON_LENGTH satisfies typeof API_MAX_DISCARD_REASON_LENGTH;
API_MAX_DISCARD_REASON_LENGTH satisfies typeof MAX_DISCARD_REASON_LENGTH;

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
    async list(
      @ZodQuery(listDeadLettersQuery) query: z.output<typeof listDeadLettersQuery>,
    ): Promise<{ items: DeadLetter[] }> {
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
    async replay(@ZodParam("id", deadLetterIdParam) id: string): Promise<DeadLetter> {
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
      @ZodParam("id", deadLetterIdParam) id: string,
      @ZodBody(discardDeadLetterBody) body: z.output<typeof discardDeadLetterBody>,
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
