import { Controller, HttpCode, Inject, Post } from "@nestjs/common";
import { ApiTags } from "@nestjs/swagger";
import { z } from "zod";
import { CHAIN_WRITE_REFUSALS } from "@voltstack/chain-sync";
import { integerField, txidField, ustxField } from "@voltstack/api";
import { type Caller, CurrentCaller, Operation, Roles, ZodBody } from "@voltstack/service-kit";
import { figureField } from "../chain/grid-answers.js";
import { GridChainWriter } from "../chain/grid-chain-writer.js";
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

  @Operation({
    summary:
      "Runs the periodic settlement sweep now (admin): settles ended periods, closes ended programs, releases their reservations.",
    answers: z.object({
      height: integerField,
      settled: z.array(
        z.object({
          programId: integerField,
          cohort: integerField,
          period: integerField,
          txid: txidField,
          zeroed: integerField,
        }),
      ),
      failed: z.array(
        z.object({
          programId: integerField,
          cohort: integerField,
          period: integerField,
          code: z.string(),
          message: z.string(),
        }),
      ),
      closed: z.array(z.object({ programId: integerField, refundUstx: ustxField, txid: txidField })),
      released: z.array(
        z.object({ programId: integerField, cohort: integerField, releasedKwh: figureField, txid: txidField }),
      ),
      endFailed: z.array(
        z.object({ programId: integerField, cohort: integerField.nullable(), code: z.string(), message: z.string() }),
      ),
    }),
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
