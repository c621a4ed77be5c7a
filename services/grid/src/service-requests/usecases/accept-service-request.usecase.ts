import { Inject, Injectable } from "@nestjs/common";
import { FacilityRegistryClient, type StacksChain } from "@voltstack/chain";
import type { ChainWriteResult } from "@voltstack/chain-sync";
import { SpanAttributes, withSpan } from "@voltstack/observability";
import { ApiError, type Caller } from "@voltstack/service-kit";
import { GridChainWriter } from "../../chain-writes/grid-chain-writer.js";
import { STACKS_CHAIN } from "../../infrastructure/tokens.js";
import { ServiceRequestRepository } from "../service-request-repository.js";

export interface AcceptServiceRequestCommand {
  caller: Caller;
  requestId: number;
  facilityId: number;
  actAs?: string;
}

/**
 * A facility's owner or an operator it enabled accepts an open request for it; the
 * contract reserves the request's energy in capacity tracking in the same transaction.
 */
@Injectable()
export class AcceptServiceRequestUseCase {
  private readonly registry: FacilityRegistryClient;

  constructor(
    @Inject(GridChainWriter) private readonly writer: GridChainWriter,
    @Inject(ServiceRequestRepository) private readonly requests: ServiceRequestRepository,
    @Inject(STACKS_CHAIN) chain: StacksChain,
  ) {
    this.registry = new FacilityRegistryClient(chain);
  }

  execute(command: AcceptServiceRequestCommand): Promise<ChainWriteResult & { requestId: number; facilityId: number }> {
    const { requestId, facilityId } = command;
    return withSpan("grid accept-service-request", { [SpanAttributes.facilityId]: facilityId }, async () => {
      if (!(await this.requests.find(requestId))) {
        throw ApiError.notFound("REQUEST_NOT_FOUND", `There is no service request ${requestId}.`, { requestId });
      }
      const principal = this.writer.actingPrincipal(command.caller, command.actAs);
      // Facilities and their operators belong to the facility registry, which alone knows
      // them: a read-only call refuses a foreign facility before a transaction costs a fee.
      if (!(await this.registry.isFacilityAuthorized(BigInt(facilityId), principal))) {
        throw ApiError.forbidden(
          "FACILITY_NOT_AUTHORIZED",
          `${principal} is neither the owner nor an enabled operator of facility ${facilityId}.`,
          { facilityId, principal },
        );
      }
      const result = await this.writer.write(command.caller, principal, (grid) =>
        grid.acceptRequest(BigInt(requestId), BigInt(facilityId)),
      );
      return { requestId, facilityId, txid: result.txid, blockHeight: result.blockHeight };
    });
  }
}
