import { Controller, HttpCode, Inject, Post } from "@nestjs/common";
import { ApiTags } from "@nestjs/swagger";
import { z } from "zod";
import { CHAIN_WRITE_REFUSALS, FACILITY_SIGNER_REFUSALS } from "@voltstack/chain-sync";
import {
  type CapacityReadingBatchResult,
  type CapacityReadingResult,
  facilityIdParam,
  readingAnswer,
  readingBatchAnswer,
  readingBatchBody,
  readingBody,
} from "@voltstack/api";
import { type Caller, CurrentCaller, Operation, Roles, ZodBody, ZodParam } from "@voltstack/service-kit";
import { STATUS_BY_CONTRACT_ERROR } from "../chain/chain-write-errors.js";
import { RecordReadingsUseCase } from "./usecases/record-readings.usecase.js";

/** What a reading is refused with: the facility unknown or not initialised, or the chain's refusals. */
const READING_REFUSALS = [
  CHAIN_WRITE_REFUSALS,
  FACILITY_SIGNER_REFUSALS,
  STATUS_BY_CONTRACT_ERROR,
  { FACILITY_NOT_FOUND: 404, CAPACITY_NOT_INITIALIZED: 409 },
];

/**
 * Readings from battery management systems. Every reading of an accepted request is recorded;
 * `written` says which went to the chain (a confirmed update-capacity transaction).
 */
@ApiTags("readings")
@Controller()
export class ReadingsController {
  constructor(@Inject(RecordReadingsUseCase) private readonly recordReadings: RecordReadingsUseCase) {}

  @Operation({
    summary: "Records a stored-energy reading; it goes to the chain when it passes the thresholds (see `written`).",
    answers: readingAnswer,
    refuses: READING_REFUSALS,
  })
  @Post("facilities/:id/readings")
  @HttpCode(200)
  @Roles("owner", "operator")
  async record(
    @ZodParam("id", facilityIdParam) id: number,
    @ZodBody(readingBody) body: z.output<typeof readingBody>,
    @CurrentCaller() caller: Caller,
  ): Promise<CapacityReadingResult> {
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

  @Operation({
    summary: "Records readings of several facilities; per facility only the newest may go to the chain.",
    answers: readingBatchAnswer,
    refuses: READING_REFUSALS,
  })
  @Post("readings/batch")
  @HttpCode(200)
  @Roles("owner", "operator")
  async recordBatch(
    @ZodBody(readingBatchBody) body: z.output<typeof readingBatchBody>,
    @CurrentCaller() caller: Caller,
  ): Promise<CapacityReadingBatchResult> {
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
