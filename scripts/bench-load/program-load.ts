// The program half of the benchmark: many facilities enrolled in one program, settled
// and distributed period by period. It needs the grid service's program API
// (services/grid/src/programs); on a tree without it the half reports itself as not run.
import { existsSync } from "node:fs";
import type { BenchFacility, Owner } from "./facility-setup.js";
import type { HttpWrites } from "./http-writes.js";

export interface ProgramRun {
  status: "measured" | "not-run";
  /** Why it was not run, or what went wrong part-way. */
  note?: string;
  facilities: number;
  periods: number;
  /** Facility-periods settled on chain and paid to their stakeholders. */
  facilityPeriodsPaid: number;
  /** From the end of the first period to the last payout. */
  elapsedMs: number;
  /** Per facility-period: from its period's end (the block after it, as seen on the chain) to its payout. */
  periodEndToPaidMs: number[];
  failedWrites: number;
}

export interface ProgramLoadContext {
  writes: HttpWrites;
  facilities: readonly BenchFacility[];
  admin: Owner;
  periods: number;
  periodBlocks: number;
  devnetUrl: string;
  onProgress?: (line: string) => void;
}

export const PROGRAM_API_DIR = "services/grid/src/programs";

/** Whether this tree's grid service has the program API the program half drives. */
export function programApiPresent(): boolean {
  return existsSync(PROGRAM_API_DIR);
}

export async function runProgramLoad(context: ProgramLoadContext): Promise<ProgramRun> {
  const notRun = (note: string): ProgramRun => ({
    status: "not-run",
    note,
    facilities: context.facilities.length,
    periods: context.periods,
    facilityPeriodsPaid: 0,
    elapsedMs: 0,
    periodEndToPaidMs: [],
    failedWrites: 0,
  });
  if (!programApiPresent()) return notRun(`the grid service has no program API yet (${PROGRAM_API_DIR})`);
  return notRun("the program half is not written yet");
}
