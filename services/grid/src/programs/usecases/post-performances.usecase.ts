import { Inject, Injectable } from "@nestjs/common";
import type { PerformancesResult, RefusedSettlement } from "@voltstack/api";
import { withSpan } from "@voltstack/observability";
import { ApiError, type Caller } from "@voltstack/service-kit";
import { ChainFacts } from "../../chain/chain-facts.js";
import { GridChainWriter } from "../../chain/grid-chain-writer.js";
import { ProgramRepository } from "../program-repository.js";
import { figure, gridRefusal } from "../../chain/chain-write-errors.js";
import { assertActive, periodEndHeight, programOrRefuse } from "./program-lookup.js";
import { assertSettler } from "./program-operator.js";
import { SettleCohortPeriodUseCase } from "./settle-cohort-period.usecase.js";

// Cohorts a request completes are settled this many at a time.
const SETTLE_CONCURRENCY = 4;

export interface PostPerformancesCommand {
  caller: Caller;
  programId: number;
  period: number;
  performances: { facilityId: number; performanceBps: number; deliveredKwh: number }[];
  actAs?: string;
}

/**
 * An admin or a registered scoring oracle posts measured performance (basis points) and delivered
 * energy per facility for one ended period. All are checked first, as settle-period would check
 * them (period ended and not settled, facility enrolled and earning in it, delivery within its
 * reservation), and stored together or not at all; then each cohort whose enrolled facilities
 * all have a performance is settled at once, signed as the caller. A settlement refused then (the
 * budget is spent, say) is answered per cohort with its code and figures; the performances stay.
 */
@Injectable()
export class PostPerformancesUseCase {
  constructor(
    @Inject(GridChainWriter) private readonly writer: GridChainWriter,
    @Inject(ProgramRepository) private readonly programs: ProgramRepository,
    @Inject(ChainFacts) private readonly facts: ChainFacts,
    @Inject(SettleCohortPeriodUseCase) private readonly settle: SettleCohortPeriodUseCase,
  ) {}

  execute(command: PostPerformancesCommand): Promise<PerformancesResult> {
    const { programId, period } = command;
    return withSpan("grid post-performances", { "voltstack.program_id": programId }, async () => {
      const program = await programOrRefuse(this.programs, programId);
      const principal = this.writer.actingPrincipal(command.caller, command.actAs);
      await assertSettler(this.facts, principal);
      assertActive(program);
      if (period >= program.periodCount) {
        throw gridRefusal(
          "ERR_INVALID_PERIOD",
          `Program ${programId} has periods 0 to ${program.periodCount - 1}; there is no period ${period}.`,
          { programId, period, periodCount: program.periodCount },
        );
      }
      const height = await this.facts.tipHeight();
      const endsAt = periodEndHeight(program, period);
      if (height + 1 < endsAt) {
        throw gridRefusal(
          "ERR_PERIOD_NOT_ENDED",
          `Period ${period} of program ${programId} ends at block ${endsAt}; the chain is at ${height}.`,
          { programId, period, periodEndHeight: endsAt, height },
        );
      }
      if (height + 1 >= program.settleUntilHeight) {
        throw gridRefusal(
          "ERR_SETTLEMENT_CLOSED",
          `Settlements of program ${programId} were accepted until block ${program.settleUntilHeight}; the chain is at ${height}.`,
          { programId, period, settleUntilHeight: program.settleUntilHeight, height },
        );
      }
      const facilityIds = command.performances.map((performance) => performance.facilityId);
      const twice = facilityIds.find((id, index) => facilityIds.indexOf(id) !== index);
      if (twice !== undefined) {
        throw ApiError.badRequest("VALIDATION_FAILED", `Facility ${twice} is listed twice.`, {
          issues: [{ path: "performances", message: `facility ${twice} is listed twice` }],
        });
      }
      const enrolments = await this.programs.enrolmentsOf(programId, facilityIds);
      const settled = await this.programs.settledCohorts(programId, period);
      const cohorts = new Set<number>();
      for (const performance of command.performances) {
        const { facilityId } = performance;
        const enrolment = enrolments.get(facilityId);
        if (!enrolment) {
          throw gridRefusal("ERR_NOT_ENROLLED", `Facility ${facilityId} is not enrolled in program ${programId}.`, {
            programId,
            facilityId,
          });
        }
        if (period < enrolment.fromPeriod || period >= enrolment.untilPeriod) {
          throw gridRefusal(
            "ERR_NOT_ENROLLED_IN_PERIOD",
            `Facility ${facilityId} earns in periods ${enrolment.fromPeriod} to ${enrolment.untilPeriod - 1} of program ${programId}, not in period ${period}.`,
            { programId, facilityId, period, fromPeriod: enrolment.fromPeriod, untilPeriod: enrolment.untilPeriod },
          );
        }
        if (settled.has(enrolment.cohort)) {
          throw gridRefusal(
            "ERR_PERIOD_ALREADY_SETTLED",
            `Cohort ${enrolment.cohort} of program ${programId}, facility ${facilityId}'s, is already settled for period ${period}.`,
            { programId, cohort: enrolment.cohort, period, facilityId },
          );
        }
        const deliveredKwh = BigInt(performance.deliveredKwh);
        if (deliveredKwh > enrolment.reservedKwh) {
          throw gridRefusal(
            "ERR_DELIVERY_EXCEEDS_RESERVATION",
            `Facility ${facilityId} reported ${deliveredKwh} kWh delivered in period ${period}, more than the ${enrolment.reservedKwh} kWh it reserved.`,
            {
              programId,
              facilityId,
              period,
              deliveredKwh: figure(deliveredKwh),
              reservedKwh: figure(enrolment.reservedKwh),
            },
          );
        }
        cohorts.add(enrolment.cohort);
      }
      await this.programs.storePerformances(
        programId,
        period,
        command.performances.map((performance) => ({
          facilityId: performance.facilityId,
          performanceBps: performance.performanceBps,
          deliveredKwh: BigInt(performance.deliveredKwh),
        })),
        principal,
      );
      const outcomes = await settleAll(
        [...cohorts].sort((a, b) => a - b),
        async (cohort) => {
          try {
            return await this.settle.execute({
              caller: command.caller,
              principal,
              programId,
              cohort,
              period,
              missingAsZero: false,
            });
          } catch (error) {
            if (!(error instanceof ApiError)) throw error;
            const refused: RefusedSettlement = {
              status: "refused",
              programId,
              cohort,
              period,
              code: error.code,
              message: error.message,
              details: error.details,
            };
            return refused;
          }
        },
      );
      return { programId, period, stored: command.performances.length, cohorts: outcomes };
    });
  }
}

/** Runs `settle` for each cohort, SETTLE_CONCURRENCY at a time, keeping the cohorts' order. */
async function settleAll<T>(cohorts: number[], settle: (cohort: number) => Promise<T>): Promise<T[]> {
  const outcomes: T[] = new Array<T>(cohorts.length);
  let next = 0;
  const worker = async () => {
    while (next < cohorts.length) {
      const index = next++;
      outcomes[index] = await settle(cohorts[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(SETTLE_CONCURRENCY, cohorts.length) }, worker));
  return outcomes;
}
