import { Inject, Injectable } from "@nestjs/common";
import type { ServiceRequestWrite } from "@voltstack/api";
import { withSpan } from "@voltstack/observability";
import { ApiError, type Caller } from "@voltstack/service-kit";
import { ChainFacts } from "../../chain/chain-facts.js";
import { gridRefusal } from "../../chain/chain-write-errors.js";
import { GridChainWriter } from "../../chain/grid-chain-writer.js";
import { requestToWrite } from "../request-to-write.js";
import { ServiceRequestRepository } from "../service-request-repository.js";

export interface CancelServiceRequestCommand {
  caller: Caller;
  requestId: number;
  actAs?: string;
}

/** An admin cancels an open request; the escrow refunds the whole payment to the requester. */
@Injectable()
export class CancelServiceRequestUseCase {
  constructor(
    @Inject(GridChainWriter) private readonly writer: GridChainWriter,
    @Inject(ServiceRequestRepository) private readonly requests: ServiceRequestRepository,
    @Inject(ChainFacts) private readonly facts: ChainFacts,
  ) {}

  execute(command: CancelServiceRequestCommand): Promise<ServiceRequestWrite> {
    const { requestId } = command;
    return withSpan("grid cancel-service-request", { "voltstack.request_id": requestId }, async () => {
      const request = await requestToWrite(this.requests, this.facts, requestId, "open");
      if (!request) {
        throw ApiError.notFound("REQUEST_NOT_FOUND", `There is no service request ${requestId}.`, { requestId });
      }
      const admin = this.writer.actingPrincipal(command.caller, command.actAs);
      await this.facts.assertAdmin(admin);
      // Refused before a transaction: besides the fee, the refund's exact post-condition also
      // fails when the contract refuses (nothing moves), which would hide its answer.
      if (request.status !== "open") {
        throw gridRefusal("ERR_REQUEST_NOT_OPEN", `Service request ${requestId} is ${request.status}, not open.`, {
          requestId,
          status: request.status,
        });
      }
      const result = await this.writer.write(command.caller, admin, (grid) => grid.cancelRequest(BigInt(requestId)));
      return { requestId, txid: result.txid, blockHeight: result.blockHeight };
    });
  }
}
