import type { ChainFacts } from "../chain/chain-facts.js";
import type { ServiceRequest, ServiceRequestStatus } from "@voltstack/api";
import type { ServiceRequestRepository } from "./service-request-repository.js";

/** What the checks before an accept, a fulfilment or a cancellation read of a request; kW and kWh exact. */
export type RequestToWrite = Pick<ServiceRequest, "id" | "status" | "expiresAt"> & {
  powerKw: bigint;
  energyKwh: bigint;
};

/**
 * The request a write is about, as the chain has it now: the read model's row when it is in
 * the `expected` status, else grid-services' own record at the tip (one read-only call). A
 * request created or accepted a block ago is thus neither answered 404 REQUEST_NOT_FOUND nor
 * refused for its status because the follower has not read that block yet; a refusal stands
 * only when the contract itself would refuse. Undefined when the chain has no such request.
 */
export async function requestToWrite(
  requests: ServiceRequestRepository,
  facts: ChainFacts,
  requestId: number,
  expected: ServiceRequestStatus,
): Promise<RequestToWrite | undefined> {
  const read = await requests.find(requestId);
  if (read?.status === expected) {
    return { ...read, powerKw: BigInt(read.powerKw), energyKwh: BigInt(read.energyKwh) };
  }
  const onChain = await facts.request(requestId);
  if (!onChain) return undefined;
  return {
    id: requestId,
    status: onChain.status,
    expiresAt: Number(onChain.expiresAt),
    powerKw: onChain.powerKw,
    energyKwh: onChain.energyKwh,
  };
}
