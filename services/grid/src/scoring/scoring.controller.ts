import { Controller, Get, HttpCode, Inject, Post, Put } from "@nestjs/common";
import { ApiTags } from "@nestjs/swagger";
import { z } from "zod";
import { CHAIN_WRITE_REFUSALS, PRISMA } from "@voltstack/chain-sync";
import { computeLineAmount } from "@voltstack/settlement";
import {
  enableScoringBody,
  facilityIdParam,
  fulfilFromTelemetryAnswer,
  fulfilFromTelemetryBody,
  type PerformanceScore,
  type Program,
  periodParam,
  type PeriodScores,
  periodScoreSeriesAnswer,
  periodScoresAnswer,
  programActionBody,
  programIdParam,
  type RequestScore,
  requestIdParam,
  requestScoreSeriesAnswer,
  type ScoredProgram,
  scoredProgramAnswer,
  scoringSweepAnswer,
  type ScoringSweepResult,
} from "@voltstack/api";
import { ApiError, type Caller, CurrentCaller, Operation, Roles, ZodBody, ZodParam } from "@voltstack/service-kit";
import { GRID_WRITE_REFUSALS } from "../chain/grid-answers.js";
import { ChainFacts } from "../chain/chain-facts.js";
import { GridChainWriter } from "../chain/grid-chain-writer.js";
import { ProgramRepository } from "../programs/program-repository.js";
import { assertActive, programOrRefuse } from "../programs/usecases/program-lookup.js";
import { assertSettler } from "../programs/usecases/program-operator.js";
import type { PrismaClient } from "../generated/prisma/client.js";
import { FulfilFromTelemetryUseCase, requestScoreView } from "./usecases/fulfil-from-telemetry.usecase.js";
import { ScoringRepository, type StoredScore } from "./scoring-repository.js";
import { ScoringSweepUseCase } from "./usecases/scoring-sweep.usecase.js";

const PROGRAM_REFUSALS = { ERR_PROGRAM_NOT_FOUND: 404 };

/**
 * Programs scored from telemetry: an admin or scoring oracle turns it on per program; anyone
 * reads each facility's score per period with its breakdown and a plot-ready series.
 */
@ApiTags("programs")
@Controller()
export class ScoringController {
  constructor(
    @Inject(ScoringRepository) private readonly scoring: ScoringRepository,
    @Inject(ProgramRepository) private readonly programs: ProgramRepository,
    @Inject(ScoringSweepUseCase) private readonly sweep: ScoringSweepUseCase,
    @Inject(ChainFacts) private readonly facts: ChainFacts,
    @Inject(GridChainWriter) private readonly writer: GridChainWriter,
    @Inject(FulfilFromTelemetryUseCase) private readonly fulfilFromTelemetry: FulfilFromTelemetryUseCase,
    @Inject(PRISMA) private readonly prisma: PrismaClient,
  ) {}

  /** Fulfils an accepted request with the performance its facility's telemetry shows over [from, to). */
  @Operation({
    summary: "Fulfils an accepted request with the performance its facility's telemetry shows over the window (admin).",
    answers: fulfilFromTelemetryAnswer,
    refuses: [
      ...GRID_WRITE_REFUSALS,
      { REQUEST_NOT_FOUND: 404, REQUEST_NOT_SCORABLE: 422, SCORING_WINDOW_NOT_ENDED: 400 },
    ],
  })
  @Post("service-requests/:id/fulfil-from-telemetry")
  @HttpCode(200)
  @Roles("admin")
  fulfil(
    @ZodParam("id", requestIdParam) id: number,
    @ZodBody(fulfilFromTelemetryBody) body: z.output<typeof fulfilFromTelemetryBody>,
    @CurrentCaller() caller: Caller,
  ): ReturnType<FulfilFromTelemetryUseCase["execute"]> {
    return this.fulfilFromTelemetry.execute({ caller, requestId: id, ...body });
  }

  /** The score a request was fulfilled with, with its series, when it came from telemetry. */
  @Operation({
    summary: "The score a request was fulfilled with, with its series, when it came from telemetry.",
    answers: requestScoreSeriesAnswer,
    refuses: [{ SCORE_NOT_FOUND: 404 }],
  })
  @Get("service-requests/:id/score")
  async requestScore(@ZodParam("id", requestIdParam) id: number): Promise<RequestScore & { series: unknown }> {
    const row = await this.prisma.requestScore.findUnique({ where: { requestId: id } });
    if (!row) {
      throw ApiError.notFound("SCORE_NOT_FOUND", `Service request ${id} was not fulfilled from telemetry.`, {
        requestId: id,
      });
    }
    return { ...requestScoreView(row), series: row.series };
  }

