import { Module } from "@nestjs/common";
import { ServiceInfrastructureModule } from "@voltstack/chain-sync";
import { RevenueSyncService } from "./chain-sync/revenue-sync.service.js";
import { DistributionBatchRepository } from "./distribution/distribution-batch-repository.js";
import { DistributionBatcher } from "./distribution/distribution-batcher.js";
import { DistributionIntentRepository } from "./distribution/distribution-intent-repository.js";
import { DistributionsController } from "./distribution/distributions.controller.js";
import { EarningsChainWriter } from "./chain/earnings-chain-writer.js";
import { FulfilmentEventsConsumer } from "./distribution/fulfilment-events.consumer.js";
import { SharesEventsConsumer } from "./distribution/shares-events.consumer.js";
import { RevenueChainWriter } from "./chain/revenue-chain-writer.js";
import { RevenueController } from "./revenue/revenue.controller.js";
import { RevenueRepository } from "./revenue/revenue-repository.js";
import { DistributeRevenueUseCase } from "./revenue/usecases/distribute-revenue.usecase.js";
import { SetSharesUseCase } from "./revenue/usecases/set-shares.usecase.js";
import { DISTRIBUTION_HOOKS, NO_DISTRIBUTION_HOOKS } from "./distribution/distribution-hooks.js";
import { PrismaClient } from "./generated/prisma/client.js";
import type { RevenueConfig } from "./revenue-config.js";

/** The shared infrastructure and operations on the revenue schema, following {@link RevenueSyncService}. */
const Infrastructure = ServiceInfrastructureModule.forRoot({
  name: "revenue",
  prismaClient: PrismaClient,
  schema: (config: RevenueConfig) => config.REVENUE_SCHEMA,
  follower: RevenueSyncService,
  providers: [
    // A copy per application, so a test can stop one instance at a hook without touching another.
    { provide: DISTRIBUTION_HOOKS, useFactory: () => ({ ...NO_DISTRIBUTION_HOOKS }) },
  ],
});

@Module({
  imports: [Infrastructure],
  controllers: [RevenueController, FulfilmentEventsConsumer, SharesEventsConsumer, DistributionsController],
  providers: [
    RevenueChainWriter,
    RevenueRepository,
    SetSharesUseCase,
    DistributeRevenueUseCase,
    DistributionIntentRepository,
    DistributionBatchRepository,
    EarningsChainWriter,
    DistributionBatcher,
  ],
  exports: [Infrastructure],
})
export class AppModule {}
