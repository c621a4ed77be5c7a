import { Controller, HttpCode, Inject, Post } from "@nestjs/common";
import { ApiTags } from "@nestjs/swagger";
import { z } from "zod";
import { Roles, safeUint, ZodBody } from "@voltstack/service-kit";
import { FlowSyncService } from "./flow-sync.service.js";

const resyncBody = z.strictObject({ fromHeight: safeUint() });

/** Operators rebuild the read model from the chain; answers when the replay reached the tip. */
@ApiTags("operations")
@Controller("admin/resync")
export class ResyncController {
  constructor(@Inject(FlowSyncService) private readonly flowSync: FlowSyncService) {}

  @Post()
  @HttpCode(200)
  @Roles("admin")
  async resync(@ZodBody(resyncBody) body: z.output<typeof resyncBody>): Promise<{ syncedHeight: number }> {
    return { syncedHeight: await this.flowSync.resync(body.fromHeight) };
  }
}
