import { Inject, Injectable } from "@nestjs/common";
import type { SettlementSweepResult } from "@voltstack/api";
import { withSpan } from "@voltstack/observability";
import { ApiError, type Caller, SERVICE_CONFIG } from "@voltstack/service-kit";
import { ChainFacts } from "../../chain/chain-facts.js";
import type { GridConfig } from "../../grid-config.js";
import type { Program } from "@voltstack/api";
import { ProgramRepository } from "../program-repository.js";
import { CloseProgramUseCase } from "./close-program.usecase.js";
import { periodEndHeight } from "./program-lookup.js";
import { ReleaseCohortUseCase } from "./release-cohort.usecase.js";
import { SettleCohortPeriodUseCase } from "./settle-cohort-period.usecase.js";

// One sweep settles at most this many cohort-periods (100 facility-periods each), this many at a time.
const SWEEP_BATCH = 50;
const SWEEP_CONCURRENCY = 8;
// At most this many programs closed and cohorts released a sweep.
const END_BATCH = 20;

interface Candidate {
  program: Program;
  cohort: number;
  period: number;
  /** The deadline passed: enrolled facilities without a posted performance settle at 0. */
  missingAsZero: boolean;
}

/**
 * Settles every cohort-period that is due: its period has ended and either every facility
 * earning in it has a posted performance, or PROGRAM_PERFORMANCE_DEADLINE_BLOCKS passed since
 * the period's end (then the missing ones settle at 0 performance and 0 delivery; the deadline is
 * brought forward to stay inside the settle window). A refusal (say, the budget is spent) is
 * reported and the cohort-period tried again next sweep. Then it ends what is over: a program
 * whose settle window has passed is closed (its unspent budget back to the operator; before that
 * the operator closes it by hand once every cohort settled every period), and the cohorts of
 * closed and cancelled programs that still hold reservations are released.
 */
@Injectable()
export class SettlementSweepUseCase {
  private running: Promise<SettlementSweepResult> | undefined;

  constructor(
    @Inject(SettleCohortPeriodUseCase) private readonly settle: SettleCohortPeriodUseCase,
    @Inject(CloseProgramUseCase) private readonly closeProgram: CloseProgramUseCase,
    @Inject(ReleaseCohortUseCase) private readonly releaseCohort: ReleaseCohortUseCase,
    @Inject(ProgramRepository) private readonly programs: ProgramRepository,
    @Inject(ChainFacts) private readonly facts: ChainFacts,
    @Inject(SERVICE_CONFIG) private readonly config: GridConfig,
  ) {}

  /** Sweeps as `caller`, signing as `principal`; overlapping calls share one sweep. */
  execute(caller: Caller, principal: string): Promise<SettlementSweepResult> {
    this.running ??= this.sweep(caller, principal).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  async idle(): Promise<void> {
    await this.running?.catch(() => undefined);
  }

  private sweep(caller: Caller, principal: string): Promise<SettlementSweepResult> {
    return withSpan("grid settlement-sweep", {}, async () => {
      const height = await this.facts.tipHeight();
      const candidates = await this.due(height);
      const result: SettlementSweepResult = {
        height,
        settled: [],
        failed: [],
        closed: [],
        released: [],
        endFailed: [],
      };
      let next = 0;
      const worker = async () => {
        while (next < candidates.length) {
          const { program, cohort, period, missingAsZero } = candidates[next++]!;
          try {
            const outcome = await this.settle.execute({
              caller,
              principal,
              programId: program.id,
              cohort,
              period,
              missingAsZero,
            });
            if (outcome.status === "settled") {
              result.settled.push({
                programId: program.id,
                cohort,
                period,
                txid: outcome.txid,
                zeroed: outcome.zeroed.length,
              });
            }
          } catch (error) {
            if (!(error instanceof ApiError)) throw error;
            result.failed.push({ programId: program.id, cohort, period, code: error.code, message: error.message });
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(SWEEP_CONCURRENCY, candidates.length) }, worker));
      await this.endPrograms(caller, principal, height, result);
      return result;
    });
  }

  /**
   * The cohort-periods that can be settled at `height`, oldest period first, at most SWEEP_BATCH.
   * Periods every cohort settled are skipped by one count per period; performances are read only
   * for the periods still open.
   */
  private async due(height: number): Promise<Candidate[]> {
    const next = height + 1;
    const deadlineBlocks = this.config.PROGRAM_PERFORMANCE_DEADLINE_BLOCKS;
    const due: Candidate[] = [];
    for (const program of await this.programs.activeProgramsStartedBefore(next)) {
      if (due.length >= SWEEP_BATCH) break;
      if (next >= program.settleUntilHeight) continue;
      const ended = Math.min(program.periodCount, Math.floor((next - program.startHeight) / program.periodBlocks));
      const slots = await this.programs.slotsOf(program);
      const cohorts = [...new Set(slots.map((slot) => slot.cohort))];
      if (cohorts.length === 0) continue;
      const settledCounts = await this.programs.settlementCountsByPeriod(program.id, ended);
      for (let period = 0; period < ended && due.length < SWEEP_BATCH; period += 1) {
        if ((settledCounts.get(period) ?? 0) >= cohorts.length) continue;
        // Missing performances count as 0 once the deadline passed, or two blocks before the window closes.
        const deadline = Math.min(periodEndHeight(program, period) + deadlineBlocks, program.settleUntilHeight - 2);
        const missingAsZero = next >= deadline;
        const [settled, posted] = await Promise.all([
          this.programs.settledCohorts(program.id, period),
          this.programs.postedFacilities(program.id, period),
        ]);
        for (const cohort of cohorts) {
          if (due.length >= SWEEP_BATCH) break;
          if (settled.has(cohort)) continue;
          const complete = slots
            .filter((slot) => slot.cohort === cohort && period >= slot.fromPeriod && period < slot.untilPeriod)
            .every((slot) => posted.has(slot.facilityId));
          if (complete || missingAsZero) due.push({ program, cohort, period, missingAsZero });
        }
      }
    }
    return due;
  }

  /** Closes programs whose settle window passed, then releases the cohorts of ended programs. */
  private async endPrograms(
    caller: Caller,
    principal: string,
    height: number,
    result: SettlementSweepResult,
  ): Promise<void> {
    const next = height + 1;
    // Programs whose settle window has passed: nothing can be settled any more, and the operator had
    // the window to close by hand (after its earnings were paid out, say).
    const over = (await this.programs.activeProgramsEndedBy(next)).filter(
      (program) => next >= program.settleUntilHeight,
    );
    for (const program of over.slice(0, END_BATCH)) {
      try {
        const closed = await this.closeProgram.execute({ caller, programId: program.id, actAs: principal });
        result.closed.push({ programId: program.id, refundUstx: closed.refundUstx, txid: closed.txid });
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        result.endFailed.push({ programId: program.id, cohort: null, code: error.code, message: error.message });
      }
    }
    for (const { programId, cohort } of await this.programs.unreleasedEndedCohorts(END_BATCH)) {
      try {
        const released = await this.releaseCohort.execute({ caller, programId, cohort, actAs: principal });
        result.released.push({ programId, cohort, releasedKwh: released.releasedKwh, txid: released.txid });
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        result.endFailed.push({ programId, cohort, code: error.code, message: error.message });
      }
    }
  }
}
