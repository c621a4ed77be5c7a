import { Controller, HttpCode, Inject, Post } from "@nestjs/common";
import { ApiTags } from "@nestjs/swagger";
import type { z } from "zod";
import { type Caller, CurrentCaller, Roles, ZodBody } from "@voltstack/service-kit";
import { GridChainWriter } from "../chain-writes/grid-chain-writer.js";
import { programActionBody } from "./program-requests.js";
import { type SettlementSweepResult, SettlementSweepUseCase } from "./usecases/settlement-sweep.usecase.js";

/** The periodic settlement sweep, on demand. */
@ApiTags("operations")
@Controller("admin/settlement-sweep")
export class SettlementSweepController {
  constructor(
    @Inject(SettlementSweepUseCase) private readonly sweep: SettlementSweepUseCase,
    @Inject(GridChainWriter) private readonly writer: GridChainWriter,
  ) {}

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
