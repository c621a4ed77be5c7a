import { Inject, Injectable, Logger } from "@nestjs/common";
import type { Program, ScoredProgram, ScoringSweepResult } from "@voltstack/api";
import { withSpan } from "@voltstack/observability";
import { ApiError, type Caller, SERVICE_CONFIG } from "@voltstack/service-kit";
import { ChainFacts } from "../../chain/chain-facts.js";
import type { GridConfig } from "../../grid-config.js";
import { ProgramRepository } from "../../programs/program-repository.js";
import { periodEndHeight } from "../../programs/usecases/program-lookup.js";
import { PostPerformancesUseCase } from "../../programs/usecases/post-performances.usecase.js";
import { TelemetryRepository } from "../../telemetry/telemetry-repository.js";
import { PeriodClock } from "../period-clock.js";
import { scorePeriod, scoringMethodOf } from "../period-score.js";
import { type EarningEnrolment, ScoringRepository, type StoredScore } from "../scoring-repository.js";

// Telemetry is read 2 s at a time: a window shorter than one step is widened to one.
const STEP_MS = 2_000;
// Periods of one program scored in one pass: a program of one-block periods far behind the tip
// catches up over several passes instead of holding one pass (and the API) for all of them.
const MAX_PERIODS_PER_PASS = 10;

/**
 * Scores the ended periods of programs scored from telemetry and posts the performances, as the
 * sweep's principal (an admin or scoring oracle), through the same use case an admin's post goes
 * through, so each cohort complete is settled at once. A period is scored once the block after
 * it exists and PROGRAM_SCORING_GRACE_S have passed since that block's time (late samples land
 * first); its window is [time of its first block, time of the block after it). Each facility's
 * score is kept before its performance is posted, so a retry posts the same number; facilities
 * with a performance posted by hand, or in a cohort already settled, are left as they are.
 */
@Injectable()
export class ScoringSweepUseCase {
  private readonly logger = new Logger("ScoringSweep");
  private running: Promise<ScoringSweepResult> | undefined;

  constructor(
    @Inject(ScoringRepository) private readonly scoring: ScoringRepository,
    @Inject(ProgramRepository) private readonly programs: ProgramRepository,
    @Inject(TelemetryRepository) private readonly telemetry: TelemetryRepository,
    @Inject(PeriodClock) private readonly clock: PeriodClock,
    @Inject(ChainFacts) private readonly facts: ChainFacts,
    @Inject(PostPerformancesUseCase) private readonly postPerformances: PostPerformancesUseCase,
    @Inject(SERVICE_CONFIG) private readonly config: GridConfig,
  ) {}

