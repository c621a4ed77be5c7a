import { Controller, Get, Inject } from "@nestjs/common";
import { ApiTags } from "@nestjs/swagger";
import { z } from "zod";
import { type FlowRecordPage, flowRecordPageAnswer, listFlowRecordsQuery } from "@voltstack/api";
import { Operation, ZodQuery } from "@voltstack/service-kit";
import { FlowRepository } from "./flow-repository.js";

@ApiTags("flows")
@Controller("flow-records")
export class FlowRecordsController {
  constructor(@Inject(FlowRepository) private readonly readModel: FlowRepository) {}

  /** Filters: facilityId, action, recordedBy; keyset paging by record id (`after`, `limit` 1-100). */
  @Operation({
    summary:
      "Charges and discharges recorded on chain, by record id; filtered by facility, action or who recorded them.",
    answers: flowRecordPageAnswer,
  })
  @Get()
  list(@ZodQuery(listFlowRecordsQuery) query: z.output<typeof listFlowRecordsQuery>): Promise<FlowRecordPage> {
    return this.readModel.flowRecords(query);
  }
}
