import { ApiError } from "@voltstack/service-kit";
import type { ChainFacts } from "../../chain/chain-facts.js";
import type { Program } from "@voltstack/api";
import { gridRefusal } from "../../chain/chain-write-errors.js";

/** Refuses with ERR_NOT_PROGRAM_OPERATOR unless `principal` is the program's operator or an admin of the registry. */
export async function assertProgramOperator(facts: ChainFacts, program: Program, principal: string): Promise<void> {
  if (principal === program.operator) return;
  try {
    await facts.assertAdmin(principal);
  } catch (error) {
    if (!(error instanceof ApiError && error.code === "ERR_NOT_ADMIN")) throw error;
    throw gridRefusal(
      "ERR_NOT_PROGRAM_OPERATOR",
      `${principal} is neither the operator of program ${program.id} nor an admin.`,
      { programId: program.id, principal, operator: program.operator },
    );
  }
}

/**
 * Refuses with ERR_NOT_REPORTER unless `principal` may sign settle-period: an admin of the registry or an
 * oracle grid-services enabled (the same registry as frequency reporters).
 */
export async function assertSettler(facts: ChainFacts, principal: string): Promise<void> {
  try {
    await facts.assertReporter(principal);
  } catch (error) {
    if (!(error instanceof ApiError && error.code === "ERR_NOT_REPORTER")) throw error;
    throw gridRefusal(
      "ERR_NOT_REPORTER",
      `${principal} is neither an admin nor a registered scoring oracle, so it may not settle program periods.`,
      { principal },
    );
  }
}
