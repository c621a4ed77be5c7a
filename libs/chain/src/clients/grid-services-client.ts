import { Cl, Pc } from "@stacks/transactions";
import { postConditions } from "../post-conditions.js";
import type { StacksChain } from "../stacks-chain.js";
import { toDomain } from "../domain-decoding.js";
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

/** The program products of grid-services' fixed catalogue, with the unit a facility delivers in. */
export const PROGRAM_PRODUCTS = {
  "frequency-containment": { unit: "kw", durationMinutes: 30 },
  "frequency-regulation": { unit: "kw", durationMinutes: 60 },
  afrr: { unit: "kw", durationMinutes: 60 },
  "peak-shaving": { unit: "kwh", durationMinutes: 120 },
  "demand-response": { unit: "kwh", durationMinutes: 60 },
} as const;

export type ProgramProduct = keyof typeof PROGRAM_PRODUCTS;

/** A facility's slots in a cohort hold at most this many facilities (the contract's list bound). */
export const COHORT_SIZE = 100;

export interface NewProgram {
  product: string;
  startHeight: bigint;
  /** Blocks per settlement period. */
  periodBlocks: bigint;
  periodCount: bigint;
  /** Micro-STX per committed kW per period, scaled by performance. */
  capacityPriceUstx: bigint;
  /** Micro-STX per delivered kWh. */
  energyPriceUstx: bigint;
  /** Escrowed from the signer, who becomes the program's operator. */
  budgetUstx: bigint;
  /** Blocks after the last period ends during which settlements are accepted. */
  settleWindow: bigint;
}

/** A program as get-program answers it; amounts in micro-STX. */
export interface Program {
  product: string;
  operator: string;
  startHeight: bigint;
  periodBlocks: bigint;
  periodCount: bigint;
  capacityPrice: bigint;
  energyPrice: bigint;
  budget: bigint;
  settled: bigint;
  paid: bigint;
  refunded: bigint;
  settleWindow: bigint;
  status: "active" | "closed" | "cancelled";
  cohortCount: bigint;
  enrolledCount: bigint;
  settlementCount: bigint;
  createdAt: bigint;
}

/** A slot of a cohort as get-cohort answers it: it earns in periods fromPeriod <= p < untilPeriod. */
export interface ProgramCohortSlot {
  facilityId: bigint;
  committedKw: bigint;
  reservedKwh: bigint;
  fromPeriod: bigint;
  untilPeriod: bigint;
  earned: bigint;
  paid: bigint;
  released: boolean;
}

export interface ProgramSettlementRecord {
  /** 64 lowercase hex digits. */
  reportHash: string;
  total: bigint;
  settledBy: string;
  settledAt: bigint;
}

/** One line of settle-period, aligned with the cohort's slots. */
export interface ProgramPerformanceLine {
  performanceBps: bigint;
  deliveredKwh: bigint;
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

  getProgram(programId: bigint): Promise<Program | null> {
    return this.readOptional("get-program", [Cl.uint(programId)]);
  }

  getProgramCohort(programId: bigint, cohort: bigint): Promise<ProgramCohortSlot[] | null> {
    return this.readOptional("get-cohort", [Cl.uint(programId), Cl.uint(cohort)]);
  }

  getProgramEnrolment(programId: bigint, facilityId: bigint): Promise<{ cohort: bigint; slot: bigint } | null> {
    return this.readOptional("get-enrolment", [Cl.uint(programId), Cl.uint(facilityId)]);
  }

  getProgramSettlement(programId: bigint, cohort: bigint, period: bigint): Promise<ProgramSettlementRecord | null> {
    return this.readOptional("get-settlement", [Cl.uint(programId), Cl.uint(cohort), Cl.uint(period)]);
  }

  getLastProgramId(): Promise<bigint> {
    return this.readUint("get-last-program-id", []);
  }

