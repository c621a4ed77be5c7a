import { Inject, Injectable } from "@nestjs/common";
import type { ChainWriteResult } from "@voltstack/chain-sync";
import { SpanAttributes, withSpan } from "@voltstack/observability";
import { ApiError, type Caller } from "@voltstack/service-kit";
import { FacilityChainWriter } from "../facility-chain-writer.js";
import { FacilityRepository } from "../facility-repository.js";

export type ReviewDecision =
  { action: "approve" } | { action: "reject"; reason: string } | { action: "suspend" } | { action: "reinstate" };

export interface ReviewFacilityCommand {
  caller: Caller;
  facilityId: number;
  decision: ReviewDecision;
  /** The admin principal to sign as, when the caller has several. */
  actAs?: string;
}

/**
 * An admin approves, rejects, suspends or reinstates a facility. Whether the facility
 * is in the right state is the contract's call (ERR_NOT_PENDING, ...), not ours.
 */
@Injectable()
export class ReviewFacilityUseCase {
  constructor(
    @Inject(FacilityChainWriter) private readonly writer: FacilityChainWriter,
    @Inject(FacilityRepository) private readonly facilities: FacilityRepository,
  ) {}

  execute(command: ReviewFacilityCommand): Promise<ChainWriteResult & { facilityId: number }> {
    const { facilityId, decision } = command;
    return withSpan(
      `verification ${decision.action}-facility`,
      { [SpanAttributes.facilityId]: facilityId },
      async () => {
        // Unknown ids are refused here rather than by a transaction that costs a fee.
        if (!(await this.facilities.find(facilityId))) {
          throw ApiError.notFound("FACILITY_NOT_FOUND", `There is no facility ${facilityId}.`, { facilityId });
        }
        const admin = this.writer.actingPrincipal(command.caller, command.actAs);
        const id = BigInt(facilityId);
        const result = await this.writer.write(command.caller, admin, (registry) => {
          switch (decision.action) {
            case "approve":
              return registry.approveFacility(id);
            case "reject":
              return registry.rejectFacility(id, decision.reason);
            case "suspend":
              return registry.suspendFacility(id);
            case "reinstate":
              return registry.reinstateFacility(id);
          }
        });
        return { facilityId, txid: result.txid, blockHeight: result.blockHeight };
      },
    );
  }
}
