import { Module } from "@nestjs/common";
import { ResyncController } from "./chain-sync/resync.controller.js";
import { FlowSyncService } from "./chain-sync/flow-sync.service.js";
import { DeadLettersController } from "./dead-letters/dead-letters.controller.js";
import { FacilityFlowsController } from "./flow/facility-flows.controller.js";
import { FacilityRegistryReader } from "./flow/facility-registry-reader.js";
import { FlowChainWriter } from "./flow/flow-chain-writer.js";
import { FlowReadModel } from "./flow/flow-read-model.js";
import { FlowRecordsController } from "./flow/flow-records.controller.js";
import { RecordFlowUseCase } from "./flow/usecases/record-flow.usecase.js";
import { GridController } from "./grid/grid.controller.js";
import { SetDemandThresholdsUseCase } from "./grid/usecases/set-demand-thresholds.usecase.js";
import { SetGridDemandUseCase } from "./grid/usecases/set-grid-demand.usecase.js";
import { InfrastructureModule } from "./infrastructure/infrastructure.module.js";
import { ScheduleEventsController } from "./schedule/schedule-events.controller.js";
import { SchedulePlanner } from "./schedule/schedule-planner.js";
import { TransactionsController } from "./transactions/transactions.controller.js";

@Module({
  imports: [InfrastructureModule],
  controllers: [
    GridController,
    FacilityFlowsController,
    FlowRecordsController,
    ScheduleEventsController,
    TransactionsController,
    ResyncController,
    DeadLettersController,
  ],
  providers: [
    FlowSyncService,
    FlowChainWriter,
    FlowReadModel,
    FacilityRegistryReader,
    SchedulePlanner,
    SetGridDemandUseCase,
    SetDemandThresholdsUseCase,
    RecordFlowUseCase,
  ],
  exports: [InfrastructureModule],
})
export class AppModule {}
