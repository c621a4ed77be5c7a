import { Controller, HttpCode, Inject, Post } from "@nestjs/common";
import { ApiTags } from "@nestjs/swagger";
import { z } from "zod";
import { CHAIN_WRITE_REFUSALS } from "@voltstack/chain-sync";
import { programActionBody, settlementSweepAnswer, type SettlementSweepResult } from "@voltstack/api";
import { type Caller, CurrentCaller, Operation, Roles, ZodBody } from "@voltstack/service-kit";
import { GridChainWriter } from "../chain/grid-chain-writer.js";
import { SettlementSweepUseCase } from "./usecases/settlement-sweep.usecase.js";

/** The periodic settlement sweep, on demand. */
@ApiTags("operations")
@Controller("admin/settlement-sweep")
export class SettlementSweepController {
  constructor(
    @Inject(SettlementSweepUseCase) private readonly sweep: SettlementSweepUseCase,
    @Inject(GridChainWriter) private readonly writer: GridChainWriter,
  ) {}

  @Operation({
    summary:
      "Runs the periodic settlement sweep now (admin): settles ended periods, closes ended programs, releases their reservations.",
    answers: settlementSweepAnswer,
    refuses: [CHAIN_WRITE_REFUSALS],
  })
  @Post()
  @HttpCode(200)
  @Roles("admin")
  run(
    @ZodBody(programActionBody) body: z.output<typeof programActionBody>,
    @CurrentCaller() caller: Caller,
  ): Promise<SettlementSweepResult> {
    return this.sweep.execute(caller, this.writer.actingPrincipal(caller, body.actAs));
  }
}
