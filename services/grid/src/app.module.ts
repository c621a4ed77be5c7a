import { Module } from "@nestjs/common";
import { GridSyncService } from "./chain-sync/grid-sync.service.js";
import { ResyncController } from "./chain-sync/resync.controller.js";
import { ChainFacts } from "./chain-writes/chain-facts.js";
import { GridChainWriter } from "./chain-writes/grid-chain-writer.js";
import { DeadLettersController } from "./dead-letters/dead-letters.controller.js";
import { FrequencyController } from "./frequency/frequency.controller.js";
import { FrequencyRepository } from "./frequency/frequency-repository.js";
import { IngestFrequencyReadingsUseCase } from "./frequency/usecases/ingest-frequency-readings.usecase.js";
import { SetFrequencyTargetUseCase } from "./frequency/usecases/set-frequency-target.usecase.js";
import { SetOracleUseCase } from "./frequency/usecases/set-oracle.usecase.js";
import { InfrastructureModule } from "./infrastructure/infrastructure.module.js";
import { ExpirySweepController } from "./service-requests/expiry-sweep.controller.js";
import { ExpirySweepScheduler } from "./service-requests/expiry-sweep.scheduler.js";
import { ServiceRequestRepository } from "./service-requests/service-request-repository.js";
import { ServiceRequestsController } from "./service-requests/service-requests.controller.js";
import { AcceptServiceRequestUseCase } from "./service-requests/usecases/accept-service-request.usecase.js";
import { CancelServiceRequestUseCase } from "./service-requests/usecases/cancel-service-request.usecase.js";
import { CreateServiceRequestUseCase } from "./service-requests/usecases/create-service-request.usecase.js";
import { ExpirySweepUseCase } from "./service-requests/usecases/expiry-sweep.usecase.js";
import { FulfilServiceRequestUseCase } from "./service-requests/usecases/fulfil-service-request.usecase.js";
import { TransactionsController } from "./transactions/transactions.controller.js";

@Module({
  imports: [InfrastructureModule],
  controllers: [
    FrequencyController,
    ServiceRequestsController,
    ExpirySweepController,
    TransactionsController,
    ResyncController,
    DeadLettersController,
  ],
  providers: [
    GridSyncService,
    GridChainWriter,
    ChainFacts,
    FrequencyRepository,
    ServiceRequestRepository,
    SetFrequencyTargetUseCase,
    IngestFrequencyReadingsUseCase,
    SetOracleUseCase,
    CreateServiceRequestUseCase,
    AcceptServiceRequestUseCase,
    FulfilServiceRequestUseCase,
    CancelServiceRequestUseCase,
    ExpirySweepUseCase,
    ExpirySweepScheduler,
  ],
  exports: [InfrastructureModule],
})
export class AppModule {}
