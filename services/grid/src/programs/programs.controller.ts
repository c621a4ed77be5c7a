import { Controller, Get, HttpCode, Inject, Post } from "@nestjs/common";
import { ApiTags } from "@nestjs/swagger";
import { z } from "zod";
import {
  cohortParam,
  createProgramAnswer,
  createProgramBody,
  type CreateProgramResult,
  enrolAnswer,
  enrolBody,
  type EnrolResult,
  type EnrolmentPage,
  enrolmentPageAnswer,
  facilityIdParam,
  listEnrolmentsQuery,
  listProgramsQuery,
  listSettlementsQuery,
  performancesAnswer,
  performancesBody,
  type PerformancesResult,
  periodParam,
  type Program,
  programActionBody,
  programAnswer,
  programIdParam,
  type ProgramPage,
  programPageAnswer,
  type ProgramRefund,
  programRefundAnswer,
  releaseCohortAnswer,
  type ReleaseCohortResult,
  settleBody,
  type SettleOutcome,
  settleOutcomeAnswer,
  settlementLineAnswer,
  settlementReportAnswer,
  type Settlements,
  settlementsAnswer,
  withdrawAnswer,
  type WithdrawResult,
} from "@voltstack/api";
import { type Caller, CurrentCaller, Operation, Roles, ZodBody, ZodParam, ZodQuery } from "@voltstack/service-kit";
import { ProgramRepository } from "./program-repository.js";
import { GridChainWriter } from "../chain/grid-chain-writer.js";
import { FACILITY_WRITE_REFUSALS, GRID_WRITE_REFUSALS } from "../chain/grid-answers.js";
import { CancelProgramUseCase } from "./usecases/cancel-program.usecase.js";
import { CloseProgramUseCase } from "./usecases/close-program.usecase.js";
import { CreateProgramUseCase } from "./usecases/create-program.usecase.js";
import { EnrolFacilityUseCase } from "./usecases/enrol-facility.usecase.js";
import { PostPerformancesUseCase } from "./usecases/post-performances.usecase.js";
import { programOrRefuse } from "./usecases/program-lookup.js";
import {
  ReadSettlementReportUseCase,
  type SettlementLineAnswer,
  type SettlementReportAnswer,
} from "./usecases/read-settlement-report.usecase.js";
import { ReleaseCohortUseCase } from "./usecases/release-cohort.usecase.js";
import { SettleCohortPeriodUseCase } from "./usecases/settle-cohort-period.usecase.js";
import { WithdrawFacilityUseCase } from "./usecases/withdraw-facility.usecase.js";

