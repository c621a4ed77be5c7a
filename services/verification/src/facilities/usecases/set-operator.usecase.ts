import { Inject, Injectable } from "@nestjs/common";
import type { ChainWriteResult } from "@voltstack/chain-sync";
import { SpanAttributes, withSpan } from "@voltstack/observability";
import { ApiError, assertMayActFor, type Caller } from "@voltstack/service-kit";
import { FacilityChainWriter } from "../facility-chain-writer.js";
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
    @Inject(FacilityChainWriter) private readonly writer: FacilityChainWriter,
    @Inject(FacilityRepository) private readonly facilities: FacilityRepository,
  ) {}

  execute(command: SetOperatorCommand): Promise<ChainWriteResult & { facilityId: number }> {
    const { facilityId } = command;
    return withSpan("verification set-operator", { [SpanAttributes.facilityId]: facilityId }, async () => {
      const facility = await this.facilities.find(facilityId);
      if (!facility) {
        throw ApiError.notFound("FACILITY_NOT_FOUND", `There is no facility ${facilityId}.`, { facilityId });
      }
      // The owner signs: the caller must be allowed to act for the owner named on chain.
      assertMayActFor(command.caller, facility.owner);
      const result = await this.writer.write(command.caller, facility.owner, (registry) =>
        registry.setOperator(BigInt(facilityId), command.operator, command.enabled),
      );
      return { facilityId, txid: result.txid, blockHeight: result.blockHeight };
    });
  }
}
