import { Inject, Injectable } from "@nestjs/common";
import type { ProgramRefund } from "@voltstack/api";
import { withSpan } from "@voltstack/observability";
import type { Caller } from "@voltstack/service-kit";
import { ChainFacts } from "../../chain/chain-facts.js";
import { GridChainWriter } from "../../chain/grid-chain-writer.js";
import { ProgramChainReads } from "../../chain/program-chain-reads.js";
import { ProgramRepository } from "../program-repository.js";
import { gridRefusal } from "../../chain/chain-write-errors.js";
import { assertActive, programOrRefuse } from "./program-lookup.js";
import { assertProgramOperator } from "./program-operator.js";

export interface CloseProgramCommand {
  caller: Caller;
  programId: number;
  actAs?: string;
}

/**
 * An admin or the program's operator closes it once its last period ended and every cohort
 * settled every period, or the settle window passed; budget - settled goes back to the operator.
 * The refund for the exact post-condition is read from the contract just before signing.
 */
@Injectable()
export class CloseProgramUseCase {
  constructor(
    @Inject(GridChainWriter) private readonly writer: GridChainWriter,
    @Inject(ProgramRepository) private readonly programs: ProgramRepository,
    @Inject(ProgramChainReads) private readonly chainReads: ProgramChainReads,
    @Inject(ChainFacts) private readonly facts: ChainFacts,
  ) {}

  execute(command: CloseProgramCommand): Promise<ProgramRefund> {
    const { programId } = command;
    return withSpan("grid close-program", { "voltstack.program_id": programId }, async () => {
      const program = await programOrRefuse(this.programs, programId);
      const principal = this.writer.actingPrincipal(command.caller, command.actAs);
      await assertProgramOperator(this.facts, program, principal);
      assertActive(program);
      const [height, onChain] = await Promise.all([this.facts.tipHeight(), this.chainReads.program(programId)]);
      if (!onChain) throw gridRefusal("ERR_PROGRAM_NOT_FOUND", `There is no program ${programId}.`, { programId });
      const expected = Number(onChain.cohortCount * onChain.periodCount);
      const settled = Number(onChain.settlementCount);
      const next = height + 1;
      if (next < program.endHeight || (settled < expected && next < program.settleUntilHeight)) {
        throw gridRefusal(
          "ERR_PROGRAM_NOT_CLOSABLE",
          next < program.endHeight
            ? `Program ${programId} runs until block ${program.endHeight}; the chain is at ${height}.`
            : `Program ${programId} has ${settled} of ${expected} cohort-periods settled, and settlements are open until block ${program.settleUntilHeight}; the chain is at ${height}.`,
          {
            programId,
            height,
            endHeight: program.endHeight,
            settleUntilHeight: program.settleUntilHeight,
            settlements: settled,
            settlementsExpected: expected,
          },
        );
      }
      const refund = onChain.budget - onChain.settled;
      const result = await this.writer.write(command.caller, principal, (grid) =>
        grid.closeProgram(BigInt(programId), refund),
      );
      return { programId, refundUstx: result.value.toString(), txid: result.txid, blockHeight: result.blockHeight };
    });
  }
}
