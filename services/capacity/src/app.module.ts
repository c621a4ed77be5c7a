import { Module } from "@nestjs/common";
import { CapacityChainWriter } from "./capacity/capacity-chain-writer.js";
import { CapacityController } from "./capacity/capacity.controller.js";
import { CapacityRepository } from "./capacity/capacity-repository.js";
import { FacilityRegistryReader } from "./capacity/facility-registry-reader.js";
import { InitializeCapacityUseCase } from "./capacity/usecases/initialize-capacity.usecase.js";
import { CapacitySyncService } from "./chain-sync/capacity-sync.service.js";
import { ResyncController } from "./chain-sync/resync.controller.js";
import { SyncStatusController } from "./chain-sync/sync-status.controller.js";
import { DeadLettersController } from "./dead-letters/dead-letters.controller.js";
import { FacilityApprovedConsumer } from "./facilities/facility-approved.consumer.js";
import { InfrastructureModule } from "./infrastructure/infrastructure.module.js";
import { ReadingRepository } from "./readings/reading-repository.js";
import { ReadingsController } from "./readings/readings.controller.js";
import { RecordReadingsUseCase } from "./readings/usecases/record-readings.usecase.js";
import { TransactionsController } from "./transactions/transactions.controller.js";

@Module({
  imports: [InfrastructureModule],
  controllers: [
    CapacityController,
    ReadingsController,
    TransactionsController,
    ResyncController,
    SyncStatusController,
    DeadLettersController,
    FacilityApprovedConsumer,
  ],
  providers: [
    CapacitySyncService,
    CapacityChainWriter,
    CapacityRepository,
    FacilityRegistryReader,
    ReadingRepository,
    InitializeCapacityUseCase,
    RecordReadingsUseCase,
  ],
  exports: [InfrastructureModule],
})
export class AppModule {}
