import { resyncAnswer, resyncBody, type ResyncResult } from "@voltstack/api";
import { Controller, HttpCode, Inject, Post, type Type } from "@nestjs/common";
import { ApiTags } from "@nestjs/swagger";
import type { z } from "zod";
import { ApiError, Operation, Roles, ZodBody } from "@voltstack/service-kit";
import { ChainSyncError } from "./chain-sync-error.js";

/** What the endpoint needs of a service's follower: the height the replay reached once at the tip. */
export interface ReadModelResync {
  resync(fromHeight: number): Promise<number>;
}

/**
 * Lets admins rebuild a service's read model from the chain through the follower its
 * module provides under `syncService` (its sync service class or a token); answers
 * when the replay reached the tip. A height above the tip is a 422 RESYNC_ABOVE_TIP
 * that changes nothing.
 */
export function createResyncController(syncService: Type<ReadModelResync> | symbol | string): Type<unknown> {
  @ApiTags("operations")
  @Controller("admin/resync")
  class ResyncController {
    constructor(@Inject(syncService) private readonly sync: ReadModelResync) {}

    @Operation({
      summary:
        "Rebuilds this service's read model from the chain from a height; answers once the replay reached the tip.",
      answers: resyncAnswer,
      refuses: [{ RESYNC_ABOVE_TIP: 422 }],
    })
    @Post()
    @HttpCode(200)
    @Roles("admin")
    async resync(@ZodBody(resyncBody) body: z.output<typeof resyncBody>): Promise<ResyncResult> {
      try {
        return { syncedHeight: await this.sync.resync(body.fromHeight) };
      } catch (error) {
        if (error instanceof ChainSyncError && error.code === "RESYNC_ABOVE_TIP") {
          throw ApiError.unprocessable(error.code, error.message, error.details);
        }
        throw error;
      }
    }
  }
  return ResyncController;
}
