import { Inject, Injectable } from "@nestjs/common";
import type { WithdrawResult } from "@voltstack/api";
import { signerForFacility } from "@voltstack/chain-sync";
import { SpanAttributes, withSpan } from "@voltstack/observability";
import { ApiError, type Caller } from "@voltstack/service-kit";
import { ChainFacts } from "../../chain/chain-facts.js";
import { GridChainWriter } from "../../chain/grid-chain-writer.js";
import { ProgramChainReads } from "../../chain/program-chain-reads.js";
import { ProgramRepository } from "../program-repository.js";
import { gridRefusal } from "../../chain/chain-write-errors.js";
import { assertActive, programOrRefuse } from "./program-lookup.js";

export interface WithdrawFacilityCommand {
  caller: Caller;
  programId: number;
  facilityId: number;
  actAs?: string;
}

/**
 * A facility's owner or operator withdraws it from an active program: it earns nothing from
 * the period under way on (before the start, nothing at all), its reservation is released at
 * once, and what was settled stays its own.
 */
@Injectable()
export class WithdrawFacilityUseCase {
  constructor(
    @Inject(GridChainWriter) private readonly writer: GridChainWriter,
    @Inject(ProgramRepository) private readonly programs: ProgramRepository,
    @Inject(ProgramChainReads) private readonly chainReads: ProgramChainReads,
    @Inject(ChainFacts) private readonly facts: ChainFacts,
  ) {}

  execute(command: WithdrawFacilityCommand): Promise<WithdrawResult> {
    const { programId, facilityId } = command;
    return withSpan("grid withdraw-facility", { [SpanAttributes.facilityId]: facilityId }, async () => {
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
      const enrolment = await this.chainReads.enrolment(programId, facilityId);
      if (!enrolment) {
        throw gridRefusal("ERR_NOT_ENROLLED", `Facility ${facilityId} is not enrolled in program ${programId}.`, {
          programId,
          facilityId,
        });
      }
      assertActive(program);
      const slots = await this.chainReads.cohort(programId, Number(enrolment.cohort));
      const slot = slots?.[Number(enrolment.slot)];
      if (slot?.released) {
        throw gridRefusal(
          "ERR_ALREADY_WITHDRAWN",
          `Facility ${facilityId} was withdrawn from program ${programId}; it earned until period ${slot.untilPeriod}.`,
          { programId, facilityId, untilPeriod: Number(slot.untilPeriod) },
        );
      }
      const result = await this.writer.write(command.caller, principal, (grid) =>
        grid.withdrawFacility(BigInt(programId), BigInt(facilityId)),
      );
      return {
        programId,
        facilityId,
        untilPeriod: Number(result.value),
        txid: result.txid,
        blockHeight: result.blockHeight,
      };
    });
  }
}
