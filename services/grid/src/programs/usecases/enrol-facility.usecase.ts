import { Inject, Injectable } from "@nestjs/common";
import { type EnrolResult, PROGRAM_PRODUCT_NAMES } from "@voltstack/api";
import { PROGRAM_PRODUCTS, type ProgramProduct } from "@voltstack/chain";
import { signerForFacility } from "@voltstack/chain-sync";
import { SpanAttributes, withSpan } from "@voltstack/observability";
import { ApiError, type Caller } from "@voltstack/service-kit";
import { ChainFacts } from "../../chain/chain-facts.js";
import { GridChainWriter } from "../../chain/grid-chain-writer.js";
import { ProgramChainReads } from "../../chain/program-chain-reads.js";
import { ProgramRepository } from "../program-repository.js";
import { figure, gridRefusal } from "../../chain/chain-write-errors.js";
import { assertActive, programOrRefuse } from "./program-lookup.js";

export interface EnrolFacilityCommand {
  caller: Caller;
  programId: number;
  facilityId: number;
  committedKw: number;
  actAs?: string;
}

// Every product the API accepts is in the chain's catalogue: tsc fails here when one is not.
PROGRAM_PRODUCT_NAMES satisfies readonly ProgramProduct[];

/** The energy enrol-facility reserves: committed power over the product's duration, rounded up to a kWh. */
export function reservedKwhFor(product: string, committedKw: bigint): bigint | undefined {
  const entry = PROGRAM_PRODUCTS[product as ProgramProduct] as { durationMinutes: number } | undefined;
  if (!entry) return undefined;
  return (committedKw * BigInt(entry.durationMinutes) + 59n) / 60n;
}

/**
 * A facility's owner or an operator it enabled enrols it with a committed power; the contract
 * reserves the product's energy headroom in capacity tracking for the program's life and gives it
 * a slot in the last cohort. Each of enrol-facility's checks is made first, in the contract's
 * order; the contract's own checks stay the backstop for a race.
 */
@Injectable()
export class EnrolFacilityUseCase {
  constructor(
    @Inject(GridChainWriter) private readonly writer: GridChainWriter,
    @Inject(ProgramRepository) private readonly programs: ProgramRepository,
    @Inject(ProgramChainReads) private readonly chainReads: ProgramChainReads,
    @Inject(ChainFacts) private readonly facts: ChainFacts,
  ) {}

  execute(command: EnrolFacilityCommand): Promise<EnrolResult> {
    const { programId, facilityId } = command;
    return withSpan("grid enrol-facility", { [SpanAttributes.facilityId]: facilityId }, async () => {
      const facility = await this.facts.facility(facilityId);
      if (!facility) {
        throw ApiError.notFound("FACILITY_NOT_FOUND", `There is no facility ${facilityId}.`, { facilityId });
      }
      const operators = await this.facts.operatorsAmong(
        facilityId,
        command.actAs ? [command.actAs] : command.caller.principals,
      );
      const principal = signerForFacility(
        this.writer,
        command.caller,
        { id: facilityId, owner: facility.owner, operators },
        command.actAs,
      );
      const program = await programOrRefuse(this.programs, programId);
      assertActive(program);
      const height = await this.facts.tipHeight();
      // Enrolled before the start it earns from period 0, else from the period after the one under way.
      const next = height + 1;
      const fromPeriod =
        next < program.startHeight ? 0 : Math.floor((next - program.startHeight) / program.periodBlocks) + 1;
      if (fromPeriod >= program.periodCount) {
        throw gridRefusal(
          "ERR_ENROLMENT_CLOSED",
          `Program ${programId} has no period left to earn in: enrolled now, facility ${facilityId} would start at period ${fromPeriod} of ${program.periodCount}.`,
          { programId, fromPeriod, periodCount: program.periodCount, height },
        );
      }
      if (facility.status !== "approved") {
        throw gridRefusal("ERR_FACILITY_NOT_APPROVED", `Facility ${facilityId} is ${facility.status}, not approved.`, {
          facilityId,
          status: facility.status,
        });
      }
      const committedKw = BigInt(command.committedKw);
      if (facility.maxPowerKw < committedKw) {
        throw gridRefusal(
          "ERR_INSUFFICIENT_POWER",
          `Facility ${facilityId} delivers at most ${facility.maxPowerKw} kW, less than the ${committedKw} kW committed.`,
          { facilityId, committedKw: figure(committedKw), maxPowerKw: figure(facility.maxPowerKw) },
        );
      }
      if (await this.chainReads.enrolment(programId, facilityId)) {
        throw gridRefusal(
          "ERR_ALREADY_ENROLLED",
          `Facility ${facilityId} is already enrolled in program ${programId} (a withdrawn facility does not enrol again).`,
          { programId, facilityId },
        );
      }
      const reservedKwh = reservedKwhFor(program.product, committedKw) ?? 0n;
      const availableKwh = await this.facts.availableKwh(facilityId);
      if (availableKwh < reservedKwh) {
        throw gridRefusal(
          "ERR_INSUFFICIENT_CAPACITY",
          `Committing ${committedKw} kW to ${program.product} reserves ${reservedKwh} kWh; facility ${facilityId} has ${availableKwh} kWh available.`,
          { programId, facilityId, reservedKwh: figure(reservedKwh), availableKwh: figure(availableKwh) },
        );
      }
      const result = await this.writer.write(command.caller, principal, (grid) =>
        grid.enrolFacility(BigInt(programId), BigInt(facilityId), committedKw),
      );
      return {
        programId,
        facilityId,
        cohort: Number(result.value.cohort),
        slot: Number(result.value.slot),
        txid: result.txid,
        blockHeight: result.blockHeight,
      };
    });
  }
}
