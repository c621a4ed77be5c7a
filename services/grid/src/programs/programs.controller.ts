import { Controller, Get, HttpCode, Inject, Post } from "@nestjs/common";
import { ApiTags } from "@nestjs/swagger";
import type { z } from "zod";
import type { ChainWriteResult } from "@voltstack/chain-sync";
import { type Caller, CurrentCaller, Roles, ZodBody, ZodParam, ZodQuery } from "@voltstack/service-kit";
import { type EnrolmentView, ProgramRepository, type ProgramView, type SettlementView } from "./program-repository.js";
import { GridChainWriter } from "../chain-writes/grid-chain-writer.js";
import {
  cohortParam,
  createProgramBody,
  enrolBody,
  facilityIdParam,
  listEnrolmentsQuery,
  listProgramsQuery,
  listSettlementsQuery,
  performancesBody,
  periodParam,
  programActionBody,
  programIdParam,
  settleBody,
} from "./program-requests.js";
import { CancelProgramUseCase } from "./usecases/cancel-program.usecase.js";
import { CloseProgramUseCase } from "./usecases/close-program.usecase.js";
import { CreateProgramUseCase } from "./usecases/create-program.usecase.js";
import { EnrolFacilityUseCase } from "./usecases/enrol-facility.usecase.js";
import { PostPerformancesUseCase, type PostPerformancesResult } from "./usecases/post-performances.usecase.js";
import { programOrRefuse } from "./usecases/program-lookup.js";
import {
  ReadSettlementReportUseCase,
  type SettlementLineAnswer,
  type SettlementReportAnswer,
} from "./usecases/read-settlement-report.usecase.js";
import { ReleaseCohortUseCase } from "./usecases/release-cohort.usecase.js";
import { SettleCohortPeriodUseCase, type SettleOutcome } from "./usecases/settle-cohort-period.usecase.js";
import { WithdrawFacilityUseCase } from "./usecases/withdraw-facility.usecase.js";

/**
 * Programs: grid-service products settled per period for cohorts of up to 100 facilities. Writes
 * answer once the chain confirmed the transaction and the follower read its block; reads come
 * from the read model.
 */
@ApiTags("programs")
@Controller("programs")
export class ProgramsController {
  constructor(
    @Inject(CreateProgramUseCase) private readonly createProgram: CreateProgramUseCase,
    @Inject(CancelProgramUseCase) private readonly cancelProgram: CancelProgramUseCase,
    @Inject(CloseProgramUseCase) private readonly closeProgram: CloseProgramUseCase,
    @Inject(ReleaseCohortUseCase) private readonly releaseCohort: ReleaseCohortUseCase,
    @Inject(EnrolFacilityUseCase) private readonly enrolFacility: EnrolFacilityUseCase,
    @Inject(WithdrawFacilityUseCase) private readonly withdrawFacility: WithdrawFacilityUseCase,
    @Inject(PostPerformancesUseCase) private readonly postPerformances: PostPerformancesUseCase,
    @Inject(SettleCohortPeriodUseCase) private readonly settle: SettleCohortPeriodUseCase,
    @Inject(ReadSettlementReportUseCase) private readonly reports: ReadSettlementReportUseCase,
    @Inject(ProgramRepository) private readonly programs: ProgramRepository,
    @Inject(GridChainWriter) private readonly writer: GridChainWriter,
  ) {}

  @Post()
  @Roles("admin")
  create(
    @ZodBody(createProgramBody) body: z.output<typeof createProgramBody>,
    @CurrentCaller() caller: Caller,
  ): Promise<ChainWriteResult & { programId: number }> {
    return this.createProgram.execute({ caller, ...body });
  }

  @Post(":id/cancel")
  @HttpCode(200)
  @Roles("admin")
  cancel(
    @ZodParam("id", programIdParam) id: number,
    @ZodBody(programActionBody) body: z.output<typeof programActionBody>,
    @CurrentCaller() caller: Caller,
  ): Promise<ChainWriteResult & { programId: number; refundUstx: string }> {
    return this.cancelProgram.execute({ caller, programId: id, ...body });
  }

  @Post(":id/close")
  @HttpCode(200)
  @Roles("admin")
  close(
    @ZodParam("id", programIdParam) id: number,
    @ZodBody(programActionBody) body: z.output<typeof programActionBody>,
    @CurrentCaller() caller: Caller,
  ): Promise<ChainWriteResult & { programId: number; refundUstx: string }> {
    return this.closeProgram.execute({ caller, programId: id, ...body });
  }

