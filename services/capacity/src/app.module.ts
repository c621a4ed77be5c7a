import { Module } from "@nestjs/common";
import { ServiceInfrastructureModule } from "@voltstack/chain-sync";
import { CapacityChainWriter } from "./chain/capacity-chain-writer.js";
import { CapacityController } from "./capacity/capacity.controller.js";
import { CapacityRepository } from "./capacity/capacity-repository.js";
import { FacilityRegistryReader } from "./chain/facility-registry-reader.js";
import { InitializeCapacityUseCase } from "./capacity/usecases/initialize-capacity.usecase.js";
import { CapacitySyncService } from "./chain-sync/capacity-sync.service.js";
import { FacilityApprovedConsumer } from "./facilities/facility-approved.consumer.js";
import { ReadingRepository } from "./readings/reading-repository.js";
import { ReadingsController } from "./readings/readings.controller.js";
import { RecordReadingsUseCase } from "./readings/usecases/record-readings.usecase.js";
import { PrismaClient } from "./generated/prisma/client.js";
import type { CapacityConfig } from "./capacity-config.js";

/** The shared infrastructure and operations on the capacity schema, following {@link CapacitySyncService}. */
const Infrastructure = ServiceInfrastructureModule.forRoot({
  name: "capacity",
  prismaClient: PrismaClient,
  schema: (config: CapacityConfig) => config.CAPACITY_SCHEMA,
  follower: CapacitySyncService,
});

@Module({
  imports: [Infrastructure],
  controllers: [CapacityController, ReadingsController, FacilityApprovedConsumer],
  providers: [
    CapacityChainWriter,
    CapacityRepository,
    FacilityRegistryReader,
    ReadingRepository,
    InitializeCapacityUseCase,
    RecordReadingsUseCase,
  ],
  exports: [Infrastructure],
})
export class AppModule {}
