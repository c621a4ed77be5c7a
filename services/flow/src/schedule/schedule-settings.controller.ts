import { Controller, Get, Inject, Put } from "@nestjs/common";
import { ApiTags } from "@nestjs/swagger";
import { z } from "zod";
import {
  facilityIdParam,
  type ScheduleSettings,
  scheduleSettingsAnswer,
  scheduleSettingsBody,
  type StrategyName,
} from "@voltstack/api";
import { type Caller, CurrentCaller, Operation, Roles, ZodBody, ZodParam } from "@voltstack/service-kit";
import type { PrismaClient } from "../generated/prisma/client.js";
import { PRISMA } from "@voltstack/chain-sync";
import { SchedulePlanner } from "./schedule-planner.js";
import { SetScheduleSettingsUseCase, settingsView } from "./usecases/set-schedule-settings.usecase.js";

/** A facility's battery model and scheduling strategy: its owner, operators or an admin set them; anyone reads. */
@ApiTags("facilities")
@Controller("facilities/:id/schedule-settings")
export class ScheduleSettingsController {
  constructor(
    @Inject(SetScheduleSettingsUseCase) private readonly setSettings: SetScheduleSettingsUseCase,
    @Inject(SchedulePlanner) private readonly planner: SchedulePlanner,
    @Inject(PRISMA) private readonly prisma: PrismaClient,
  ) {}

  @Operation({
    summary: "Declares the facility's battery model and strategy (its owner, an operator or an admin) and replans it.",
    answers: scheduleSettingsAnswer,
    refuses: [
      {
        FACILITY_NOT_FOUND: 404,
        NOT_FACILITY_SIGNER: 403,
        SCHEDULE_INFEASIBLE: 422,
        SCHEDULE_INPUT_INVALID: 422,
      },
    ],
  })
  @Put()
  @Roles("owner", "operator", "admin")
  set(
    @ZodParam("id", facilityIdParam) facilityId: number,
    @ZodBody(scheduleSettingsBody) body: z.output<typeof scheduleSettingsBody>,
    @CurrentCaller() caller: Caller,
  ): Promise<ScheduleSettings> {
    return this.setSettings.execute({ caller, facilityId, body });
  }

  @Operation({
    summary: "The facility's battery model and strategy (the service's defaults while none are declared).",
    answers: scheduleSettingsAnswer,
  })
  @Get()
  async get(@ZodParam("id", facilityIdParam) facilityId: number): Promise<ScheduleSettings> {
    const row = await this.prisma.scheduleSettings.findUnique({ where: { facilityId } });
    if (!row) return settingsView(facilityId, this.planner.defaultSettings(), false);
    return settingsView(
      facilityId,
      {
        strategy: row.strategy as StrategyName,
        chargeEfficiencyBps: row.chargeEfficiencyBps,
        dischargeEfficiencyBps: row.dischargeEfficiencyBps,
        selfDischargeBpsPerDay: row.selfDischargeBpsPerDay,
        degradationMicroStxPerKwh: row.degradationMicroStxPerKwh,
        maxCyclesPerDay: row.maxCyclesPerDay,
        endKwh: row.endKwh,
        executeOnChain: row.executeOnChain,
      },
      true,
    );
  }
}
