import { Controller, HttpCode, Inject, Post } from "@nestjs/common";
import { ApiTags } from "@nestjs/swagger";
import type { z } from "zod";
import { type Caller, CurrentCaller, Roles, ZodBody, ZodParam } from "@voltstack/service-kit";
import { facilityIdParam, readingBatchBody, readingBody } from "../capacity/capacity-requests.js";
import { type ReadingResult, RecordReadingsUseCase } from "./usecases/record-readings.usecase.js";

/**
 * Readings from battery management systems. Every reading of an accepted request is recorded;
 * `written` says which went to the chain (a confirmed update-capacity transaction).
 */
@ApiTags("readings")
@Controller()
export class ReadingsController {
  constructor(@Inject(RecordReadingsUseCase) private readonly recordReadings: RecordReadingsUseCase) {}

  @Post("facilities/:id/readings")
  @HttpCode(200)
  @Roles("owner", "operator")
  async record(
    @ZodParam("id", facilityIdParam) id: number,
    @ZodBody(readingBody) body: z.output<typeof readingBody>,
    @CurrentCaller() caller: Caller,
  ): Promise<ReadingResult> {
    const [result] = await this.recordReadings.execute({
      caller,
      mode: "single",
      readings: [
        { facilityId: id, storedKwh: body.storedKwh, ...(body.measuredAt ? { measuredAt: body.measuredAt } : {}) },
      ],
      ...(body.actAs ? { actAs: body.actAs } : {}),
    });
    return result!;
  }

  @Post("readings/batch")
  @HttpCode(200)
  @Roles("owner", "operator")
  async recordBatch(
    @ZodBody(readingBatchBody) body: z.output<typeof readingBatchBody>,
    @CurrentCaller() caller: Caller,
  ): Promise<{ results: ReadingResult[]; written: number }> {
    const results = await this.recordReadings.execute({
      caller,
      mode: "batch",
      readings: body.readings.map((r) => ({
        facilityId: r.facilityId,
        storedKwh: r.storedKwh,
        ...(r.measuredAt ? { measuredAt: r.measuredAt } : {}),
      })),
      ...(body.actAs ? { actAs: body.actAs } : {}),
    });
    return { results, written: results.filter((r) => r.written).length };
  }
}
