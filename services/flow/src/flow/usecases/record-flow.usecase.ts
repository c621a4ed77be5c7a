import { Inject, Injectable } from "@nestjs/common";
import type { RecordFlowResult } from "@voltstack/api";
import { type Capacity, CapacityClient, type StacksChain } from "@voltstack/chain";
import { contractRefusal, signerForFacility, STACKS_CHAIN } from "@voltstack/chain-sync";
import { SpanAttributes, withSpan } from "@voltstack/observability";
import type { ApiError, Caller } from "@voltstack/service-kit";
import { STATUS_BY_CONTRACT_ERROR } from "../../chain/chain-write-errors.js";
import { FacilityRegistryReader } from "../../chain/facility-registry-reader.js";
import { FlowChainWriter } from "../../chain/flow-chain-writer.js";

export interface RecordFlowCommand {
  caller: Caller;
  facilityId: number;
  action: "charge" | "discharge";
  energyKwh: number;
  /** The owner or operator principal to sign as, when the caller has several. */
  actAs?: string;
}

/**
 * The owner or an operator of a facility records energy moved into or out of it; the
 * contract moves the facility's stored energy in the same transaction. Its checks (who
 * signs, approved, initialised, room to charge or energy to discharge) are made first
 * from the chain's read-only functions, so a refusal costs no fee; the contract stays
 * the backstop when the chain moves in between.
 */
@Injectable()
export class RecordFlowUseCase {
  private readonly capacities: CapacityClient;

  constructor(
    @Inject(FlowChainWriter) private readonly writer: FlowChainWriter,
    @Inject(FacilityRegistryReader) private readonly registry: FacilityRegistryReader,
    @Inject(STACKS_CHAIN) chain: StacksChain,
  ) {
    this.capacities = new CapacityClient(chain);
  }

  execute(command: RecordFlowCommand): Promise<RecordFlowResult> {
    const { facilityId, action } = command;
    return withSpan(`flow record-${action}`, { [SpanAttributes.facilityId]: facilityId }, async () => {
      const { facility, signers } = await this.registry.signers(facilityId, command.caller);
      const principal = signerForFacility(this.writer, command.caller, signers, command.actAs);
      if (facility.status !== "approved") {
        throw contractRefusal(
          STATUS_BY_CONTRACT_ERROR,
          "ERR_FACILITY_NOT_APPROVED",
          `Facility ${facilityId} is ${facility.status}, not approved: no flow can be recorded.`,
          { facilityId, status: facility.status },
        );
      }
      const capacity = await this.capacities.getCapacity(BigInt(facilityId));
      if (!capacity) {
        throw contractRefusal(
          STATUS_BY_CONTRACT_ERROR,
          "ERR_NOT_INITIALIZED",
          `Facility ${facilityId}'s capacity is not initialised yet.`,
          { facilityId },
        );
      }
      const beyond = beyondCapacity(facilityId, action, BigInt(command.energyKwh), capacity);
      if (beyond) throw beyond;
      const id = BigInt(facilityId);
      const energy = BigInt(command.energyKwh);
      const result = await this.writer.write(command.caller, principal, (contract) =>
        action === "charge" ? contract.recordCharge(id, energy) : contract.recordDischarge(id, energy),
      );
      return { recordId: Number(result.value), facilityId, txid: result.txid, blockHeight: result.blockHeight };
    });
  }
}

/** capacity-tracking's bounds on a flow: a charge fits below the total, a discharge takes only unreserved energy. */
function beyondCapacity(
  facilityId: number,
  action: "charge" | "discharge",
  energyKwh: bigint,
  capacity: Capacity,
): ApiError | undefined {
  const levels = {
    facilityId,
    energyKwh: Number(energyKwh),
    totalKwh: Number(capacity.totalKwh),
    storedKwh: Number(capacity.storedKwh),
    reservedKwh: Number(capacity.reservedKwh),
  };
  const roomKwh = capacity.totalKwh - capacity.storedKwh;
  if (action === "charge" && energyKwh > roomKwh) {
    return contractRefusal(
      STATUS_BY_CONTRACT_ERROR,
      "ERR_STORED_EXCEEDS_TOTAL",
      `Charging ${energyKwh} kWh asks for more than the ${roomKwh} kWh facility ${facilityId} has room for.`,
      { ...levels, roomKwh: Number(roomKwh) },
    );
  }
  if (action === "discharge" && energyKwh > capacity.availableKwh) {
    return contractRefusal(
      STATUS_BY_CONTRACT_ERROR,
      "ERR_BELOW_RESERVED",
      `Discharging ${energyKwh} kWh asks for more than the ${capacity.availableKwh} kWh facility ${facilityId} has available (stored less reserved).`,
      { ...levels, availableKwh: Number(capacity.availableKwh) },
    );
  }
  return undefined;
}
