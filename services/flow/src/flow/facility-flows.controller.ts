import { Controller, Get, Inject, Post } from "@nestjs/common";
import { ApiTags } from "@nestjs/swagger";
import { z } from "zod";
import { CHAIN_WRITE_REFUSALS, FACILITY_SIGNER_REFUSALS } from "@voltstack/chain-sync";
import {
  facilityIdParam,
  recordFlowAnswer,
  recordFlowBody,
  type RecordFlowResult,
  type Schedule,
  scheduleAnswer,
  type SuggestedAction,
  suggestedActionAnswer,
} from "@voltstack/api";
import { ApiError, type Caller, CurrentCaller, Operation, Roles, ZodBody, ZodParam } from "@voltstack/service-kit";
import { STATUS_BY_CONTRACT_ERROR } from "../chain/chain-write-errors.js";
import { FlowRepository } from "./flow-repository.js";
import { RecordFlowUseCase } from "./usecases/record-flow.usecase.js";

const RECORD_REFUSALS = [
  CHAIN_WRITE_REFUSALS,
  FACILITY_SIGNER_REFUSALS,
  STATUS_BY_CONTRACT_ERROR,
  { FACILITY_NOT_FOUND: 404 },
];

/** A facility's flows (recorded on chain), its suggested action and its schedule (from the read model). */
@ApiTags("facilities")
@Controller("facilities/:id")
export class FacilityFlowsController {
  constructor(
    @Inject(RecordFlowUseCase) private readonly recordFlow: RecordFlowUseCase,
    @Inject(FlowRepository) private readonly readModel: FlowRepository,
  ) {}

  @Operation({
    summary: "Records a charge of the facility on chain (its owner or an operator).",
    answers: recordFlowAnswer,
    refuses: RECORD_REFUSALS,
  })
  @Post("charges")
  @Roles("owner", "operator")
  charge(
    @ZodParam("id", facilityIdParam) facilityId: number,
    @ZodBody(recordFlowBody) body: z.output<typeof recordFlowBody>,
    @CurrentCaller() caller: Caller,
  ): Promise<RecordFlowResult> {
    return this.recordFlow.execute({ caller, facilityId, action: "charge", ...body });
  }

  @Operation({
    summary: "Records a discharge of the facility on chain (its owner or an operator).",
    answers: recordFlowAnswer,
    refuses: RECORD_REFUSALS,
  })
  @Post("discharges")
  @Roles("owner", "operator")
  discharge(
    @ZodParam("id", facilityIdParam) facilityId: number,
    @ZodBody(recordFlowBody) body: z.output<typeof recordFlowBody>,
    @CurrentCaller() caller: Caller,
  ): Promise<RecordFlowResult> {
    return this.recordFlow.execute({ caller, facilityId, action: "discharge", ...body });
  }

  @Operation({
    summary: "What the contract's rule suggests the facility do now, with the demand and levels behind it.",
    answers: suggestedActionAnswer,
    refuses: [{ FACILITY_NOT_TRACKED: 404 }],
  })
  @Get("suggested-action")
  async suggestedAction(@ZodParam("id", facilityIdParam) facilityId: number): Promise<SuggestedAction> {
    const suggestion = await this.readModel.suggestedAction(facilityId);
    if (!suggestion) throw notTracked(facilityId);
    return suggestion;
  }

  @Operation({
    summary: "The facility's charge and discharge schedule, from its strategy.",
    answers: scheduleAnswer,
    refuses: [{ FACILITY_NOT_TRACKED: 404 }],
  })
  @Get("schedule")
  async schedule(@ZodParam("id", facilityIdParam) facilityId: number): Promise<Schedule> {
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