  /** Creates a program and escrows exactly its budget from the signer (its operator); resolves with the program id. */
  createProgram(program: NewProgram): Promise<CallResult<bigint>> {
    return this.call(
      "create-program",
      [
        Cl.stringAscii(program.product),
        Cl.uint(program.startHeight),
        Cl.uint(program.periodBlocks),
        Cl.uint(program.periodCount),
        Cl.uint(program.capacityPriceUstx),
        Cl.uint(program.energyPriceUstx),
        Cl.uint(program.budgetUstx),
        Cl.uint(program.settleWindow),
      ],
      [Pc.origin().willSendEq(program.budgetUstx).ustx()],
      this.okUint("program id"),
    );
  }

  /** Enrols a facility with a committed power; resolves with its cohort and slot. */
  enrolFacility(
    programId: bigint,
    facilityId: bigint,
    committedKw: bigint,
  ): Promise<CallResult<{ cohort: bigint; slot: bigint }>> {
    return this.call(
      "enrol-facility",
      [Cl.uint(programId), Cl.uint(facilityId), Cl.uint(committedKw)],
      [],
      (cv) => toDomain(cv) as { cohort: bigint; slot: bigint },
    );
  }

  /** Withdraws a facility and releases its reservation; resolves with the first period it no longer earns in. */
  withdrawFacility(programId: bigint, facilityId: bigint): Promise<CallResult<bigint>> {
    return this.call("withdraw-facility", [Cl.uint(programId), Cl.uint(facilityId)], [], this.okUint("until period"));
  }

  /**
   * Settles one cohort for one period, recording `reportHash` (32 bytes, hex); `lines` are aligned with the
   * cohort's slots. Moves no STX (the earnings stay in the contract until distributed). Resolves with the total.
   */
  settlePeriod(
    programId: bigint,
    cohort: bigint,
    period: bigint,
    reportHash: string,
    lines: readonly ProgramPerformanceLine[],
  ): Promise<CallResult<bigint>> {
    return this.call(
      "settle-period",
      [
        Cl.uint(programId),
        Cl.uint(cohort),
        Cl.uint(period),
        Cl.bufferFromHex(reportHash.replace(/^0x/, "")),
        Cl.list(
          lines.map((line) =>
            Cl.tuple({ "performance-bps": Cl.uint(line.performanceBps), "delivered-kwh": Cl.uint(line.deliveredKwh) }),
          ),
        ),
      ],
      [],
      this.okUint("settled total"),
    );
  }

  /** Closes a program; the contract refunds exactly `refundUstx` (budget - settled, from the read model) to its operator. */
  closeProgram(programId: bigint, refundUstx: bigint): Promise<CallResult<bigint>> {
    return this.call(
      "close-program",
      [Cl.uint(programId)],
      [Pc.principal(this.contract.id).willSendEq(refundUstx).ustx()],
      this.okUint("refund"),
    );
  }

  /** Cancels a program before its start; the contract refunds exactly the budget to its operator. */
  cancelProgram(programId: bigint, budgetUstx: bigint): Promise<CallResult<bigint>> {
    return this.call(
      "cancel-program",
      [Cl.uint(programId)],
      [Pc.principal(this.contract.id).willSendEq(budgetUstx).ustx()],
      this.okUint("refund"),
    );
  }

  /** Releases the reservations a closed or cancelled program's cohort still holds; resolves with the kWh released. */
  releaseCohort(programId: bigint, cohort: bigint): Promise<CallResult<bigint>> {
    return this.call("release-cohort", [Cl.uint(programId), Cl.uint(cohort)], [], this.okUint("released kWh"));
  }

  /**
   * Pays stated program earnings, `amounts` aligned with the cohort's slots (one per slot,
   * 0 for a slot paid nothing), to each facility's stakeholders through revenue-sharing.
   * Exact Deny-mode post-condition: this contract sends exactly their sum, whatever
   * settles meanwhile. Resolves with the total.
   */
  distributeEarnings(programId: bigint, cohort: bigint, amounts: readonly bigint[]): Promise<CallResult<bigint>> {
    const totalUstx = amounts.reduce((sum, amount) => sum + amount, 0n);
    return this.call(
      "distribute-earnings",
      [Cl.uint(programId), Cl.uint(cohort), Cl.list(amounts.map((amount) => Cl.uint(amount)))],
      [Pc.principal(this.contract.id).willSendEq(totalUstx).ustx()],
      this.okUint("distributed total"),
    );
  }
}
