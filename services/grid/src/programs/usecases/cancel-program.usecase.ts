import { Inject, Injectable } from "@nestjs/common";
import type { ProgramRefund } from "@voltstack/api";
import { withSpan } from "@voltstack/observability";
import type { Caller } from "@voltstack/service-kit";
import { ChainFacts } from "../../chain/chain-facts.js";
import { GridChainWriter } from "../../chain/grid-chain-writer.js";
import { ProgramRepository } from "../program-repository.js";
import { gridRefusal } from "../../chain/chain-write-errors.js";
import { assertActive, programOrRefuse } from "./program-lookup.js";
import { assertProgramOperator } from "./program-operator.js";

export interface CancelProgramCommand {
  caller: Caller;
  programId: number;
  actAs?: string;
}

/** An admin or the program's operator cancels it before its start; the whole budget goes back to the operator. */
@Injectable()
export class CancelProgramUseCase {
  constructor(
    @Inject(GridChainWriter) private readonly writer: GridChainWriter,
    @Inject(ProgramRepository) private readonly programs: ProgramRepository,
    @Inject(ChainFacts) private readonly facts: ChainFacts,
  ) {}

  execute(command: CancelProgramCommand): Promise<ProgramRefund> {
    const { programId } = command;
    return withSpan("grid cancel-program", { "voltstack.program_id": programId }, async () => {
      const program = await programOrRefuse(this.programs, programId);
      const principal = this.writer.actingPrincipal(command.caller, command.actAs);
      await assertProgramOperator(this.facts, program, principal);
      assertActive(program);
      const height = await this.facts.tipHeight();
      if (height + 1 >= program.startHeight) {
        throw gridRefusal(
          "ERR_PROGRAM_STARTED",
          `Program ${programId} starts at block ${program.startHeight}; the chain is at ${height}, too late to cancel.`,
          { programId, startHeight: program.startHeight, height },
        );
      }
      const budget = BigInt(program.budgetUstx);
      const result = await this.writer.write(command.caller, principal, (grid) =>
        grid.cancelProgram(BigInt(programId), budget),
      );
      return { programId, refundUstx: result.value.toString(), txid: result.txid, blockHeight: result.blockHeight };
    });
  }
}
