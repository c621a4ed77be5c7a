import { Module } from "@nestjs/common";
import { ServiceInfrastructureModule } from "@voltstack/chain-sync";
import { VerificationSyncService } from "./chain-sync/verification-sync.service.js";
import { FacilitiesController } from "./facilities/facilities.controller.js";
import { VerificationChainWriter } from "./chain/verification-chain-writer.js";
import { FacilityRepository } from "./facilities/facility-repository.js";
import { RegisterFacilityUseCase } from "./facilities/usecases/register-facility.usecase.js";
import { ReviewFacilityUseCase } from "./facilities/usecases/review-facility.usecase.js";
import { SetOperatorUseCase } from "./facilities/usecases/set-operator.usecase.js";
import { PrismaClient } from "./generated/prisma/client.js";
import type { VerificationConfig } from "./verification-config.js";

/** The shared infrastructure and operations on the verification schema, following {@link VerificationSyncService}. */
const Infrastructure = ServiceInfrastructureModule.forRoot({
  name: "verification",
  prismaClient: PrismaClient,
  schema: (config: VerificationConfig) => config.VERIFICATION_SCHEMA,
  follower: VerificationSyncService,
});

@Module({
  imports: [Infrastructure],
  controllers: [FacilitiesController],
  providers: [
    VerificationChainWriter,
    FacilityRepository,
    RegisterFacilityUseCase,
    ReviewFacilityUseCase,
    SetOperatorUseCase,
  ],
  exports: [Infrastructure],
})
export class AppModule {}
