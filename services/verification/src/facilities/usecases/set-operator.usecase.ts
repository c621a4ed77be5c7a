import { Inject, Injectable } from "@nestjs/common";
import type { FacilityWrite } from "@voltstack/api";
import { contractRefusal, signerForFacility } from "@voltstack/chain-sync";
import { SpanAttributes, withSpan } from "@voltstack/observability";
import { ApiError, type Caller } from "@voltstack/service-kit";
import { STATUS_BY_CONTRACT_ERROR } from "../../chain/chain-write-errors.js";
import { VerificationChainWriter } from "../../chain/verification-chain-writer.js";
import { FacilityRepository } from "../facility-repository.js";

export interface SetOperatorCommand {
  caller: Caller;
  facilityId: number;
  operator: string;
  enabled: boolean;
}

/** The owner of a facility enables or disables an operator who may act for it. */
@Injectable()
export class SetOperatorUseCase {
  constructor(
    @Inject(VerificationChainWriter) private readonly writer: VerificationChainWriter,
    @Inject(FacilityRepository) private readonly facilities: FacilityRepository,
  ) {}

  execute(command: SetOperatorCommand): Promise<FacilityWrite> {
    const { facilityId, operator } = command;
    return withSpan("verification set-operator", { [SpanAttributes.facilityId]: facilityId }, async () => {
      // A facility registered a block ago is not answered 404 for the read model's lag.
      const facility = await this.writer.caughtUp(
        () => this.facilities.find(facilityId),
        (found) => found !== undefined,
      );
      if (!facility) {
        throw ApiError.notFound("FACILITY_NOT_FOUND", `There is no facility ${facilityId}.`, { facilityId });
      }
      // Only the owner appoints operators (the contract's ERR_NOT_OWNER): operators do not count here.
      const owner = signerForFacility(this.writer, command.caller, {
        id: facilityId,
        owner: facility.owner,
        operators: [],
      });
      if (operator === facility.owner) {
        throw contractRefusal(
          STATUS_BY_CONTRACT_ERROR,
          "ERR_OPERATOR_IS_OWNER",
          `${operator} owns facility ${facilityId}: an owner needs no operator role.`,
          { facilityId, operator, owner: facility.owner },
        );
      }
      const result = await this.writer.write(command.caller, owner, (registry) =>
        registry.setOperator(BigInt(facilityId), operator, command.enabled),
      );
      return { facilityId, txid: result.txid, blockHeight: result.blockHeight };
    });
  }
}
