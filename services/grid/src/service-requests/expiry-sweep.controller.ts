import { Controller, HttpCode, Inject, Post } from "@nestjs/common";
import { ApiTags } from "@nestjs/swagger";
import type { z } from "zod";
import { type Caller, CurrentCaller, Roles, ZodBody } from "@voltstack/service-kit";
import { adminActionBody } from "./service-request-requests.js";
import { type ExpirySweepResult, ExpirySweepUseCase } from "./usecases/expiry-sweep.usecase.js";

/** The periodic expiry sweep, on demand. */
@ApiTags("operations")
@Controller("admin/expiry-sweep")
export class ExpirySweepController {
  constructor(@Inject(ExpirySweepUseCase) private readonly sweep: ExpirySweepUseCase) {}

  @Post()
  @HttpCode(200)
  @Roles("admin")
  run(
    @ZodBody(adminActionBody) body: z.output<typeof adminActionBody>,
    @CurrentCaller() caller: Caller,
  ): Promise<ExpirySweepResult> {
    return this.sweep.execute(caller, body.actAs);
  }
}