  /** Scores the program's periods from telemetry from now on, instead of waiting for posted performances. */
  @Operation({
    summary: "Scores the program's periods from telemetry from now on (admin or scoring oracle).",
    answers: scoredProgramAnswer,
    refuses: [PROGRAM_REFUSALS, { ERR_NOT_REPORTER: 403, ERR_PROGRAM_NOT_ACTIVE: 409 }, CHAIN_WRITE_REFUSALS],
  })
  @Put("programs/:id/scoring")
  @Roles("admin", "operator")
  async enable(
    @ZodParam("id", programIdParam) id: number,
    @ZodBody(enableScoringBody) body: z.output<typeof enableScoringBody>,
    @CurrentCaller() caller: Caller,
  ): Promise<ScoredProgram> {
    const program = await programOrRefuse(this.programs, id);
    const principal = this.writer.actingPrincipal(caller, body.actAs);
    await assertSettler(this.facts, principal);
    assertActive(program);
    return this.scoring.enable(id, body.containmentProfile, principal);
  }

  @Operation({
    summary: "Whether and how the program is scored from telemetry, and the next period to score.",
    answers: scoredProgramAnswer,
    refuses: [{ PROGRAM_NOT_SCORED: 404 }],
  })
  @Get("programs/:id/scoring")
  async scoringOf(@ZodParam("id", programIdParam) id: number): Promise<ScoredProgram> {
    const scored = await this.scoring.find(id);
    if (!scored) {
      throw ApiError.notFound("PROGRAM_NOT_SCORED", `Program ${id} is not scored from telemetry.`, { programId: id });
    }
    return scored;
  }

  @Operation({
    summary: "Every facility's score for a period of the program, with what each line earns.",
    answers: periodScoresAnswer,
    refuses: [PROGRAM_REFUSALS],
  })
  @Get("programs/:id/periods/:period/scores")
  async scores(
    @ZodParam("id", programIdParam) id: number,
    @ZodParam("period", periodParam) period: number,
  ): Promise<PeriodScores> {
    const program = await programOrRefuse(this.programs, id);
    const scores = await this.scoring.scores(id, period);
    return {
      programId: id,
      period,
      items: [...scores.values()].sort((a, b) => a.facilityId - b.facilityId).map((score) => view(program, score)),
    };
  }

  /** One facility's score with the series it was computed from (10 s points), for a plot. */
  @Operation({
    summary: "One facility's score for a period, with the series it was computed from.",
    answers: periodScoreSeriesAnswer,
    refuses: [PROGRAM_REFUSALS, { SCORE_NOT_FOUND: 404 }],
  })
  @Get("programs/:id/periods/:period/facilities/:facilityId/score")
  async score(
    @ZodParam("id", programIdParam) id: number,
    @ZodParam("period", periodParam) period: number,
    @ZodParam("facilityId", facilityIdParam) facilityId: number,
  ): Promise<PerformanceScore & { series: unknown[] }> {
    const program = await programOrRefuse(this.programs, id);
    const score = await this.scoring.score(id, period, facilityId);
    if (!score) {
      throw ApiError.notFound(
        "SCORE_NOT_FOUND",
        `Facility ${facilityId} has no score for period ${period} of program ${id} (not scored from telemetry, or not yet).`,
        { programId: id, period, facilityId },
      );
    }
    return { ...view(program, score), series: score.series };
  }

  /** The periodic scoring sweep, on demand. */
  @Operation({
    summary: "Runs the periodic scoring sweep now (admin): scores ended periods and posts their performances.",
    answers: scoringSweepAnswer,
    refuses: [{ ACTING_PRINCIPAL_REQUIRED: 400, NO_SIGNER_FOR_CALLER: 422 }],
  })
  @Post("admin/scoring-sweep")
  @HttpCode(200)
  @Roles("admin")
  run(
    @ZodBody(programActionBody) body: z.output<typeof programActionBody>,
    @CurrentCaller() caller: Caller,
  ): Promise<ScoringSweepResult> {
    return this.sweep.execute(caller, this.writer.actingPrincipal(caller, body.actAs));
  }
}

function view(program: Program, score: StoredScore): PerformanceScore {
  const amount = computeLineAmount(
    {
      committedKw: score.committedKw,
      performanceBps: BigInt(score.performanceBps),
      deliveredKwh: BigInt(score.deliveredKwh),
    },
    { capacityPriceUstx: BigInt(program.capacityPriceUstx), energyPriceUstx: BigInt(program.energyPriceUstx) },
  );
  return {
    programId: score.programId,
    period: score.period,
    facilityId: score.facilityId,
    method: score.method,
    performanceBps: score.performanceBps,
    deliveredKwh: score.deliveredKwh,
    committedKw: Number(score.committedKw),
    amountUstx: amount.toString(),
    window: { from: score.windowFrom.toISOString(), to: score.windowTo.toISOString(), stepSeconds: 2 },
    breakdown: score.breakdown,
    scoredAt: score.scoredAt.toISOString(),
  };
}
