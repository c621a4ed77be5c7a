import { Controller, Get, Inject, Put } from "@nestjs/common";
import { ApiTags } from "@nestjs/swagger";
import type { z } from "zod";
import type { ChainWriteResult } from "@voltstack/chain-sync";
import { type Caller, CurrentCaller, Roles, ZodBody } from "@voltstack/service-kit";
import { FlowReadModel, type GridDemandView } from "../flow/flow-read-model.js";
import { setDemandBody, setThresholdsBody } from "../flow/flow-requests.js";
import { SetDemandThresholdsUseCase } from "./usecases/set-demand-thresholds.usecase.js";
import { SetGridDemandUseCase } from "./usecases/set-grid-demand.usecase.js";

/** The grid's demand level and thresholds: admins set them on chain, anyone reads the read model. */
@ApiTags("grid")
@Controller("grid")
export class GridController {
  constructor(
    @Inject(SetGridDemandUseCase) private readonly setGridDemand: SetGridDemandUseCase,
    @Inject(SetDemandThresholdsUseCase) private readonly setDemandThresholds: SetDemandThresholdsUseCase,
    @Inject(FlowReadModel) private readonly readModel: FlowReadModel,
  ) {}

  @Put("demand")
  @Roles("admin")
  setDemand(
    @ZodBody(setDemandBody) body: z.output<typeof setDemandBody>,
    @CurrentCaller() caller: Caller,
  ): Promise<ChainWriteResult> {
    return this.setGridDemand.execute({ caller, ...body });
  }

  @Put("thresholds")
  @Roles("admin")
  setThresholds(
    @ZodBody(setThresholdsBody) body: z.output<typeof setThresholdsBody>,
    @CurrentCaller() caller: Caller,
  ): Promise<ChainWriteResult> {
    return this.setDemandThresholds.execute({ caller, ...body });
  }

  @Get("demand")
  demand(): Promise<GridDemandView> {
    return this.readModel.gridDemand();
  }
}
