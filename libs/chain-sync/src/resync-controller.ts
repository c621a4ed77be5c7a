import { Controller, HttpCode, Inject, Post, type Type } from "@nestjs/common";
import { ApiTags } from "@nestjs/swagger";
import { z } from "zod";
import { Roles, safeUint, ZodBody } from "@voltstack/service-kit";

/** What the endpoint needs of a service's follower: the height the replay reached once at the tip. */
export interface ReadModelResync {
  resync(fromHeight: number): Promise<number>;
}

const resyncBody = z.strictObject({ fromHeight: safeUint() });

/**
 * Lets admins rebuild a service's read model from the chain through the follower its
 * module provides under `syncService` (its sync service class or a token); answers
 * when the replay reached the tip.
 */
export function createResyncController(syncService: Type<ReadModelResync> | symbol | string): Type<unknown> {
  @ApiTags("operations")
  @Controller("admin/resync")
  class ResyncController {
    constructor(@Inject(syncService) private readonly sync: ReadModelResync) {}

    @Post()
    @HttpCode(200)
    @Roles("admin")
    async resync(@ZodBody(resyncBody) body: z.output<typeof resyncBody>): Promise<{ syncedHeight: number }> {
      return { syncedHeight: await this.sync.resync(body.fromHeight) };
    }
  }
  return ResyncController;
}
