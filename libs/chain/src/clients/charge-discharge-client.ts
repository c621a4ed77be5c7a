import { Cl } from "@stacks/transactions";
import type { StacksChain } from "../stacks-chain.js";
import { type CallResult, ContractClient, type ContractClientOptions } from "./contract-client.js";

/** Demand as a percentage of peak (0-100) and the thresholds that steer batteries. */
export interface GridDemand {
  level: bigint;
  lowThreshold: bigint;
  highThreshold: bigint;
  updatedAt: bigint;
}

export interface FlowRecord {
  facilityId: bigint;
  action: "charge" | "discharge";
  energyKwh: bigint;
  demandLevel: bigint;
  storedAfterKwh: bigint;
  recordedBy: string;
  recordedAt: bigint;
}

export interface SuggestedAction {
  action: "charge" | "discharge" | "hold";
  energyKwh: bigint;
}

export class ChargeDischargeClient extends ContractClient {
  constructor(chain: StacksChain, options: ContractClientOptions = {}) {
    super(chain, "charge-discharge", options);
  }

  getGridDemand(): Promise<GridDemand> {
    return this.readRecord("get-grid-demand", []);
  }

  getFlowRecord(recordId: bigint): Promise<FlowRecord | null> {
    return this.readOptional("get-flow-record", [Cl.uint(recordId)]);
  }

  getLastRecordId(): Promise<bigint> {
    return this.readUint("get-last-record-id", []);
  }

  /** Throws the contract's ERR_NOT_INITIALIZED for an unknown facility, or an approved one without capacity. */
  getSuggestedAction(facilityId: bigint): Promise<SuggestedAction> {
    return this.readResponse("get-suggested-action", [Cl.uint(facilityId)]);
  }

  setGridDemand(level: bigint): Promise<CallResult<boolean>> {
    return this.call("set-grid-demand", [Cl.uint(level)], [], this.okBool("set-grid-demand result"));
  }

  setDemandThresholds(low: bigint, high: bigint): Promise<CallResult<boolean>> {
    return this.call(
      "set-demand-thresholds",
      [Cl.uint(low), Cl.uint(high)],
      [],
      this.okBool("set-demand-thresholds result"),
    );
  }

  /** Resolves with the new flow record's id. */
  recordCharge(facilityId: bigint, energyKwh: bigint): Promise<CallResult<bigint>> {
    return this.call("record-charge", [Cl.uint(facilityId), Cl.uint(energyKwh)], [], this.okUint("record id"));
  }

  recordDischarge(facilityId: bigint, energyKwh: bigint): Promise<CallResult<bigint>> {
    return this.call("record-discharge", [Cl.uint(facilityId), Cl.uint(energyKwh)], [], this.okUint("record id"));
  }
}
