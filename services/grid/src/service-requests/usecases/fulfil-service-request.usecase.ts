import { Inject, Injectable } from "@nestjs/common";
import type { FulfilServiceRequestResult } from "@voltstack/api";
import { withSpan } from "@voltstack/observability";
import { ApiError, type Caller } from "@voltstack/service-kit";
import { ChainFacts } from "../../chain/chain-facts.js";
import { gridRefusal } from "../../chain/chain-write-errors.js";
import { GridChainWriter } from "../../chain/grid-chain-writer.js";
import { requestToWrite } from "../request-to-write.js";
import { ServiceRequestRepository } from "../service-request-repository.js";

export interface FulfilServiceRequestCommand {
  caller: Caller;
  requestId: number;
  performanceBps: number;
  actAs?: string;
}

/**
 * An admin scores an accepted request: the escrow pays payment x performance / 10,000
 * into the facility's revenue pool and the rest back to the requester, in one transaction.
 * A signer that is not an admin and a request that is not accepted are refused first.
 */
@Injectable()
export class FulfilServiceRequestUseCase {
  constructor(
    @Inject(GridChainWriter) private readonly writer: GridChainWriter,
    @Inject(ServiceRequestRepository) private readonly requests: ServiceRequestRepository,
    @Inject(ChainFacts) private readonly facts: ChainFacts,
  ) {}

  execute(command: FulfilServiceRequestCommand): Promise<FulfilServiceRequestResult> {
    const { requestId, performanceBps } = command;
    return withSpan("grid fulfil-service-request", { "voltstack.request_id": requestId }, async () => {
      const request = await requestToWrite(this.requests, this.facts, requestId, "accepted");
      if (!request) {
        throw ApiError.notFound("REQUEST_NOT_FOUND", `There is no service request ${requestId}.`, { requestId });
      }
      const admin = this.writer.actingPrincipal(command.caller, command.actAs);
      await this.facts.assertAdmin(admin);
      if (request.status !== "accepted") {
        throw gridRefusal(
          "ERR_REQUEST_NOT_ACCEPTED",
          `Service request ${requestId} is ${request.status}, not accepted.`,
          {
            requestId,
            status: request.status,
          },
        );
      }
      const result = await this.writer.write(command.caller, admin, (grid) =>
        grid.fulfillRequest(BigInt(requestId), BigInt(performanceBps)),
      );
      return {
        requestId,
        performanceBps,
        payoutUstx: result.value.toString(),
        txid: result.txid,
        blockHeight: result.blockHeight,
      };
    });
  }
}
