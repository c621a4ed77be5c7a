import type { Program } from "@voltstack/api";
import { ProgramRepository } from "../program-repository.js";
import { gridRefusal } from "../../chain/chain-write-errors.js";

/** The program from the read model, or the contract's ERR_PROGRAM_NOT_FOUND (404). */
export async function programOrRefuse(programs: ProgramRepository, programId: number): Promise<Program> {
  const program = await programs.findProgram(programId);
  if (!program) throw gridRefusal("ERR_PROGRAM_NOT_FOUND", `There is no program ${programId}.`, { programId });
  return program;
}

/** Refuses with ERR_PROGRAM_NOT_ACTIVE unless the program is active. */
export function assertActive(program: Program): void {
  if (program.status !== "active") {
    throw gridRefusal("ERR_PROGRAM_NOT_ACTIVE", `Program ${program.id} is ${program.status}, not active.`, {
      programId: program.id,
      status: program.status,
    });
  }
}

/** The first block after period `period` of the program. */
export function periodEndHeight(program: Program, period: number): number {
  return program.startHeight + (period + 1) * program.periodBlocks;
}
