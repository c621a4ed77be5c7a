import { Inject, Injectable } from "@nestjs/common";
import type { ReleaseCohortResult } from "@voltstack/api";
import { withSpan } from "@voltstack/observability";
import type { Caller } from "@voltstack/service-kit";
import { GridChainWriter } from "../../chain/grid-chain-writer.js";
import { ProgramChainReads } from "../../chain/program-chain-reads.js";
import { ProgramRepository } from "../program-repository.js";
import { gridRefusal } from "../../chain/chain-write-errors.js";
import { programOrRefuse } from "./program-lookup.js";

export interface ReleaseCohortCommand {
  caller: Caller;
  programId: number;
  cohort: number;
  actAs?: string;
}

/** Once a program is closed or cancelled, gives the reservations its cohort still holds back to capacity tracking. */
@Injectable()
export class ReleaseCohortUseCase {
  constructor(
    @Inject(GridChainWriter) private readonly writer: GridChainWriter,
    @Inject(ProgramRepository) private readonly programs: ProgramRepository,
    @Inject(ProgramChainReads) private readonly chainReads: ProgramChainReads,
  ) {}

  execute(command: ReleaseCohortCommand): Promise<ReleaseCohortResult> {
    const { programId, cohort } = command;
    return withSpan("grid release-cohort", { "voltstack.program_id": programId }, async () => {
      const program = await programOrRefuse(this.programs, programId);
      const principal = this.writer.actingPrincipal(command.caller, command.actAs);
      if (program.status === "active") {
        throw gridRefusal(
          "ERR_PROGRAM_STILL_ACTIVE",
          `Program ${programId} is active: its reservations stay until it is closed or cancelled.`,
          { programId, status: program.status },
        );
      }
      const slots = await this.chainReads.cohort(programId, cohort);
      if (!slots) {
        throw gridRefusal("ERR_COHORT_NOT_FOUND", `Program ${programId} has no cohort ${cohort}.`, {
          programId,
          cohort,
        });
      }
      const holding = slots.filter((slot) => !slot.released);
      if (holding.length === 0) {
        throw gridRefusal(
          "ERR_NOTHING_TO_RELEASE",
          `Cohort ${cohort} of program ${programId} holds no reservation any more.`,
          { programId, cohort, slots: slots.length },
        );
      }
      const result = await this.writer.write(command.caller, principal, (grid) =>
        grid.releaseCohort(BigInt(programId), BigInt(cohort)),
      );
      const released = result.value;
      return {
        programId,
        cohort,
        releasedKwh: released <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(released) : released.toString(),
        txid: result.txid,
        blockHeight: result.blockHeight,
      };
    });
  }
}
