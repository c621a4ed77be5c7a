import { Controller, HttpCode, Inject, Post } from "@nestjs/common";
import { ApiTags } from "@nestjs/swagger";
import { z } from "zod";
import { CHAIN_WRITE_REFUSALS } from "@voltstack/chain-sync";
import { adminActionBody, expirySweepAnswer, type ExpirySweepResult } from "@voltstack/api";
import { type Caller, CurrentCaller, Operation, Roles, ZodBody } from "@voltstack/service-kit";
import { ExpirySweepUseCase } from "./usecases/expiry-sweep.usecase.js";

/** The periodic expiry sweep, on demand. */
@ApiTags("operations")
@Controller("admin/expiry-sweep")
export class ExpirySweepController {
  constructor(@Inject(ExpirySweepUseCase) private readonly sweep: ExpirySweepUseCase) {}

  @Operation({
    summary: "Runs the periodic expiry sweep now (admin): cancels the open requests past their expiry, refunding each.",
    answers: expirySweepAnswer,
    refuses: [CHAIN_WRITE_REFUSALS],
  })
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
