import { Inject, Injectable } from "@nestjs/common";
import type { ChainWriteResult } from "@voltstack/chain-sync";
import { SpanAttributes, withSpan } from "@voltstack/observability";
import { ApiError, type Caller } from "@voltstack/service-kit";
import { CapacityChainWriter } from "../capacity-chain-writer.js";
import { CapacityRepository } from "../capacity-repository.js";

export interface InitializeCapacityCommand {
  caller: Caller;
  facilityId: number;
  storedKwh: number;
  /** The principal to sign as, when the caller has several. */
  actAs?: string;
}

/**
 * The owner (or an operator) of an approved facility starts its capacity tracking with
 * the energy the battery holds. Whether it is approved and not yet initialised is the
 * contract's call (ERR_FACILITY_NOT_APPROVED, ERR_ALREADY_INITIALIZED), not ours.
 */
@Injectable()
export class InitializeCapacityUseCase {
  constructor(
    @Inject(CapacityChainWriter) private readonly writer: CapacityChainWriter,
    @Inject(CapacityRepository) private readonly capacities: CapacityRepository,
  ) {}

  execute(command: InitializeCapacityCommand): Promise<ChainWriteResult & { facilityId: number }> {
    const { facilityId } = command;
    return withSpan("capacity initialize-capacity", { [SpanAttributes.facilityId]: facilityId }, async () => {
      // Unknown or never approved ids are refused here rather than by a transaction that costs a fee.
      const facility = await this.capacities.findApprovedFacility(facilityId);
      if (!facility) {
        throw ApiError.notFound(
          "FACILITY_NOT_FOUND",
          `No approved facility ${facilityId} is known to this service (see facility.approved).`,
          { facilityId },
        );
      }
      const signer = this.writer.signerFor(command.caller, facility.owner, command.actAs);
      const result = await this.writer.write(command.caller, signer, (capacity) =>
        capacity.initializeCapacity(BigInt(facilityId), BigInt(command.storedKwh)),
      );
      return { facilityId, txid: result.txid, blockHeight: result.blockHeight };
    });
  }
}
