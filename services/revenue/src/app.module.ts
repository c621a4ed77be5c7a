import { Module } from "@nestjs/common";
import { ResyncController } from "./chain-sync/resync.controller.js";
import { SyncStatusController } from "./chain-sync/sync-status.controller.js";
import { RevenueSyncService } from "./chain-sync/revenue-sync.service.js";
import { DeadLettersController } from "./dead-letters/dead-letters.controller.js";
import { DistributionBatchRepository } from "./distribution/distribution-batch-repository.js";
import { DistributionBatcher } from "./distribution/distribution-batcher.js";
import { DistributionIntentRepository } from "./distribution/distribution-intent-repository.js";
import { DistributionsController } from "./distribution/distributions.controller.js";
import { EarningsChainWriter } from "./distribution/earnings-chain-writer.js";
import { FulfilmentEventsController } from "./distribution/fulfilment-events.controller.js";
import { SharesEventsController } from "./distribution/shares-events.controller.js";
import { InfrastructureModule } from "./infrastructure/infrastructure.module.js";
import { RevenueChainWriter } from "./revenue/revenue-chain-writer.js";
import { RevenueController } from "./revenue/revenue.controller.js";
import { RevenueRepository } from "./revenue/revenue-repository.js";
import { DistributeRevenueUseCase } from "./revenue/usecases/distribute-revenue.usecase.js";
import { SetSharesUseCase } from "./revenue/usecases/set-shares.usecase.js";
import { TransactionsController } from "./transactions/transactions.controller.js";

@Module({
  imports: [InfrastructureModule],
  controllers: [
    RevenueController,
    TransactionsController,
    ResyncController,
    SyncStatusController,
    DeadLettersController,
    FulfilmentEventsController,
    SharesEventsController,
    DistributionsController,
  ],
  providers: [
    RevenueSyncService,
    RevenueChainWriter,
    RevenueRepository,
    SetSharesUseCase,
    DistributeRevenueUseCase,
    DistributionIntentRepository,
    DistributionBatchRepository,
    EarningsChainWriter,
    DistributionBatcher,
  ],
  exports: [InfrastructureModule],
})
export class AppModule {}
