import { Controller, Get, Inject, Post } from "@nestjs/common";
import { ApiTags } from "@nestjs/swagger";
import { z } from "zod";
import { CHAIN_WRITE_REFUSALS, type ChainWriteResult, FACILITY_SIGNER_REFUSALS } from "@voltstack/chain-sync";
import { chainWriteAnswer, integerField, kwField, kwhField, timestampField } from "@voltstack/api";
import { ApiError, type Caller, CurrentCaller, Operation, Roles, ZodBody, ZodParam } from "@voltstack/service-kit";
import { STRATEGY_NAMES } from "../schedule/scheduling-strategy.js";
import { STATUS_BY_CONTRACT_ERROR } from "../chain/chain-write-errors.js";
import { FlowRepository, type ScheduleView, type SuggestedActionView } from "./flow-repository.js";
import { facilityIdParam, recordFlowBody } from "./flow-requests.js";
import { RecordFlowUseCase } from "./usecases/record-flow.usecase.js";

type RecordAnswer = ChainWriteResult & { recordId: number; facilityId: number };

const recordAnswer = chainWriteAnswer({ recordId: integerField, facilityId: integerField });

const RECORD_REFUSALS = [
  CHAIN_WRITE_REFUSALS,
  FACILITY_SIGNER_REFUSALS,
  STATUS_BY_CONTRACT_ERROR,
  { FACILITY_NOT_FOUND: 404 },
];

export const demandLevelsAnswer = z.object({
  demandLevelPercent: integerField,
  lowThresholdPercent: integerField,
  highThresholdPercent: integerField,
});

const suggestedActionAnswer = z.object({
  facilityId: integerField,
  action: z.enum(["charge", "discharge", "hold"]),
  energyKwh: kwhField,
  basis: z.object({
    demand: demandLevelsAnswer,
    storedKwh: kwhField,
    availableKwh: kwhField,
    maxPowerKw: kwField,
    capacityHeight: integerField,
  }),
});

const scheduleAnswer = z.object({
  facilityId: integerField,
  scheduleVersion: integerField,
  demandLevelPercent: integerField,
  strategy: z.enum(STRATEGY_NAMES),
  expectedRevenueMicroStx: z
    .string()
    .regex(/^-?(0|[1-9]\d*)$/)
    .nullable()
    .meta({
      description: "What the steps earn at the price curve net of wear, micro-STX; null when no curve priced them",
    }),
  fallbackReason: z.string().nullable(),
  stepMinutes: integerField,
  steps: z.array(
    z.object({ startsAt: timestampField, action: z.enum(["charge", "discharge", "hold"]), energyKwh: kwhField }),
  ),
  computedAt: timestampField,
});

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
    answers: recordAnswer,
    refuses: RECORD_REFUSALS,
  })
  @Post("charges")
  @Roles("owner", "operator")
  charge(
    @ZodParam("id", facilityIdParam) facilityId: number,
    @ZodBody(recordFlowBody) body: z.output<typeof recordFlowBody>,
    @CurrentCaller() caller: Caller,
  ): Promise<RecordAnswer> {
    return this.recordFlow.execute({ caller, facilityId, action: "charge", ...body });
  }

  @Operation({
    summary: "Records a discharge of the facility on chain (its owner or an operator).",
    answers: recordAnswer,
    refuses: RECORD_REFUSALS,
  })
  @Post("discharges")
  @Roles("owner", "operator")
  discharge(
    @ZodParam("id", facilityIdParam) facilityId: number,
    @ZodBody(recordFlowBody) body: z.output<typeof recordFlowBody>,
    @CurrentCaller() caller: Caller,
  ): Promise<RecordAnswer> {
    return this.recordFlow.execute({ caller, facilityId, action: "discharge", ...body });
  }

  @Operation({
    summary: "What the contract's rule suggests the facility do now, with the demand and levels behind it.",
    answers: suggestedActionAnswer,
    refuses: [{ FACILITY_NOT_TRACKED: 404 }],
  })
  @Get("suggested-action")
  async suggestedAction(@ZodParam("id", facilityIdParam) facilityId: number): Promise<SuggestedActionView> {
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
