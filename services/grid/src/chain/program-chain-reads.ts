import { Inject, Injectable } from "@nestjs/common";
import {
  GridServicesClient,
  type Program,
  type ProgramCohortSlot,
  type ProgramSettlementRecord,
  type StacksChain,
} from "@voltstack/chain";
import { STACKS_CHAIN } from "@voltstack/chain-sync";

/**
 * grid-services' own record of programs at the tip, from its read-only functions (no fee):
 * what a settlement must agree with exactly (the cohort's slots, the budget left, whether the
 * period is settled) is read here just before signing, as the read model may be a block behind.
 */
@Injectable()
export class ProgramChainReads {
  private readonly grid: GridServicesClient;

  constructor(@Inject(STACKS_CHAIN) private readonly chain: StacksChain) {
    this.grid = new GridServicesClient(chain);
  }

  /** The grid-services contract, `address.name`, as settlement reports name it. */
  get contractId(): string {
    return this.chain.contracts["grid-services"].id;
  }

  get network(): string {
    return this.chain.network.name;
  }

  program(programId: number): Promise<Program | null> {
    return this.grid.getProgram(BigInt(programId));
  }

  cohort(programId: number, cohort: number): Promise<ProgramCohortSlot[] | null> {
    return this.grid.getProgramCohort(BigInt(programId), BigInt(cohort));
  }

  enrolment(programId: number, facilityId: number): Promise<{ cohort: bigint; slot: bigint } | null> {
    return this.grid.getProgramEnrolment(BigInt(programId), BigInt(facilityId));
  }

  settlement(programId: number, cohort: number, period: number): Promise<ProgramSettlementRecord | null> {
    return this.grid.getProgramSettlement(BigInt(programId), BigInt(cohort), BigInt(period));
  }
}
