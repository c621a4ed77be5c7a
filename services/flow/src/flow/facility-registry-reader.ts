import { Inject, Injectable } from "@nestjs/common";
import { type Facility, FacilityRegistryClient, type StacksChain } from "@voltstack/chain";
import { ApiError } from "@voltstack/service-kit";
import { STACKS_CHAIN } from "../infrastructure/tokens.js";

/**
 * What the flow service needs of the facility registry, read from the contract's
 * read-only functions: a facility's maximum power and status (for schedules), and
 * whether a principal may record flows for it (checked before a transaction is paid for).
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

  /** Refuses an unknown facility (404) or a principal that is neither its owner nor an enabled operator (403). */
  async assertMayRecordFor(facilityId: number, principal: string): Promise<void> {
    if (!(await this.facility(facilityId))) {
      throw ApiError.notFound("FACILITY_NOT_FOUND", `There is no facility ${facilityId}.`, { facilityId });
    }
    if (!(await this.registry.isFacilityAuthorized(BigInt(facilityId), principal))) {
      throw ApiError.forbidden(
        "FACILITY_NOT_AUTHORIZED",
        `${principal} is neither the owner nor an enabled operator of facility ${facilityId}.`,
        { facilityId, principal },
      );
    }
  }
}