  @Post(":id/cohorts/:cohort/release")
  @HttpCode(200)
  @Roles("admin")
  release(
    @ZodParam("id", programIdParam) id: number,
    @ZodParam("cohort", cohortParam) cohort: number,
    @ZodBody(programActionBody) body: z.output<typeof programActionBody>,
    @CurrentCaller() caller: Caller,
  ): Promise<ChainWriteResult & { programId: number; cohort: number; releasedKwh: number | string }> {
    return this.releaseCohort.execute({ caller, programId: id, cohort, ...body });
  }

  @Post(":id/enrolments")
  @Roles("owner", "operator")
  enrol(
    @ZodParam("id", programIdParam) id: number,
    @ZodBody(enrolBody) body: z.output<typeof enrolBody>,
    @CurrentCaller() caller: Caller,
  ): Promise<ChainWriteResult & { programId: number; facilityId: number; cohort: number; slot: number }> {
    return this.enrolFacility.execute({ caller, programId: id, ...body });
  }

  @Post(":id/enrolments/:facilityId/withdraw")
  @HttpCode(200)
  @Roles("owner", "operator")
  withdraw(
    @ZodParam("id", programIdParam) id: number,
    @ZodParam("facilityId", facilityIdParam) facilityId: number,
    @ZodBody(programActionBody) body: z.output<typeof programActionBody>,
    @CurrentCaller() caller: Caller,
  ): Promise<ChainWriteResult & { programId: number; facilityId: number; untilPeriod: number }> {
    return this.withdrawFacility.execute({ caller, programId: id, facilityId, ...body });
  }

  /** Performances of one period (admin or a registered scoring oracle); cohorts they complete are settled. */
  @Post(":id/periods/:period/performances")
  @HttpCode(200)
  @Roles("admin", "operator")
  performances(
    @ZodParam("id", programIdParam) id: number,
    @ZodParam("period", periodParam) period: number,
    @ZodBody(performancesBody) body: z.output<typeof performancesBody>,
    @CurrentCaller() caller: Caller,
  ): Promise<PostPerformancesResult> {
    return this.postPerformances.execute({ caller, programId: id, period, ...body });
  }

  /** Settles one cohort for one period now; missingAsZero settles facilities without a posted performance at 0. */
  @Post(":id/cohorts/:cohort/periods/:period/settle")
  @HttpCode(200)
  @Roles("admin", "operator")
  settleNow(
    @ZodParam("id", programIdParam) id: number,
    @ZodParam("cohort", cohortParam) cohort: number,
    @ZodParam("period", periodParam) period: number,
    @ZodBody(settleBody) body: z.output<typeof settleBody>,
    @CurrentCaller() caller: Caller,
  ): Promise<SettleOutcome> {
    const principal = this.writer.actingPrincipal(caller, body.actAs);
    return this.settle.execute({ caller, principal, programId: id, cohort, period, missingAsZero: body.missingAsZero });
  }

  @Get()
  list(
    @ZodQuery(listProgramsQuery) query: z.output<typeof listProgramsQuery>,
  ): Promise<{ items: ProgramView[]; nextAfter: number | null }> {
    return this.programs.listPrograms(query);
  }

  @Get(":id")
  get(@ZodParam("id", programIdParam) id: number): Promise<ProgramView> {
    return programOrRefuse(this.programs, id);
  }

  @Get(":id/enrolments")
  async enrolments(
    @ZodParam("id", programIdParam) id: number,
    @ZodQuery(listEnrolmentsQuery) query: z.output<typeof listEnrolmentsQuery>,
  ): Promise<{ items: EnrolmentView[]; nextAfter: number | null }> {
    return this.programs.listEnrolments(await programOrRefuse(this.programs, id), query);
  }

  @Get(":id/settlements")
  async settlements(
    @ZodParam("id", programIdParam) id: number,
    @ZodQuery(listSettlementsQuery) query: z.output<typeof listSettlementsQuery>,
  ): Promise<{ items: SettlementView[] }> {
    await programOrRefuse(this.programs, id);
    return this.programs.listSettlements(id, query);
  }

  /** The settlement report of a cohort and period, as hashed into the root the chain recorded. */
  @Get(":id/cohorts/:cohort/periods/:period/report")
  report(
    @ZodParam("id", programIdParam) id: number,
    @ZodParam("cohort", cohortParam) cohort: number,
    @ZodParam("period", periodParam) period: number,
  ): Promise<SettlementReportAnswer> {
    return this.reports.report({ programId: id, cohort, period });
  }

  /** One facility's settlement line of a period, with its inclusion proof against the recorded root. */
  @Get(":id/periods/:period/facilities/:facilityId")
  line(
    @ZodParam("id", programIdParam) id: number,
    @ZodParam("period", periodParam) period: number,
    @ZodParam("facilityId", facilityIdParam) facilityId: number,
  ): Promise<SettlementLineAnswer> {
    return this.reports.line(id, period, facilityId);
  }
}
