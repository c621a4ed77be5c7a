import { Controller, Get, Inject } from "@nestjs/common";
import { ApiTags } from "@nestjs/swagger";
import type { z } from "zod";
import { ZodQuery } from "@voltstack/service-kit";
import { FlowReadModel, type FlowRecordView } from "./flow-read-model.js";
import { listFlowRecordsQuery } from "./flow-requests.js";

@ApiTags("flows")
@Controller("flow-records")
export class FlowRecordsController {
  constructor(@Inject(FlowReadModel) private readonly readModel: FlowReadModel) {}

  /** Filters: facilityId, action, recordedBy; keyset paging by record id (`after`, `limit` 1-100). */
  @Get()
  list(
    @ZodQuery(listFlowRecordsQuery) query: z.output<typeof listFlowRecordsQuery>,
  ): Promise<{ items: FlowRecordView[]; nextAfter: number | null }> {
    return this.readModel.flowRecords(query);
  }
}
