import { Cl } from "@stacks/transactions";
import type { StacksChain } from "../stacks-chain.js";
import { type CallResult, ContractClient, type ContractClientOptions } from "./contract-client.js";

export type FacilityStatus = "pending" | "approved" | "rejected" | "suspended";

export interface Facility {
  owner: string;
  name: string;
  location: string;
  capacityKwh: bigint;
  maxPowerKw: bigint;
  status: FacilityStatus;
  rejectionReason: string | null;
  registeredAt: bigint;
  updatedAt: bigint;
}

export interface NewFacility {
  name: string;
  location: string;
  capacityKwh: bigint;
  maxPowerKw: bigint;
}

export class FacilityRegistryClient extends ContractClient {
  constructor(chain: StacksChain, options: ContractClientOptions = {}) {
    super(chain, "facility-registry", options);
  }

  getFacility(facilityId: bigint): Promise<Facility | null> {
    return this.readOptional("get-facility", [Cl.uint(facilityId)]);
  }

  getLastFacilityId(): Promise<bigint> {
    return this.readUint("get-last-facility-id", []);
  }

  isAdmin(who: string): Promise<boolean> {
    return this.readBool("is-admin", [Cl.principal(who)]);
  }

  getAdminCount(): Promise<bigint> {
    return this.readUint("get-admin-count", []);
  }

  isApproved(facilityId: bigint): Promise<boolean> {
    return this.readBool("is-approved", [Cl.uint(facilityId)]);
  }

  isOperator(facilityId: bigint, who: string): Promise<boolean> {
    return this.readBool("is-operator", [Cl.uint(facilityId), Cl.principal(who)]);
  }

  isFacilityAuthorized(facilityId: bigint, who: string): Promise<boolean> {
    return this.readBool("is-facility-authorized", [Cl.uint(facilityId), Cl.principal(who)]);
  }

  getFacilityOwner(facilityId: bigint): Promise<string | null> {
    return this.readOptional("get-facility-owner", [Cl.uint(facilityId)]);
  }

  /** Registers a facility owned by the signer; resolves with its id. */
  registerFacility(facility: NewFacility): Promise<CallResult<bigint>> {
    return this.call(
      "register-facility",
      [
        Cl.stringUtf8(facility.name),
        Cl.stringUtf8(facility.location),
        Cl.uint(facility.capacityKwh),
        Cl.uint(facility.maxPowerKw),
      ],
      [],
      this.okUint("facility id"),
    );
  }

  approveFacility(facilityId: bigint): Promise<CallResult<boolean>> {
    return this.call("approve-facility", [Cl.uint(facilityId)], [], this.okBool("approve-facility result"));
  }

  rejectFacility(facilityId: bigint, reason: string): Promise<CallResult<boolean>> {
    return this.call(
      "reject-facility",
      [Cl.uint(facilityId), Cl.stringAscii(reason)],
      [],
      this.okBool("reject-facility result"),
    );
  }

  suspendFacility(facilityId: bigint): Promise<CallResult<boolean>> {
    return this.call("suspend-facility", [Cl.uint(facilityId)], [], this.okBool("suspend-facility result"));
  }

  reinstateFacility(facilityId: bigint): Promise<CallResult<boolean>> {
    return this.call("reinstate-facility", [Cl.uint(facilityId)], [], this.okBool("reinstate-facility result"));
  }

  addAdmin(who: string): Promise<CallResult<boolean>> {
    return this.call("add-admin", [Cl.principal(who)], [], this.okBool("add-admin result"));
  }

  removeAdmin(who: string): Promise<CallResult<boolean>> {
    return this.call("remove-admin", [Cl.principal(who)], [], this.okBool("remove-admin result"));
  }

  setOperator(facilityId: bigint, operator: string, enabled: boolean): Promise<CallResult<boolean>> {
    return this.call(
      "set-operator",
      [Cl.uint(facilityId), Cl.principal(operator), Cl.bool(enabled)],
      [],
      this.okBool("set-operator result"),
    );
  }
}
