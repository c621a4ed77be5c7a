import { Controller, Get, Inject, Put } from "@nestjs/common";
import { ApiTags } from "@nestjs/swagger";
import { z } from "zod";
import { CHAIN_WRITE_REFUSALS } from "@voltstack/chain-sync";
import {
  type GridDemand,
  gridDemandAnswer,
  setDemandBody,
  setGridDemandAnswer,
  type SetGridDemandResult,
  setThresholdsBody,
} from "@voltstack/api";
import { type Caller, CurrentCaller, Operation, Roles, ZodBody } from "@voltstack/service-kit";
import { STATUS_BY_CONTRACT_ERROR } from "../chain/chain-write-errors.js";
import { FlowRepository } from "../flow/flow-repository.js";
import { SetDemandThresholdsUseCase } from "./usecases/set-demand-thresholds.usecase.js";
import { SetGridDemandUseCase } from "./usecases/set-grid-demand.usecase.js";

/** The grid's demand level and thresholds: admins set them on chain, anyone reads the read model. */
@ApiTags("grid")
@Controller("grid")
export class GridController {
  constructor(
    @Inject(SetGridDemandUseCase) private readonly setGridDemand: SetGridDemandUseCase,
    @Inject(SetDemandThresholdsUseCase) private readonly setDemandThresholds: SetDemandThresholdsUseCase,
    @Inject(FlowRepository) private readonly readModel: FlowRepository,
  ) {}

  @Operation({
    summary: "Sets the grid's demand level on chain (admin); facilities are replanned from it.",
    answers: setGridDemandAnswer,
    refuses: [CHAIN_WRITE_REFUSALS, STATUS_BY_CONTRACT_ERROR],
  })
  @Put("demand")
  @Roles("admin")
  setDemand(
    @ZodBody(setDemandBody) body: z.output<typeof setDemandBody>,
    @CurrentCaller() caller: Caller,
  ): Promise<SetGridDemandResult> {
    return this.setGridDemand.execute({ caller, ...body });
  }

  @Operation({
    summary: "Sets the demand thresholds of the contract's charge and discharge rule on chain (admin).",
    answers: setGridDemandAnswer,
    refuses: [CHAIN_WRITE_REFUSALS, STATUS_BY_CONTRACT_ERROR],
  })
  @Put("thresholds")
  @Roles("admin")
  setThresholds(
    @ZodBody(setThresholdsBody) body: z.output<typeof setThresholdsBody>,
    @CurrentCaller() caller: Caller,
  ): Promise<SetGridDemandResult> {
    return this.setDemandThresholds.execute({ caller, ...body });
  }

  @Operation({
    summary: "The grid's demand level and thresholds as the read model holds them.",
    answers: gridDemandAnswer,
  })
  @Get("demand")
  demand(): Promise<GridDemand> {
    return this.readModel.gridDemand();
  }
}
