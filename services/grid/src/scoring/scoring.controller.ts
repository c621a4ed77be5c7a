import { Controller, Get, HttpCode, Inject, Post, Put } from "@nestjs/common";
import { ApiTags } from "@nestjs/swagger";
import { z } from "zod";
import { CHAIN_WRITE_REFUSALS, PRISMA } from "@voltstack/chain-sync";
import { computeLineAmount } from "@voltstack/settlement";
import { bpsField, chainWriteAnswer, integerField, kwField, kwhField, timestampField, ustxField } from "@voltstack/api";
import { ApiError, type Caller, CurrentCaller, Operation, Roles, ZodBody, ZodParam } from "@voltstack/service-kit";
import { GRID_WRITE_REFUSALS } from "../chain/grid-answers.js";
import { ChainFacts } from "../chain/chain-facts.js";
import { GridChainWriter } from "../chain/grid-chain-writer.js";
import { facilityIdParam, periodParam, programActionBody, programIdParam } from "../programs/program-requests.js";
import { ProgramRepository, type ProgramView } from "../programs/program-repository.js";
import { assertActive, programOrRefuse } from "../programs/usecases/program-lookup.js";
import { assertSettler } from "../programs/usecases/program-operator.js";
import { requestIdParam } from "../service-requests/service-request-requests.js";
import type { PrismaClient } from "../generated/prisma/client.js";
import { enableScoringBody, fulfilFromTelemetryBody } from "./scoring-requests.js";
import {
  FulfilFromTelemetryUseCase,
  type RequestScoreView,
  requestScoreView,
} from "./usecases/fulfil-from-telemetry.usecase.js";
import { CONTAINMENT_PROFILES, type ContainmentProfileName } from "./period-score.js";
import { type ScoredProgram, ScoringRepository, type StoredScore } from "./scoring-repository.js";
import { type ScoringSweepResult, ScoringSweepUseCase } from "./usecases/scoring-sweep.usecase.js";

/** A score as served: the numbers posted, what they earn, and what they were computed from. */
export interface PerformanceScoreView {
  programId: number;
  period: number;
  facilityId: number;
  method: string;
  performanceBps: number;
  deliveredKwh: number;
  committedKw: number;
  /** What the line earns by settle-period's rule at the program's prices, micro-STX. */
  amountUstx: string;
  window: { from: string; to: string; stepSeconds: number };
  breakdown: Record<string, unknown>;
  scoredAt: string;
}

const scoreFields = {
  facilityId: integerField,
  method: z.enum(["regulation", "containment", "energy"]),
  performanceBps: bpsField,
  deliveredKwh: kwhField,
  committedKw: kwField,
  window: z.object({ from: timestampField, to: timestampField, stepSeconds: integerField }),
  breakdown: z.record(z.string(), z.unknown()),
  scoredAt: timestampField,
};

const requestScoreAnswer = z.object({ requestId: integerField, ...scoreFields });

const periodScoreAnswer = z.object({
  programId: integerField,
  period: integerField,
  ...scoreFields,
  amountUstx: ustxField.meta({ description: "What the line earns by settle-period's rule at the program's prices" }),
});

const series = z.array(z.unknown()).meta({ description: "The points the score was computed from (10 s), for a plot" });

const scoredProgramAnswer = z.object({
  programId: integerField,
  containmentProfile: z.enum(
    Object.keys(CONTAINMENT_PROFILES) as [ContainmentProfileName, ...ContainmentProfileName[]],
  ),
  nextPeriod: integerField,
});

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
    answers: chainWriteAnswer({
      requestId: integerField,
      performanceBps: bpsField,
      payoutUstx: ustxField,
      score: requestScoreAnswer,
    }),
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
    answers: requestScoreAnswer.extend({ series }),
    refuses: [{ SCORE_NOT_FOUND: 404 }],
  })
  @Get("service-requests/:id/score")
  async requestScore(@ZodParam("id", requestIdParam) id: number): Promise<RequestScoreView & { series: unknown }> {
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
    answers: z.object({ programId: integerField, period: integerField, items: z.array(periodScoreAnswer) }),
    refuses: [PROGRAM_REFUSALS],
  })
  @Get("programs/:id/periods/:period/scores")
  async scores(
    @ZodParam("id", programIdParam) id: number,
    @ZodParam("period", periodParam) period: number,
  ): Promise<{ programId: number; period: number; items: PerformanceScoreView[] }> {
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
    answers: periodScoreAnswer.extend({ series }),
    refuses: [PROGRAM_REFUSALS, { SCORE_NOT_FOUND: 404 }],
  })
  @Get("programs/:id/periods/:period/facilities/:facilityId/score")
  async score(
    @ZodParam("id", programIdParam) id: number,
    @ZodParam("period", periodParam) period: number,
    @ZodParam("facilityId", facilityIdParam) facilityId: number,
  ): Promise<PerformanceScoreView & { series: unknown[] }> {
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
    answers: z.object({
      height: integerField
        .nullable()
        .meta({ description: "The tip read; null when no program is scored (nothing read)" }),
      periods: z.array(
        z.object({ programId: integerField, period: integerField, scored: integerField, posted: integerField }),
      ),
      failed: z.array(
        z.object({ programId: integerField, period: integerField, code: z.string(), message: z.string() }),
      ),
    }),
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

function view(program: ProgramView, score: StoredScore): PerformanceScoreView {
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
