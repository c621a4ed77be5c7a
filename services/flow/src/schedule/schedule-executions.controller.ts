import { Controller, Get, Inject } from "@nestjs/common";
import { ApiTags } from "@nestjs/swagger";
import { ZodParam } from "@voltstack/service-kit";
import { facilityIdParam } from "../flow/flow-requests.js";
import type { PrismaClient } from "../generated/prisma/client.js";
import { PRISMA } from "../infrastructure/tokens.js";

export interface ScheduleExecutionView {
  stepStartsAt: string;
  scheduleVersion: number;
  action: string;
  energyKwh: string;
  /** signing, recorded, refused (code says why) or failed */
  status: string;
  txid: string | null;
  code: string | null;
  message: string | null;
  executedAt: string;
}

/** The steps recorded on chain for a facility that asked for it, newest first (the last 100). */
@ApiTags("facilities")
@Controller("facilities/:id/schedule-executions")
export class ScheduleExecutionsController {
  constructor(@Inject(PRISMA) private readonly prisma: PrismaClient) {}

  @Get()
  async list(
    @ZodParam("id", facilityIdParam) facilityId: number,
  ): Promise<{ facilityId: number; items: ScheduleExecutionView[] }> {
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
        energyKwh: row.energyKwh.toString(),
        status: row.status,
        txid: row.txid,
        code: row.code,
        message: row.message,
        executedAt: row.executedAt.toISOString(),
      })),
    };
  }
}
