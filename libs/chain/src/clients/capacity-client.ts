import { Cl } from "@stacks/transactions";
import type { StacksChain } from "../stacks-chain.js";
import { type CallResult, ContractClient, type ContractClientOptions } from "./contract-client.js";

export interface Capacity {
  totalKwh: bigint;
  storedKwh: bigint;
  reservedKwh: bigint;
  availableKwh: bigint;
  updatedAt: bigint;
}

/** capacity-tracking. Reserving, releasing and moving stored energy are done by the other contracts, not by services. */
export class CapacityClient extends ContractClient {
  constructor(chain: StacksChain, options: ContractClientOptions = {}) {
    super(chain, "capacity-tracking", options);
  }

  getCapacity(facilityId: bigint): Promise<Capacity | null> {
    return this.readOptional("get-capacity", [Cl.uint(facilityId)]);
  }

  getAvailableKwh(facilityId: bigint): Promise<bigint> {
    return this.readUint("get-available-kwh", [Cl.uint(facilityId)]);
  }

  isInitialized(facilityId: bigint): Promise<boolean> {
    return this.readBool("is-initialized", [Cl.uint(facilityId)]);
  }

  initializeCapacity(facilityId: bigint, storedKwh: bigint): Promise<CallResult<boolean>> {
    return this.call(
      "initialize-capacity",
      [Cl.uint(facilityId), Cl.uint(storedKwh)],
      [],
      this.okBool("initialize-capacity result"),
    );
  }

  updateCapacity(facilityId: bigint, storedKwh: bigint): Promise<CallResult<boolean>> {
    return this.call(
      "update-capacity",
      [Cl.uint(facilityId), Cl.uint(storedKwh)],
      [],
      this.okBool("update-capacity result"),
    );
  }
}