  /** Sweeps as `caller`, signing as `principal`; overlapping calls share one sweep. */
  execute(caller: Caller, principal: string): Promise<ScoringSweepResult> {
    this.running ??= withSpan("grid scoring sweep", {}, () => this.sweep(caller, principal)).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  async idle(): Promise<void> {
    await this.running?.catch(() => undefined);
  }

  private async sweep(caller: Caller, principal: string): Promise<ScoringSweepResult> {
    const programs = await this.scoring.activeScoredPrograms();
    // No program scored from telemetry: nothing to ask the chain (an idle system stays within its API budget).
    if (programs.length === 0) return { height: null, periods: [], failed: [] };
    const height = await this.facts.tipHeight();
    const result: ScoringSweepResult = { height, periods: [], failed: [] };
    for (const scored of programs) {
      const program = await this.programs.findProgram(scored.programId);
      if (!program) continue;
      const last = Math.min(program.periodCount, scored.nextPeriod + MAX_PERIODS_PER_PASS);
      for (let period = scored.nextPeriod; period < last; period += 1) {
        const endsAt = periodEndHeight(program, period);
        if (height < endsAt) break;
        if (height + 1 >= program.settleUntilHeight) {
          await this.scoring.advance(program.id, program.periodCount);
          break;
        }
        const window = await this.window(program, period, endsAt);
        if (!window) break;
        try {
          const done = await this.scorePeriod(caller, principal, program, scored, period, window);
          result.periods.push(done);
          await this.scoring.advance(program.id, period + 1);
        } catch (error) {
          if (!(error instanceof ApiError)) throw error;
          result.failed.push({ programId: program.id, period, code: error.code, message: error.message });
          this.logger.warn(`program ${program.id} period ${period}: ${error.code} ${error.message}`);
          break;
        }
      }
    }
    return result;
  }

  /** The period's wall-clock window, or null while it should not be scored yet. */
  private async window(program: Program, period: number, endsAt: number): Promise<{ from: Date; to: Date } | null> {
    const [from, to] = await Promise.all([
      this.clock.blockTime(program.startHeight + period * program.periodBlocks),
      this.clock.blockTime(endsAt),
    ]);
    if (!from || !to) return null;
    if (Date.now() < to.getTime() + this.config.PROGRAM_SCORING_GRACE_S * 1_000) return null;
    return { from, to: to.getTime() - from.getTime() < STEP_MS ? new Date(from.getTime() + STEP_MS) : to };
  }

  private async scorePeriod(
    caller: Caller,
    principal: string,
    program: Program,
    scored: ScoredProgram,
    period: number,
    window: { from: Date; to: Date },
  ): Promise<ScoringSweepResult["periods"][number]> {
    const [earning, posted, settled] = await Promise.all([
      this.scoring.earning(program.id, period),
      this.programs.postedFacilities(program.id, period),
      this.programs.settledCohorts(program.id, period),
    ]);
    const pending = earning.filter((e) => !posted.has(e.facilityId) && !settled.has(e.cohort));
    if (pending.length === 0) return { programId: program.id, period, scored: 0, posted: 0 };
    const kept = await this.scoring.scores(program.id, period);
    const signal =
      scoringMethodOf(program.product) === "regulation"
        ? (await this.telemetry.regulationSignal(program.id, window.from, window.to)).valueBps
        : null;
    const fresh: StoredScore[] = [];
    for (const enrolment of pending.filter((e) => !kept.has(e.facilityId))) {
      const series = await this.telemetry.series(enrolment.facilityId, window.from, window.to);
      const score = scorePeriod(program.product, scored.containmentProfile, enrolment.committedKw, {
        stepSeconds: series.stepSeconds,
        powerW: series.powerW,
        frequencyMilliHz: series.frequencyMilliHz,
        signalBps: signal,
      });
      fresh.push({
        ...score,
        programId: program.id,
        period,
        facilityId: enrolment.facilityId,
        committedKw: enrolment.committedKw,
        windowFrom: window.from,
        windowTo: window.to,
        scoredAt: new Date(),
      });
    }
    await this.scoring.keep(fresh);
    const scores = await this.scoring.scores(program.id, period);
    let postedCount = 0;
    for (const cohort of byCohort(pending)) {
      const performances = cohort.map((enrolment) => {
        const score = scores.get(enrolment.facilityId)!;
        // The contract refuses a delivery above the reservation: the excess earns nothing.
        const deliveredKwh = Math.min(score.deliveredKwh, Number(enrolment.reservedKwh));
        return { facilityId: enrolment.facilityId, performanceBps: score.performanceBps, deliveredKwh };
      });
      await this.postPerformances.execute({ caller, programId: program.id, period, performances, actAs: principal });
      postedCount += performances.length;
    }
    return { programId: program.id, period, scored: fresh.length, posted: postedCount };
  }
}

function byCohort(enrolments: EarningEnrolment[]): EarningEnrolment[][] {
  const cohorts = new Map<number, EarningEnrolment[]>();
  for (const enrolment of enrolments) {
    cohorts.set(enrolment.cohort, [...(cohorts.get(enrolment.cohort) ?? []), enrolment]);
  }
  return [...cohorts.values()];
}
