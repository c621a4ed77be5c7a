import { Inject, Injectable } from "@nestjs/common";
import type { FacilityStatus, FacilityWrite } from "@voltstack/api";
import { contractRefusal } from "@voltstack/chain-sync";
import { SpanAttributes, withSpan } from "@voltstack/observability";
import { ApiError, type Caller } from "@voltstack/service-kit";
import { STATUS_BY_CONTRACT_ERROR } from "../../chain/chain-write-errors.js";
import { VerificationChainWriter } from "../../chain/verification-chain-writer.js";
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

/** The status each decision starts from, and the contract's error when the facility is in another. */
const REQUIRED_STATUS = {
  approve: { status: "pending", error: "ERR_NOT_PENDING" },
  reject: { status: "pending", error: "ERR_NOT_PENDING" },
  suspend: { status: "approved", error: "ERR_NOT_APPROVED" },
  reinstate: { status: "suspended", error: "ERR_NOT_SUSPENDED" },
} as const satisfies Record<
  ReviewDecision["action"],
  { status: FacilityStatus; error: keyof typeof STATUS_BY_CONTRACT_ERROR }
>;

/**
 * An admin approves, rejects, suspends or reinstates a facility. The contract's checks
 * (known facility, an admin signs, the status the decision starts from) are made first,
 * so a refusal costs no fee; the contract stays the backstop when the chain moved meanwhile.
 */
@Injectable()
export class ReviewFacilityUseCase {
  constructor(
    @Inject(VerificationChainWriter) private readonly writer: VerificationChainWriter,
    @Inject(FacilityRepository) private readonly facilities: FacilityRepository,
  ) {}

  execute(command: ReviewFacilityCommand): Promise<FacilityWrite> {
    const { facilityId, decision } = command;
    return withSpan(
      `verification ${decision.action}-facility`,
      { [SpanAttributes.facilityId]: facilityId },
      async () => {
        const required = REQUIRED_STATUS[decision.action];
        // A facility registered or reviewed a block ago is not refused for the read model's lag.
        const facility = await this.writer.caughtUp(
          () => this.facilities.find(facilityId),
          (found) => found?.status === required.status,
        );
        if (!facility) {
          throw ApiError.notFound("FACILITY_NOT_FOUND", `There is no facility ${facilityId}.`, { facilityId });
        }
        const admin = this.writer.actingPrincipal(command.caller, command.actAs);
        if (!(await this.writer.isAdmin(admin))) {
          throw contractRefusal(
            STATUS_BY_CONTRACT_ERROR,
            "ERR_NOT_ADMIN",
            `${admin} is not an admin of the registry.`,
            {
              principal: admin,
            },
          );
        }
        if (facility.status !== required.status) {
          throw contractRefusal(
            STATUS_BY_CONTRACT_ERROR,
            required.error,
            `Facility ${facilityId} is ${facility.status}: only a ${required.status} facility can be given "${decision.action}".`,
            { facilityId, status: facility.status, requiredStatus: required.status },
          );
        }
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
