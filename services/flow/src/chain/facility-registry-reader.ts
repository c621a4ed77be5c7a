import { Inject, Injectable } from "@nestjs/common";
import { type Facility, FacilityRegistryClient, type StacksChain } from "@voltstack/chain";
import { contractRefusal, type FacilitySigners, STACKS_CHAIN } from "@voltstack/chain-sync";
import { ApiError, type Caller } from "@voltstack/service-kit";
import { STATUS_BY_CONTRACT_ERROR } from "./chain-write-errors.js";

/**
 * What the flow service needs of the facility registry, read from the contract's
 * read-only functions (no transaction, no fee): a facility's maximum power and status
 * (for schedules and before a flow is recorded), who may sign for it, and who is an admin.
 */
@Injectable()
export class FacilityRegistryReader {
  private readonly registry: FacilityRegistryClient;

  constructor(@Inject(STACKS_CHAIN) chain: StacksChain) {
    this.registry = new FacilityRegistryClient(chain);
  }

  facility(facilityId: number): Promise<Facility | null> {
    return this.registry.getFacility(BigInt(facilityId));
  }

  /** The facility (404 when the registry does not know it) and who may sign for it among the caller's principals. */
  async signers(facilityId: number, caller: Caller): Promise<{ facility: Facility; signers: FacilitySigners }> {
    const facility = await this.facility(facilityId);
    if (!facility) {
      throw ApiError.notFound("FACILITY_NOT_FOUND", `There is no facility ${facilityId}.`, { facilityId });
    }
    const candidates = caller.principals.filter((principal) => principal !== facility.owner);
    const enabled = await Promise.all(
      candidates.map((principal) => this.registry.isOperator(BigInt(facilityId), principal)),
    );
    return {
      facility,
      signers: { id: facilityId, owner: facility.owner, operators: candidates.filter((_, i) => enabled[i]) },
    };
  }

  isAdmin(principal: string): Promise<boolean> {
    return this.registry.isAdmin(principal);
  }

  /** Refuses, as charge-discharge would (ERR_NOT_ADMIN), a principal that is no admin of the registry. */
  async assertAdmin(principal: string): Promise<void> {
    if (!(await this.registry.isAdmin(principal))) {
      throw contractRefusal(
        STATUS_BY_CONTRACT_ERROR,
        "ERR_NOT_ADMIN",
        `${principal} is not an admin of the registry.`,
        {
          principal,
        },
      );
    }
  }
}
