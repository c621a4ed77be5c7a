import { Controller, Get, Inject } from "@nestjs/common";
import { ApiTags } from "@nestjs/swagger";
import { integerField, kwhField, timestampField, txidField } from "@voltstack/api";
import { Operation, ZodParam } from "@voltstack/service-kit";
import { z } from "zod";
import { facilityIdParam } from "../flow/flow-requests.js";
import type { PrismaClient } from "../generated/prisma/client.js";
import { PRISMA } from "@voltstack/chain-sync";

export interface ScheduleExecutionView {
  stepStartsAt: string;
  scheduleVersion: number;
  action: string;
  energyKwh: number;
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

  @Operation({
    summary: "The schedule steps recorded on chain for a facility that asked for it, newest first (the last 100).",
    answers: z.object({
      facilityId: integerField,
      items: z.array(
        z.object({
          stepStartsAt: timestampField,
          scheduleVersion: integerField,
          action: z.string(),
          energyKwh: kwhField,
          status: z.string().meta({ description: "signing, recorded, refused (code says why) or failed" }),
          txid: txidField.nullable(),
          code: z.string().nullable(),
          message: z.string().nullable(),
          executedAt: timestampField,
        }),
      ),
    }),
  })
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
