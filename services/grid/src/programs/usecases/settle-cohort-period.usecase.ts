import { Inject, Injectable } from "@nestjs/common";
import type { SettleOutcome } from "@voltstack/api";
import { withSpan } from "@voltstack/observability";
import { ApiError, type Caller } from "@voltstack/service-kit";
import { SettlementReportError } from "@voltstack/settlement";
import { ChainFacts } from "../../chain/chain-facts.js";
import { GridChainWriter } from "../../chain/grid-chain-writer.js";
import { ProgramChainReads } from "../../chain/program-chain-reads.js";
import { ProgramRepository, type SettlementKey } from "../program-repository.js";
import { figure, gridRefusal } from "../../chain/chain-write-errors.js";
import { buildSettlementReport, type ReportLineInput, reportToJson } from "../settlement-reports.js";
import { assertActive, periodEndHeight, programOrRefuse } from "./program-lookup.js";
import { assertSettler } from "./program-operator.js";

export interface SettleCohortPeriodCommand {
  caller: Caller;
  /** The admin or scoring oracle that signs settle-period. */
  principal: string;
  programId: number;
  cohort: number;
  period: number;
  /** Settle now, with 0 performance and 0 delivery for enrolled facilities whose performance was not posted. */
  missingAsZero: boolean;
}

/**
 * Settles one cohort of a program for one period: builds the settlement report from the
 * cohort's slots as the contract has them and the posted performances (by @voltstack/settlement's
 * rule, the contract's), stores it, and signs settle-period with the report's root as its hash.
 * Everything settle-period checks is checked first, with its code and figures; the cohort, the
 * budget left and whether the period is settled are read from the contract just before signing.
 * One settlement of a (program, cohort, period) runs at a time in this process.
 */
@Injectable()
export class SettleCohortPeriodUseCase {
  private readonly running = new Map<string, Promise<SettleOutcome>>();

  constructor(
    @Inject(GridChainWriter) private readonly writer: GridChainWriter,
    @Inject(ProgramRepository) private readonly programs: ProgramRepository,
    @Inject(ProgramChainReads) private readonly chainReads: ProgramChainReads,
    @Inject(ChainFacts) private readonly facts: ChainFacts,
  ) {}

  execute(command: SettleCohortPeriodCommand): Promise<SettleOutcome> {
    const key = `${command.programId}:${command.cohort}:${command.period}`;
    const running = this.running.get(key);
    if (running) return running;
    const settling = this.settle(command).finally(() => this.running.delete(key));
    this.running.set(key, settling);
    return settling;
  }

  /** Resolves once no settlement is running (for shutdown). */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.running.values()]);
  }

  private settle(command: SettleCohortPeriodCommand): Promise<SettleOutcome> {
    const { programId, cohort, period } = command;
    const key: SettlementKey = { programId, cohort, period };
    return withSpan("grid settle-period", { "voltstack.program_id": programId }, async () => {
      const program = await programOrRefuse(this.programs, programId);
      await assertSettler(this.facts, command.principal);
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
      // The transaction lands in block height + 1 at the earliest.
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
      const known = await this.programs.findSettlement(key);
      if (known) throw alreadySettled(key, known.reportHash, known.txid);
      const [slots, recorded, onChain] = await Promise.all([
        this.chainReads.cohort(programId, cohort),
        this.chainReads.settlement(programId, cohort, period),
        this.chainReads.program(programId),
      ]);
      if (recorded) throw alreadySettled(key, recorded.reportHash, null);
      if (!slots || !onChain) {
        throw gridRefusal("ERR_COHORT_NOT_FOUND", `Program ${programId} has no cohort ${cohort}.`, {
          programId,
          cohort,
        });
      }
      const posted = await this.programs.performances(
        programId,
        period,
        slots.map((slot) => Number(slot.facilityId)),
      );
      const missing: number[] = [];
      const lines: ReportLineInput[] = slots.map((slot) => {
        const facilityId = Number(slot.facilityId);
        const earns = BigInt(period) >= slot.fromPeriod && BigInt(period) < slot.untilPeriod;
        const performance = earns ? posted.get(facilityId) : undefined;
        if (earns && !performance) missing.push(facilityId);
        return {
          facilityId: slot.facilityId,
          committedKw: slot.committedKw,
          performanceBps: BigInt(performance?.performanceBps ?? 0),
          deliveredKwh: performance?.deliveredKwh ?? 0n,
        };
      });
      if (missing.length > 0 && !command.missingAsZero) return { status: "waiting", ...key, missing };
      lines.forEach((line, index) => {
        const reservedKwh = slots[index]!.reservedKwh;
        if (line.deliveredKwh > reservedKwh) {
          throw gridRefusal(
            "ERR_DELIVERY_EXCEEDS_RESERVATION",
            `Facility ${line.facilityId} delivered ${line.deliveredKwh} kWh in period ${period}, more than the ${reservedKwh} kWh it reserved.`,
            {
              programId,
              facilityId: Number(line.facilityId),
              period,
              deliveredKwh: figure(line.deliveredKwh),
              reservedKwh: figure(reservedKwh),
            },
          );
        }
      });
      const built = buildOrRefuse(() =>
        buildSettlementReport(
          {
            network: this.chainReads.network,
            contract: this.chainReads.contractId,
            programId,
            cohort,
            period,
            product: program.product,
            capacityPriceUstx: BigInt(program.capacityPriceUstx),
            energyPriceUstx: BigInt(program.energyPriceUstx),
          },
          lines,
        ),
      );
      const remaining = onChain.budget - onChain.refunded - onChain.settled;
      if (built.totalUstx > remaining) {
        throw gridRefusal(
          "ERR_BUDGET_EXCEEDED",
          `Settling cohort ${cohort} of program ${programId} for period ${period} comes to ${built.totalUstx} micro-STX; ${remaining} of the budget is left.`,
          {
            programId,
            cohort,
            period,
            totalUstx: built.totalUstx.toString(),
            remainingUstx: remaining.toString(),
            budgetUstx: onChain.budget.toString(),
            settledUstx: onChain.settled.toString(),
          },
        );
      }
      await this.programs.storeReport(key, built.reportHash, reportToJson(built.report));
      const result = await this.writer.write(command.caller, command.principal, (grid) =>
        grid.settlePeriod(
          BigInt(programId),
          BigInt(cohort),
          BigInt(period),
          built.reportHash,
          lines.map((line) => ({ performanceBps: line.performanceBps, deliveredKwh: line.deliveredKwh })),
        ),
      );
      return {
        status: "settled",
        ...key,
        reportHash: built.reportHash,
        totalUstx: result.value.toString(),
        lineCount: lines.length,
        zeroed: missing,
        txid: result.txid,
        blockHeight: result.blockHeight,
      };
    });
  }
}

function alreadySettled(key: SettlementKey, reportHash: string, txid: string | null): ApiError {
  return gridRefusal(
    "ERR_PERIOD_ALREADY_SETTLED",
    `Cohort ${key.cohort} of program ${key.programId} is already settled for period ${key.period}.`,
    { ...key, reportHash, txid },
  );
}

/** A report the settlement library refuses (an amount beyond Clarity's uint, say) is a 422 with its code. */
function buildOrRefuse<T>(build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (error instanceof SettlementReportError) throw ApiError.unprocessable(error.code, error.message, error.details);
    throw error;
  }
}
