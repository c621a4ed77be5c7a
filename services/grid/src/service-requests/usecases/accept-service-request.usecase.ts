import { Inject, Injectable } from "@nestjs/common";
import type { AcceptServiceRequestResult } from "@voltstack/api";
import { signerForFacility } from "@voltstack/chain-sync";
import { SpanAttributes, withSpan } from "@voltstack/observability";
import { ApiError, type Caller } from "@voltstack/service-kit";
import { ChainFacts } from "../../chain/chain-facts.js";
import { figure, gridRefusal } from "../../chain/chain-write-errors.js";
import { GridChainWriter } from "../../chain/grid-chain-writer.js";
import { requestToWrite } from "../request-to-write.js";
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
 * Each of accept-request's checks is made first, in the contract's order, so a refusal
 * costs no fee; the contract's own checks stay the backstop for a race.
 */
@Injectable()
export class AcceptServiceRequestUseCase {
  constructor(
    @Inject(GridChainWriter) private readonly writer: GridChainWriter,
    @Inject(ServiceRequestRepository) private readonly requests: ServiceRequestRepository,
    @Inject(ChainFacts) private readonly facts: ChainFacts,
  ) {}

  execute(command: AcceptServiceRequestCommand): Promise<AcceptServiceRequestResult> {
    const { requestId, facilityId } = command;
    return withSpan("grid accept-service-request", { [SpanAttributes.facilityId]: facilityId }, async () => {
      const request = await requestToWrite(this.requests, this.facts, requestId, "open");
      if (!request) {
        throw ApiError.notFound("REQUEST_NOT_FOUND", `There is no service request ${requestId}.`, { requestId });
      }
      const facility = await this.facts.facility(facilityId);
      if (!facility) {
        throw ApiError.notFound("FACILITY_NOT_FOUND", `There is no facility ${facilityId}.`, { facilityId });
      }
      const operators = await this.facts.operatorsAmong(
        facilityId,
        command.actAs ? [command.actAs] : command.caller.principals,
      );
      const principal = signerForFacility(
        this.writer,
        command.caller,
        { id: facilityId, owner: facility.owner, operators },
        command.actAs,
      );
      if (request.status !== "open") {
        throw gridRefusal("ERR_REQUEST_NOT_OPEN", `Service request ${requestId} is ${request.status}, not open.`, {
          requestId,
          status: request.status,
        });
      }
      const height = await this.facts.tipHeight();
      if (height >= request.expiresAt) {
        throw gridRefusal(
          "ERR_REQUEST_EXPIRED",
          `Service request ${requestId} expired at block ${request.expiresAt}; the chain is at ${height}.`,
          { requestId, expiresAt: request.expiresAt, height },
        );
      }
      if (facility.status !== "approved") {
        throw gridRefusal("ERR_FACILITY_NOT_APPROVED", `Facility ${facilityId} is ${facility.status}, not approved.`, {
          facilityId,
          status: facility.status,
        });
      }
      const requestedKw = BigInt(request.powerKw);
      if (facility.maxPowerKw < requestedKw) {
        throw gridRefusal(
          "ERR_INSUFFICIENT_POWER",
          `Service request ${requestId} asks for ${requestedKw} kW; facility ${facilityId} delivers at most ${facility.maxPowerKw} kW.`,
          { requestId, facilityId, requestedKw: figure(requestedKw), availableKw: figure(facility.maxPowerKw) },
        );
      }
      const requestedKwh = BigInt(request.energyKwh);
      const availableKwh = await this.facts.availableKwh(facilityId);
      if (availableKwh < requestedKwh) {
        throw gridRefusal(
          "ERR_INSUFFICIENT_CAPACITY",
          `Service request ${requestId} needs ${requestedKwh} kWh; facility ${facilityId} has ${availableKwh} kWh available.`,
          { requestId, facilityId, requestedKwh: figure(requestedKwh), availableKwh: figure(availableKwh) },
        );
      }
      const result = await this.writer.write(command.caller, principal, (grid) =>
        grid.acceptRequest(BigInt(requestId), BigInt(facilityId)),
      );
      return { requestId, facilityId, txid: result.txid, blockHeight: result.blockHeight };
    });
  }
}
