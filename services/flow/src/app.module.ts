import { Module } from "@nestjs/common";
import { ResyncController } from "./chain-sync/resync.controller.js";
import { SyncStatusController } from "./chain-sync/sync-status.controller.js";
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
import { ProgramEventsController } from "./commitments/program-events.controller.js";
import { PriceEventsController } from "./prices/price-events.controller.js";
import { PricesController } from "./prices/prices.controller.js";
import { UpdatePriceCurveUseCase } from "./prices/usecases/update-price-curve.usecase.js";
import { ScheduleEventsController } from "./schedule/schedule-events.controller.js";
import { SchedulePlanner } from "./schedule/schedule-planner.js";
import { ScheduleSettingsController } from "./schedule/schedule-settings.controller.js";
import { SchedulingStrategies } from "./schedule/scheduling-strategies.js";
import { SetScheduleSettingsUseCase } from "./schedule/usecases/set-schedule-settings.usecase.js";
import { ScheduleExecutionScheduler } from "./schedule/schedule-execution.scheduler.js";
import { ScheduleExecutionsController } from "./schedule/schedule-executions.controller.js";
import { ExecuteDueStepsUseCase } from "./schedule/usecases/execute-due-steps.usecase.js";
import { TransactionsController } from "./transactions/transactions.controller.js";

@Module({
  imports: [InfrastructureModule],
  controllers: [
    GridController,
    FacilityFlowsController,
    FlowRecordsController,
    PricesController,
    ScheduleSettingsController,
    ScheduleExecutionsController,
    ScheduleEventsController,
    PriceEventsController,
    ProgramEventsController,
    TransactionsController,
    ResyncController,
    SyncStatusController,
    DeadLettersController,
  ],
  providers: [
    FlowSyncService,
    FlowChainWriter,
    FlowReadModel,
    FacilityRegistryReader,
    SchedulePlanner,
    SchedulingStrategies,
    UpdatePriceCurveUseCase,
    SetScheduleSettingsUseCase,
    ExecuteDueStepsUseCase,
    ScheduleExecutionScheduler,
    SetGridDemandUseCase,
    SetDemandThresholdsUseCase,
    RecordFlowUseCase,
  ],
  exports: [InfrastructureModule],
})
export class AppModule {}
