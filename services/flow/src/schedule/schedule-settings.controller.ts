import { Controller, Get, Inject, Put } from "@nestjs/common";
import { ApiTags } from "@nestjs/swagger";
import type { z } from "zod";
import { type Caller, CurrentCaller, Roles, ZodBody, ZodParam } from "@voltstack/service-kit";
import { facilityIdParam } from "../flow/flow-requests.js";
import type { PrismaClient } from "../generated/prisma/client.js";
import { PRISMA } from "../infrastructure/tokens.js";
import { scheduleSettingsBody } from "./schedule-requests.js";
import { SchedulePlanner } from "./schedule-planner.js";
import type { StrategyName } from "./scheduling-strategy.js";
import {
  type ScheduleSettingsView,
  SetScheduleSettingsUseCase,
  settingsView,
} from "./usecases/set-schedule-settings.usecase.js";

/** A facility's battery model and scheduling strategy: its owner, operators or an admin set them; anyone reads. */
@ApiTags("facilities")
@Controller("facilities/:id/schedule-settings")
export class ScheduleSettingsController {
  constructor(
    @Inject(SetScheduleSettingsUseCase) private readonly setSettings: SetScheduleSettingsUseCase,
    @Inject(SchedulePlanner) private readonly planner: SchedulePlanner,
    @Inject(PRISMA) private readonly prisma: PrismaClient,
  ) {}

  @Put()
  @Roles("owner", "operator", "admin")
  set(
    @ZodParam("id", facilityIdParam) facilityId: number,
    @ZodBody(scheduleSettingsBody) body: z.output<typeof scheduleSettingsBody>,
    @CurrentCaller() caller: Caller,
  ): Promise<ScheduleSettingsView> {
    return this.setSettings.execute({ caller, facilityId, body });
  }

  @Get()
  async get(@ZodParam("id", facilityIdParam) facilityId: number): Promise<ScheduleSettingsView> {
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
