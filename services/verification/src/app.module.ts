import { Module } from "@nestjs/common";
import { FacilitySyncService } from "./chain-sync/facility-sync.service.js";
import { ResyncController } from "./chain-sync/resync.controller.js";
import { SyncStatusController } from "./chain-sync/sync-status.controller.js";
import { DeadLettersController } from "./dead-letters/dead-letters.controller.js";
import { FacilitiesController } from "./facilities/facilities.controller.js";
import { FacilityChainWriter } from "./facilities/facility-chain-writer.js";
import { FacilityRepository } from "./facilities/facility-repository.js";
import { RegisterFacilityUseCase } from "./facilities/usecases/register-facility.usecase.js";
import { ReviewFacilityUseCase } from "./facilities/usecases/review-facility.usecase.js";
import { SetOperatorUseCase } from "./facilities/usecases/set-operator.usecase.js";
import { InfrastructureModule } from "./infrastructure/infrastructure.module.js";
import { TransactionsController } from "./transactions/transactions.controller.js";

@Module({
  imports: [InfrastructureModule],
  controllers: [
    FacilitiesController,
    TransactionsController,
    ResyncController,
    SyncStatusController,
    DeadLettersController,
  ],
  providers: [
    FacilitySyncService,
    FacilityChainWriter,
    FacilityRepository,
    RegisterFacilityUseCase,
    ReviewFacilityUseCase,
    SetOperatorUseCase,
  ],
  exports: [InfrastructureModule],
})
export class AppModule {}
