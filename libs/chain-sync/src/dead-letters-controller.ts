import { Controller, Get, HttpCode, Inject, Post, type Type } from "@nestjs/common";
import { ApiTags } from "@nestjs/swagger";
import { z } from "zod";
import { type DeadLetter, type DeadLetterStore, MessagingError } from "@voltstack/messaging";
import { ApiError, Roles, ZodParam, ZodQuery } from "@voltstack/service-kit";

const listQuery = z.strictObject({
  subject: z.string().min(1).max(200).optional(),
  state: z.enum(["open", "replayed", "all"]).default("open"),
  limit: z
    .string()
    .regex(/^\d{1,3}$/, { error: "must be a whole number from 1 to 100" })
    .transform(Number)
    .pipe(z.number().min(1).max(100))
    .default(50),
});

const idParam = z.uuid({ error: "must be a dead letter id (a UUID)" });

/**
 * The events a service's consumers gave up on, for admins to inspect and replay, from
 * the dead-letter store its module provides under `storeToken`.
 */
export function createDeadLettersController(storeToken: symbol | string): Type<unknown> {
  @ApiTags("operations")
  @Controller("dead-letters")
  @Roles("admin")
  class DeadLettersController {
    constructor(@Inject(storeToken) private readonly store: DeadLetterStore<unknown>) {}

    @Get()
    async list(@ZodQuery(listQuery) query: z.output<typeof listQuery>): Promise<{ items: DeadLetter[] }> {
      return { items: await this.store.list(query) };
    }

    /** Publishes the event again under its original id; consumers that had processed it skip it. */
    @Post(":id/replay")
    @HttpCode(200)
    async replay(@ZodParam("id", idParam) id: string): Promise<DeadLetter> {
      try {
        return await this.store.replay(id);
      } catch (error) {
        if (error instanceof MessagingError && error.code === "DEAD_LETTER_NOT_FOUND") {
          throw ApiError.notFound(error.code, error.message, { id });
        }
        if (error instanceof MessagingError && error.code === "DEAD_LETTER_NOT_REPLAYABLE") {
          throw ApiError.conflict(error.code, error.message, { id });
        }
        throw error;
      }
    }
  }
  return DeadLettersController;
}
