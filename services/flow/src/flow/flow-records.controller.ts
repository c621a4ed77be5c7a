import { Controller, Get, Inject } from "@nestjs/common";
import { ApiTags } from "@nestjs/swagger";
import { z } from "zod";
import { integerField, kwhField, pageAnswer, principalField, timestampField, txidField } from "@voltstack/api";
import { Operation, ZodQuery } from "@voltstack/service-kit";
import { FlowRepository, type FlowRecordView } from "./flow-repository.js";
import { listFlowRecordsQuery } from "./flow-requests.js";

@ApiTags("flows")
@Controller("flow-records")
export class FlowRecordsController {
  constructor(@Inject(FlowRepository) private readonly readModel: FlowRepository) {}

  /** Filters: facilityId, action, recordedBy; keyset paging by record id (`after`, `limit` 1-100). */
  @Operation({
    summary:
      "Charges and discharges recorded on chain, by record id; filtered by facility, action or who recorded them.",
    answers: pageAnswer(
      z.object({
        recordId: integerField,
        facilityId: integerField,
        action: z.enum(["charge", "discharge"]),
        energyKwh: kwhField,
        demandLevelPercent: integerField,
        storedAfterKwh: kwhField,
        recordedBy: principalField,
        txid: txidField,
        blockHeight: integerField,
        recordedAt: timestampField,
      }),
    ),
  })
  @Get()
  list(
    @ZodQuery(listFlowRecordsQuery) query: z.output<typeof listFlowRecordsQuery>,
  ): Promise<{ items: FlowRecordView[]; nextAfter: number | null }> {
    return this.readModel.flowRecords(query);
  }
}
