import { Inject, Injectable } from "@nestjs/common";
import type { InitializeCapacityResult } from "@voltstack/api";
import { contractRefusal, signerForFacility } from "@voltstack/chain-sync";
import { SpanAttributes, withSpan } from "@voltstack/observability";
import { ApiError, type Caller } from "@voltstack/service-kit";
import { CapacityChainWriter } from "../../chain/capacity-chain-writer.js";
import { CapacityRepository } from "../capacity-repository.js";
import { STATUS_BY_CONTRACT_ERROR } from "../../chain/chain-write-errors.js";
import { FacilityRegistryReader } from "../../chain/facility-registry-reader.js";

export interface InitializeCapacityCommand {
  caller: Caller;
  facilityId: number;
  storedKwh: number;
  /** The principal to sign as, when the caller has several. */
  actAs?: string;
}

/**
 * The owner (or an operator) of an approved facility starts its capacity tracking with
 * the energy the battery holds. The contract's checks (who signs, approved, no more than
 * the registered capacity, not initialised yet) are made here first, in its order, so a
 * refusal costs no fee; the contract stays the backstop when the chain moved meanwhile.
 */
@Injectable()
export class InitializeCapacityUseCase {
  constructor(
    @Inject(CapacityChainWriter) private readonly writer: CapacityChainWriter,
    @Inject(CapacityRepository) private readonly capacities: CapacityRepository,
    @Inject(FacilityRegistryReader) private readonly registry: FacilityRegistryReader,
  ) {}

  execute(command: InitializeCapacityCommand): Promise<InitializeCapacityResult> {
    const { facilityId, storedKwh } = command;
    return withSpan("capacity initialize-capacity", { [SpanAttributes.facilityId]: facilityId }, async () => {
      // The registry decides when facility.approved has not reached the read model yet.
      const facility =
        (await this.capacities.findApprovedFacility(facilityId)) ?? (await this.registry.approvedFacility(facilityId));
      if (!facility) {
        throw ApiError.notFound(
          "FACILITY_NOT_FOUND",
          `No approved facility ${facilityId} is known to this service (see facility.approved).`,
          { facilityId },
        );
      }
      const signer = signerForFacility(
        this.writer,
        command.caller,
        await this.registry.signers(facility, command.caller),
        command.actAs,
      );
      const status = await this.registry.status(facilityId);
      if (status !== "approved") {
        throw contractRefusal(
          STATUS_BY_CONTRACT_ERROR,
          "ERR_FACILITY_NOT_APPROVED",
          `Facility ${facilityId} is ${status ?? "unknown to the registry"}, not approved.`,
          { facilityId, status: status ?? null },
        );
      }
      if (BigInt(storedKwh) > facility.capacityKwh) {
        throw contractRefusal(
          STATUS_BY_CONTRACT_ERROR,
          "ERR_STORED_EXCEEDS_TOTAL",
          `${storedKwh} kWh stored is more than facility ${facilityId}'s capacity of ${facility.capacityKwh} kWh.`,
          { facilityId, storedKwh: Number(storedKwh), totalKwh: Number(facility.capacityKwh) },
        );
      }
      const existing = await this.capacities.findCapacity(facilityId);
      if (existing) {
        throw contractRefusal(
          STATUS_BY_CONTRACT_ERROR,
          "ERR_ALREADY_INITIALIZED",
          `Facility ${facilityId}'s capacity is already initialised: send readings instead.`,
          {
            facilityId,
            initializedHeight: existing.initializedHeight,
            totalKwh: existing.totalKwh,
            storedKwh: existing.storedKwh,
          },
        );
      }
      const result = await this.writer.write(command.caller, signer, (capacity) =>
        capacity.initializeCapacity(BigInt(facilityId), BigInt(storedKwh)),
      );
      return { facilityId, txid: result.txid, blockHeight: result.blockHeight };
    });
  }
}
