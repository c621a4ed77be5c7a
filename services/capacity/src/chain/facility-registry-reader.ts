import { Inject, Injectable } from "@nestjs/common";
import { type FacilityStatus, FacilityRegistryClient, type StacksChain } from "@voltstack/chain";
import { type FacilitySigners, STACKS_CHAIN } from "@voltstack/chain-sync";
import type { Caller } from "@voltstack/service-kit";

/**
 * What this service needs of the facility registry that facility.approved does not
 * tell it: a facility's status now (it may have been suspended since) and its enabled
 * operators. Read-only calls cost no fee; the contract checks both again when it runs.
 */
@Injectable()
export class FacilityRegistryReader {
  private readonly registry: FacilityRegistryClient;

  constructor(@Inject(STACKS_CHAIN) chain: StacksChain) {
    this.registry = new FacilityRegistryClient(chain);
  }

  async status(facilityId: number): Promise<FacilityStatus | undefined> {
    return (await this.registry.getFacility(BigInt(facilityId)))?.status;
  }

  /**
   * An approved facility as the registry has it now: what a write checks when facility.approved
   * has not reached this service's read model yet (an initialisation right after the approval).
   */
  async approvedFacility(facilityId: number): Promise<{ id: number; owner: string; capacityKwh: bigint } | undefined> {
    const facility = await this.registry.getFacility(BigInt(facilityId));
    if (facility?.status !== "approved") return undefined;
    return { id: facilityId, owner: facility.owner, capacityKwh: facility.capacityKwh };
  }

  /** Who may sign for the facility, as far as the caller's principals go. */
  async signers(facility: { id: number; owner: string }, caller: Caller): Promise<FacilitySigners> {
    const candidates = caller.principals.filter((principal) => principal !== facility.owner);
    const enabled = await Promise.all(
      candidates.map((principal) => this.registry.isOperator(BigInt(facility.id), principal)),
    );
    return { ...facility, operators: candidates.filter((_, i) => enabled[i]) };
  }
}
