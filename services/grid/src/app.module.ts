import { Module } from "@nestjs/common";
import { ServiceInfrastructureModule } from "@voltstack/chain-sync";
import { GridSyncService } from "./chain-sync/grid-sync.service.js";
import { ChainFacts } from "./chain/chain-facts.js";
import { GridChainWriter } from "./chain/grid-chain-writer.js";
import { FrequencyController } from "./frequency/frequency.controller.js";
import { FrequencyRepository } from "./frequency/frequency-repository.js";
import { IngestFrequencyReadingsUseCase } from "./frequency/usecases/ingest-frequency-readings.usecase.js";
import { SetFrequencyTargetUseCase } from "./frequency/usecases/set-frequency-target.usecase.js";
import { SetOracleUseCase } from "./frequency/usecases/set-oracle.usecase.js";
import { ProgramChainReads } from "./chain/program-chain-reads.js";
import { ProgramRepository } from "./programs/program-repository.js";
import { ProgramsController } from "./programs/programs.controller.js";
import { SettlementSweepController } from "./programs/settlement-sweep.controller.js";
import { SettlementSweepScheduler } from "./programs/settlement-sweep.scheduler.js";
import { CancelProgramUseCase } from "./programs/usecases/cancel-program.usecase.js";
import { CloseProgramUseCase } from "./programs/usecases/close-program.usecase.js";
import { CreateProgramUseCase } from "./programs/usecases/create-program.usecase.js";
import { EnrolFacilityUseCase } from "./programs/usecases/enrol-facility.usecase.js";
import { PostPerformancesUseCase } from "./programs/usecases/post-performances.usecase.js";
import { ReadSettlementReportUseCase } from "./programs/usecases/read-settlement-report.usecase.js";
import { ReleaseCohortUseCase } from "./programs/usecases/release-cohort.usecase.js";
import { SettleCohortPeriodUseCase } from "./programs/usecases/settle-cohort-period.usecase.js";
import { SettlementSweepUseCase } from "./programs/usecases/settlement-sweep.usecase.js";
import { WithdrawFacilityUseCase } from "./programs/usecases/withdraw-facility.usecase.js";
import { PeriodClock } from "./scoring/period-clock.js";
import { ScoringController } from "./scoring/scoring.controller.js";
import { ScoringRepository } from "./scoring/scoring-repository.js";
import { ScoringSweepScheduler } from "./scoring/scoring-sweep.scheduler.js";
import { FulfilFromTelemetryUseCase } from "./scoring/usecases/fulfil-from-telemetry.usecase.js";
import { ScoringSweepUseCase } from "./scoring/usecases/scoring-sweep.usecase.js";
import { ExpirySweepController } from "./service-requests/expiry-sweep.controller.js";
import { ExpirySweepScheduler } from "./service-requests/expiry-sweep.scheduler.js";
import { ServiceRequestRepository } from "./service-requests/service-request-repository.js";
import { ServiceRequestsController } from "./service-requests/service-requests.controller.js";
import { AcceptServiceRequestUseCase } from "./service-requests/usecases/accept-service-request.usecase.js";
import { CancelServiceRequestUseCase } from "./service-requests/usecases/cancel-service-request.usecase.js";
import { CreateServiceRequestUseCase } from "./service-requests/usecases/create-service-request.usecase.js";
import { ExpirySweepUseCase } from "./service-requests/usecases/expiry-sweep.usecase.js";
import { FulfilServiceRequestUseCase } from "./service-requests/usecases/fulfil-service-request.usecase.js";
import { MeterAuthorisation } from "./telemetry/meter-authorisation.js";
import { TelemetryConsumer } from "./telemetry/telemetry.consumer.js";
import { telemetryPoolProvider } from "./telemetry/telemetry-pool.js";
import { TelemetryRepository } from "./telemetry/telemetry-repository.js";
import { TelemetryRetentionScheduler } from "./telemetry/telemetry-retention.scheduler.js";
import { TelemetryController } from "./telemetry/telemetry.controller.js";
import { IngestTelemetryUseCase } from "./telemetry/usecases/ingest-telemetry.usecase.js";
import { RecordRegulationSignalUseCase } from "./telemetry/usecases/record-regulation-signal.usecase.js";
import { PrismaClient } from "./generated/prisma/client.js";
import type { GridConfig } from "./grid-config.js";

/** The shared infrastructure and operations on the grid schema, following {@link GridSyncService}. */
const Infrastructure = ServiceInfrastructureModule.forRoot({
  name: "grid",
  prismaClient: PrismaClient,
  schema: (config: GridConfig) => config.GRID_SCHEMA,
  follower: GridSyncService,
});

@Module({
  imports: [Infrastructure],
  controllers: [
    FrequencyController,
    ServiceRequestsController,
    ExpirySweepController,
    ProgramsController,
    SettlementSweepController,
    ScoringController,
    TelemetryController,
  ],
  providers: [
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
    ProgramRepository,
    ProgramChainReads,
    CreateProgramUseCase,
    CancelProgramUseCase,
    CloseProgramUseCase,
    ReleaseCohortUseCase,
    EnrolFacilityUseCase,
    WithdrawFacilityUseCase,
    SettleCohortPeriodUseCase,
    PostPerformancesUseCase,
    ReadSettlementReportUseCase,
    SettlementSweepUseCase,
    SettlementSweepScheduler,
    PeriodClock,
    ScoringRepository,
    ScoringSweepUseCase,
    ScoringSweepScheduler,
    FulfilFromTelemetryUseCase,
    telemetryPoolProvider,
    TelemetryRepository,
    MeterAuthorisation,
    IngestTelemetryUseCase,
    RecordRegulationSignalUseCase,
    TelemetryConsumer,
    TelemetryRetentionScheduler,
  ],
  exports: [Infrastructure],
})
export class AppModule {}
