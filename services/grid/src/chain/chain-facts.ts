import { Inject, Injectable } from "@nestjs/common";
import {
  CapacityClient,
  type Facility,
  FacilityRegistryClient,
  GridServicesClient,
  type ServiceRequest,
  type StacksChain,
} from "@voltstack/chain";
import { STACKS_CHAIN } from "@voltstack/chain-sync";
import { gridRefusal } from "./chain-write-errors.js";

/**
 * What grid-services checks against other contracts, read from their read-only functions
 * at the tip: the facility registry and capacity tracking alone know facilities, admins,
 * operators and free energy, and a read-only call costs no fee. A copy in grid's read
 * model would lag them and refuse a facility approved a block ago.
 */
@Injectable()
export class ChainFacts {
  private readonly registry: FacilityRegistryClient;
  private readonly capacity: CapacityClient;
  private readonly grid: GridServicesClient;

  constructor(@Inject(STACKS_CHAIN) private readonly chain: StacksChain) {
    this.registry = new FacilityRegistryClient(chain);
    this.capacity = new CapacityClient(chain);
    this.grid = new GridServicesClient(chain);
  }

  tipHeight(): Promise<number> {
    return this.chain.api.getTipHeight();
  }

  async balanceUstx(principal: string): Promise<bigint> {
    return (await this.chain.api.getAccount(principal)).balanceUstx;
  }

  facility(facilityId: number): Promise<Facility | null> {
    return this.registry.getFacility(BigInt(facilityId));
  }

  /** The operators the registry enabled for the facility, among `principals`. */
  async operatorsAmong(facilityId: number, principals: readonly string[]): Promise<string[]> {
    const enabled = await Promise.all(
      principals.map((principal) => this.registry.isOperator(BigInt(facilityId), principal)),
    );
    return principals.filter((_, index) => enabled[index]);
  }

  /** grid-services' own record of a request at the tip (null when it has none). */
  request(requestId: number): Promise<ServiceRequest | null> {
    return this.grid.getRequest(BigInt(requestId));
  }

  availableKwh(facilityId: number): Promise<bigint> {
    return this.capacity.getAvailableKwh(BigInt(facilityId));
  }

  /** Refuses with the contract's ERR_NOT_ADMIN unless the registry lists `principal` as an admin. */
  async assertAdmin(principal: string): Promise<void> {
    if (!(await this.registry.isAdmin(principal))) {
      throw gridRefusal("ERR_NOT_ADMIN", `${principal} is not an admin of the facility registry.`, { principal });
    }
  }

  /** Refuses with the contract's ERR_NOT_REPORTER unless `principal` is an admin or an enabled oracle. */
  async assertReporter(principal: string): Promise<void> {
    const [admin, oracle] = await Promise.all([this.registry.isAdmin(principal), this.grid.isOracle(principal)]);
    if (!admin && !oracle) {
      throw gridRefusal("ERR_NOT_REPORTER", `${principal} is neither an admin nor an enabled frequency oracle.`, {
        principal,
      });
    }
  }
}
