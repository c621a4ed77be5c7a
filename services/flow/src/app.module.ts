import { Module } from "@nestjs/common";
import { ServiceInfrastructureModule } from "@voltstack/chain-sync";
import { FlowSyncService } from "./chain-sync/flow-sync.service.js";
import { FacilityFlowsController } from "./flow/facility-flows.controller.js";
import { FacilityRegistryReader } from "./chain/facility-registry-reader.js";
import { FlowChainWriter } from "./chain/flow-chain-writer.js";
import { FlowRepository } from "./flow/flow-repository.js";
import { FlowRecordsController } from "./flow/flow-records.controller.js";
import { RecordFlowUseCase } from "./flow/usecases/record-flow.usecase.js";
import { GridController } from "./grid/grid.controller.js";
import { SetDemandThresholdsUseCase } from "./grid/usecases/set-demand-thresholds.usecase.js";
import { SetGridDemandUseCase } from "./grid/usecases/set-grid-demand.usecase.js";
import { ProgramEventsConsumer } from "./commitments/program-events.consumer.js";
import { PriceEventsConsumer } from "./prices/price-events.consumer.js";
import { PricesController } from "./prices/prices.controller.js";
import { UpdatePriceCurveUseCase } from "./prices/usecases/update-price-curve.usecase.js";
import { ScheduleEventsConsumer } from "./schedule/schedule-events.consumer.js";
import { SchedulePlanner } from "./schedule/schedule-planner.js";
import { ScheduleSettingsController } from "./schedule/schedule-settings.controller.js";
import { SchedulingStrategies } from "./schedule/scheduling-strategies.js";
import { SetScheduleSettingsUseCase } from "./schedule/usecases/set-schedule-settings.usecase.js";
import { ScheduleExecutionScheduler } from "./schedule/schedule-execution.scheduler.js";
import { ScheduleExecutionsController } from "./schedule/schedule-executions.controller.js";
import { ExecuteDueStepsUseCase } from "./schedule/usecases/execute-due-steps.usecase.js";
import { PrismaClient } from "./generated/prisma/client.js";
import type { FlowConfig } from "./flow-config.js";

/** The shared infrastructure and operations on the flow schema, following {@link FlowSyncService}. */
const Infrastructure = ServiceInfrastructureModule.forRoot({
  name: "flow",
  prismaClient: PrismaClient,
  schema: (config: FlowConfig) => config.FLOW_SCHEMA,
  follower: FlowSyncService,
});

@Module({
  imports: [Infrastructure],
  controllers: [
    GridController,
    FacilityFlowsController,
    FlowRecordsController,
    PricesController,
    ScheduleSettingsController,
    ScheduleExecutionsController,
    ScheduleEventsConsumer,
    PriceEventsConsumer,
    ProgramEventsConsumer,
  ],
  providers: [
    FlowChainWriter,
    FlowRepository,
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
  exports: [Infrastructure],
})
export class AppModule {}