const REPORT_REFUSALS = { SETTLEMENT_NOT_FOUND: 404, REPORT_NOT_AVAILABLE: 404 };

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

  @Operation({
    summary: "Creates a program (admin): a product, its prices, periods and budget, held in escrow on chain.",
    answers: createProgramAnswer,
    refuses: GRID_WRITE_REFUSALS,
  })
  @Post()
  @Roles("admin")
  create(
    @ZodBody(createProgramBody) body: z.output<typeof createProgramBody>,
    @CurrentCaller() caller: Caller,
  ): Promise<CreateProgramResult> {
    return this.createProgram.execute({ caller, ...body });
  }

  @Operation({
    summary: "Cancels a program before it starts (admin); its budget goes back to the operator.",
    answers: programRefundAnswer,
    refuses: GRID_WRITE_REFUSALS,
  })
  @Post(":id/cancel")
  @HttpCode(200)
  @Roles("admin")
  cancel(
    @ZodParam("id", programIdParam) id: number,
    @ZodBody(programActionBody) body: z.output<typeof programActionBody>,
    @CurrentCaller() caller: Caller,
  ): Promise<ProgramRefund> {
    return this.cancelProgram.execute({ caller, programId: id, ...body });
  }

  @Operation({
    summary: "Closes a program once its settle window passed (admin); what was not settled goes back to the operator.",
    answers: programRefundAnswer,
    refuses: GRID_WRITE_REFUSALS,
  })
  @Post(":id/close")
  @HttpCode(200)
  @Roles("admin")
  close(
    @ZodParam("id", programIdParam) id: number,
    @ZodBody(programActionBody) body: z.output<typeof programActionBody>,
    @CurrentCaller() caller: Caller,
  ): Promise<ProgramRefund> {
    return this.closeProgram.execute({ caller, programId: id, ...body });
  }

  @Operation({
    summary: "Releases a cohort's reservations of an ended program back to capacity tracking (admin).",
    answers: releaseCohortAnswer,
    refuses: GRID_WRITE_REFUSALS,
  })
  @Post(":id/cohorts/:cohort/release")
  @HttpCode(200)
  @Roles("admin")
  release(
    @ZodParam("id", programIdParam) id: number,
    @ZodParam("cohort", cohortParam) cohort: number,
    @ZodBody(programActionBody) body: z.output<typeof programActionBody>,
    @CurrentCaller() caller: Caller,
  ): Promise<ReleaseCohortResult> {
    return this.releaseCohort.execute({ caller, programId: id, cohort, ...body });
  }

  @Operation({
    summary:
      "Enrols a facility in a program with the power it commits (its owner or an operator), reserving its energy.",
    answers: enrolAnswer,
    refuses: FACILITY_WRITE_REFUSALS,
  })
  @Post(":id/enrolments")
  @Roles("owner", "operator")
  enrol(
    @ZodParam("id", programIdParam) id: number,
    @ZodBody(enrolBody) body: z.output<typeof enrolBody>,
    @CurrentCaller() caller: Caller,
  ): Promise<EnrolResult> {
    return this.enrolFacility.execute({ caller, programId: id, ...body });
  }

  @Operation({
    summary: "Withdraws a facility from a program from the next period on (its owner or an operator).",
    answers: withdrawAnswer,
    refuses: FACILITY_WRITE_REFUSALS,
  })
  @Post(":id/enrolments/:facilityId/withdraw")
  @HttpCode(200)
  @Roles("owner", "operator")
  withdraw(
    @ZodParam("id", programIdParam) id: number,
    @ZodParam("facilityId", facilityIdParam) facilityId: number,
    @ZodBody(programActionBody) body: z.output<typeof programActionBody>,
    @CurrentCaller() caller: Caller,
  ): Promise<WithdrawResult> {
    return this.withdrawFacility.execute({ caller, programId: id, facilityId, ...body });
  }

  /** Performances of one period (admin or a registered scoring oracle); cohorts they complete are settled. */
  @Operation({
    summary:
      "Posts measured performance and delivered energy per facility for an ended period (admin or scoring oracle); each cohort complete settles.",
    answers: performancesAnswer,
    refuses: GRID_WRITE_REFUSALS,
  })
  @Post(":id/periods/:period/performances")
  @HttpCode(200)
  @Roles("admin", "operator")
  performances(
    @ZodParam("id", programIdParam) id: number,
    @ZodParam("period", periodParam) period: number,
    @ZodBody(performancesBody) body: z.output<typeof performancesBody>,
    @CurrentCaller() caller: Caller,
  ): Promise<PerformancesResult> {
    return this.postPerformances.execute({ caller, programId: id, period, ...body });
  }

  /** Settles one cohort for one period now; missingAsZero settles facilities without a posted performance at 0. */
  @Operation({
    summary:
      "Settles one cohort's period from the posted performances (admin or operator): facilities without one earn 0.",
    answers: settleOutcomeAnswer,
    refuses: GRID_WRITE_REFUSALS,
  })
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

  @Operation({
    summary: "The programs, by id, filtered by status or product; a page at a time.",
    answers: programPageAnswer,
  })
  @Get()
  list(@ZodQuery(listProgramsQuery) query: z.output<typeof listProgramsQuery>): Promise<ProgramPage> {
    return this.programs.listPrograms(query);
  }

  @Operation({
    summary: "One program with what it settled, distributed and may still pay.",
    answers: programAnswer,
    refuses: [{ ERR_PROGRAM_NOT_FOUND: 404 }],
  })
  @Get(":id")
  get(@ZodParam("id", programIdParam) id: number): Promise<Program> {
    return programOrRefuse(this.programs, id);
  }

  @Operation({
    summary: "A program's enrolments with what each earned and was paid; a page at a time.",
    answers: enrolmentPageAnswer,
    refuses: [{ ERR_PROGRAM_NOT_FOUND: 404 }],
  })
  @Get(":id/enrolments")
  async enrolments(
    @ZodParam("id", programIdParam) id: number,
    @ZodQuery(listEnrolmentsQuery) query: z.output<typeof listEnrolmentsQuery>,
  ): Promise<EnrolmentPage> {
    return this.programs.listEnrolments(await programOrRefuse(this.programs, id), query);
  }

  @Operation({
    summary: "A program's settlements, per cohort and period.",
    answers: settlementsAnswer,
    refuses: [{ ERR_PROGRAM_NOT_FOUND: 404 }],
  })
  @Get(":id/settlements")
  async settlements(
    @ZodParam("id", programIdParam) id: number,
    @ZodQuery(listSettlementsQuery) query: z.output<typeof listSettlementsQuery>,
  ): Promise<Settlements> {
    await programOrRefuse(this.programs, id);
    return this.programs.listSettlements(id, query);
  }

  /** The settlement report of a cohort and period, as hashed into the root the chain recorded. */
  @Operation({
    summary:
      "The settlement report of a cohort's period, whose root the chain recorded (figures as decimal strings, as hashed).",
    answers: settlementReportAnswer,
    refuses: [REPORT_REFUSALS],
  })
  @Get(":id/cohorts/:cohort/periods/:period/report")
  report(
    @ZodParam("id", programIdParam) id: number,
    @ZodParam("cohort", cohortParam) cohort: number,
    @ZodParam("period", periodParam) period: number,
  ): Promise<SettlementReportAnswer> {
    return this.reports.report({ programId: id, cohort, period });
  }

  /** One facility's settlement line of a period, with its inclusion proof against the recorded root. */
  @Operation({
    summary:
      "One facility's settlement line of a period, with the header and the inclusion proof to verify it against the chain.",
    answers: settlementLineAnswer,
    refuses: [REPORT_REFUSALS, { FACILITY_NOT_IN_REPORT: 404, ERR_NOT_ENROLLED: 404 }],
  })
  @Get(":id/periods/:period/facilities/:facilityId")
  line(
    @ZodParam("id", programIdParam) id: number,
    @ZodParam("period", periodParam) period: number,
    @ZodParam("facilityId", facilityIdParam) facilityId: number,
  ): Promise<SettlementLineAnswer> {
    return this.reports.line(id, period, facilityId);
  }
}
