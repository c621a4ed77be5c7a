import { Controller, Get, Inject, Post } from "@nestjs/common";
import { ApiTags } from "@nestjs/swagger";
import type { z } from "zod";
import type { ChainWriteResult } from "@voltstack/chain-sync";
import { ApiError, type Caller, CurrentCaller, Roles, ZodBody, ZodParam } from "@voltstack/service-kit";
import { FlowReadModel, type ScheduleView, type SuggestedActionView } from "./flow-read-model.js";
import { facilityIdParam, recordFlowBody } from "./flow-requests.js";
import { RecordFlowUseCase } from "./usecases/record-flow.usecase.js";

type RecordAnswer = ChainWriteResult & { recordId: number; facilityId: number };

/** A facility's flows (recorded on chain), its suggested action and its schedule (from the read model). */
@ApiTags("facilities")
@Controller("facilities/:id")
export class FacilityFlowsController {
  constructor(
    @Inject(RecordFlowUseCase) private readonly recordFlow: RecordFlowUseCase,
    @Inject(FlowReadModel) private readonly readModel: FlowReadModel,
  ) {}

  @Post("charges")
  @Roles("owner", "operator")
  charge(
    @ZodParam("id", facilityIdParam) facilityId: number,
    @ZodBody(recordFlowBody) body: z.output<typeof recordFlowBody>,
    @CurrentCaller() caller: Caller,
  ): Promise<RecordAnswer> {
    return this.recordFlow.execute({ caller, facilityId, action: "charge", ...body });
  }

  @Post("discharges")
  @Roles("owner", "operator")
  discharge(
    @ZodParam("id", facilityIdParam) facilityId: number,
    @ZodBody(recordFlowBody) body: z.output<typeof recordFlowBody>,
    @CurrentCaller() caller: Caller,
  ): Promise<RecordAnswer> {
    return this.recordFlow.execute({ caller, facilityId, action: "discharge", ...body });
  }

  @Get("suggested-action")
  async suggestedAction(@ZodParam("id", facilityIdParam) facilityId: number): Promise<SuggestedActionView> {
    const suggestion = await this.readModel.suggestedAction(facilityId);
    if (!suggestion) throw notTracked(facilityId);
    return suggestion;
  }

  @Get("schedule")
  async schedule(@ZodParam("id", facilityIdParam) facilityId: number): Promise<ScheduleView> {
    const schedule = await this.readModel.schedule(facilityId);
    if (!schedule) throw notTracked(facilityId);
    return schedule;
  }
}

function notTracked(facilityId: number): ApiError {
  return ApiError.notFound(
    "FACILITY_NOT_TRACKED",
    `No capacity of facility ${facilityId} has reached this service (unknown, or not initialised yet).`,
    { facilityId },
  );
}
