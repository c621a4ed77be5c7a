import { Cl } from "@stacks/transactions";
import { postConditions } from "../post-conditions.js";
import type { StacksChain } from "../stacks-chain.js";
import { type CallResult, ContractClient, type ContractClientOptions } from "./contract-client.js";

/** Frequencies in millihertz (50 Hz = 50_000n). */
export interface FrequencyStatus {
  targetMhz: bigint;
  deadbandMhz: bigint;
  lastReadingMhz: bigint;
  lastReadingAt: bigint;
  deviating: boolean;
}

export type ServiceRequestStatus = "open" | "accepted" | "fulfilled" | "cancelled";

export interface ServiceRequest {
  serviceType: string;
  powerKw: bigint;
  energyKwh: bigint;
  paymentUstx: bigint;
  requester: string;
  expiresAt: bigint;
  status: ServiceRequestStatus;
  facilityId: bigint | null;
  performanceBps: bigint | null;
  payoutUstx: bigint;
  refundUstx: bigint;
  createdAt: bigint;
  updatedAt: bigint;
}

export interface NewServiceRequest {
  serviceType: string;
  powerKw: bigint;
  energyKwh: bigint;
  paymentUstx: bigint;
  /** Block height after which the request can no longer be accepted. */
  expiresAt: bigint;
}

export class GridServicesClient extends ContractClient {
  constructor(chain: StacksChain, options: ContractClientOptions = {}) {
    super(chain, "grid-services", options);
  }

  isOracle(who: string): Promise<boolean> {
    return this.readBool("is-oracle", [Cl.principal(who)]);
  }

  deviates(frequencyMhz: bigint): Promise<boolean> {
    return this.readBool("deviates", [Cl.uint(frequencyMhz)]);
  }

  getFrequencyStatus(): Promise<FrequencyStatus> {
    return this.readRecord("get-frequency-status", []);
  }

  getRequest(requestId: bigint): Promise<ServiceRequest | null> {
    return this.readOptional("get-request", [Cl.uint(requestId)]);
  }

  getLastRequestId(): Promise<bigint> {
    return this.readUint("get-last-request-id", []);
  }

  getEscrowedUstx(): Promise<bigint> {
    return this.readUint("get-escrowed-ustx", []);
  }

  setFrequencyTarget(targetMhz: bigint, deadbandMhz: bigint): Promise<CallResult<boolean>> {
    return this.call(
      "set-frequency-target",
      [Cl.uint(targetMhz), Cl.uint(deadbandMhz)],
      [],
      this.okBool("set-frequency-target result"),
    );
  }

  setOracle(who: string, enabled: boolean): Promise<CallResult<boolean>> {
    return this.call("set-oracle", [Cl.principal(who), Cl.bool(enabled)], [], this.okBool("set-oracle result"));
  }

  /** Resolves with whether the reading deviates beyond the deadband. */
  reportFrequency(frequencyMhz: bigint): Promise<CallResult<boolean>> {
    return this.call("report-frequency", [Cl.uint(frequencyMhz)], [], this.okBool("deviating"));
  }

  /** Posts a request and escrows its payment from the signer; resolves with the request id. */
  createServiceRequest(request: NewServiceRequest): Promise<CallResult<bigint>> {
    return this.call(
      "create-service-request",
      [
        Cl.stringAscii(request.serviceType),
        Cl.uint(request.powerKw),
        Cl.uint(request.energyKwh),
        Cl.uint(request.paymentUstx),
        Cl.uint(request.expiresAt),
      ],
      postConditions.createServiceRequest(request.paymentUstx),
      this.okUint("request id"),
    );
  }

  acceptRequest(requestId: bigint, facilityId: bigint): Promise<CallResult<boolean>> {
    return this.call(
      "accept-request",
      [Cl.uint(requestId), Cl.uint(facilityId)],
      [],
      this.okBool("accept-request result"),
    );
  }

  /** Scores a delivery; the escrow pays at most the request's payment (read first). Resolves with the payout. */
  async fulfillRequest(requestId: bigint, performanceBps: bigint): Promise<CallResult<bigint>> {
    const payment = await this.#paymentOf(requestId);
    return this.call(
      "fulfill-request",
      [Cl.uint(requestId), Cl.uint(performanceBps)],
      postConditions.fulfillRequest(this.contract, payment),
      this.okUint("payout"),
    );
  }

  /** Cancels an open request; the escrow refunds exactly its payment (read first). */
  async cancelRequest(requestId: bigint): Promise<CallResult<boolean>> {
    const payment = await this.#paymentOf(requestId);
    return this.call(
      "cancel-request",
      [Cl.uint(requestId)],
      postConditions.cancelRequest(this.contract, payment),
      this.okBool("cancel-request result"),
    );
  }

  /** The request's payment; an unknown request gets a zero allowance, so the contract's own ERR_REQUEST_NOT_FOUND reaches the caller. */
  async #paymentOf(requestId: bigint): Promise<bigint> {
    const request = await this.getRequest(requestId);
    return request?.paymentUstx ?? 0n;
  }
}
