import { Controller, Get, Inject } from "@nestjs/common";
import { ApiTags } from "@nestjs/swagger";
import { facilityIdParam, type ScheduleExecutions, scheduleExecutionsAnswer } from "@voltstack/api";
import { Operation, ZodParam } from "@voltstack/service-kit";
import type { PrismaClient } from "../generated/prisma/client.js";
import { PRISMA } from "@voltstack/chain-sync";

/** The steps recorded on chain for a facility that asked for it, newest first (the last 100). */
@ApiTags("facilities")
@Controller("facilities/:id/schedule-executions")
export class ScheduleExecutionsController {
  constructor(@Inject(PRISMA) private readonly prisma: PrismaClient) {}

  @Operation({
    summary: "The schedule steps recorded on chain for a facility that asked for it, newest first (the last 100).",
    answers: scheduleExecutionsAnswer,
  })
  @Get()
  async list(@ZodParam("id", facilityIdParam) facilityId: number): Promise<ScheduleExecutions> {
    const rows = await this.prisma.scheduleExecution.findMany({
      where: { facilityId },
      orderBy: { stepStartsAt: "desc" },
      take: 100,
    });
    return {
      facilityId,
      items: rows.map((row) => ({
        stepStartsAt: row.stepStartsAt.toISOString(),
        scheduleVersion: row.scheduleVersion,
        action: row.action,
        energyKwh: Number(row.energyKwh),
        status: row.status,
        txid: row.txid,
        code: row.code,
        message: row.message,
        executedAt: row.executedAt.toISOString(),
      })),
    };
  }
}
