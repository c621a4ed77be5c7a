import type { ClarityValue } from "@stacks/transactions";
import { ChainError } from "./chain-error.js";
import type { ContractKey } from "./contract-names.js";
import { toDomain } from "./domain-decoding.js";

/** The `(print {...})` payloads of the five contracts, keyed by `topic`; amounts in micro-STX, energy in kWh, power in kW. */
export type FacilityRegistryEvent =
  | {
      topic: "facility-registered";
      facilityId: bigint;
      owner: string;
      name: string;
      location: string;
      capacityKwh: bigint;
      maxPowerKw: bigint;
    }
  | {
      topic: "facility-approved";
      facilityId: bigint;
      owner: string;
      capacityKwh: bigint;
      maxPowerKw: bigint;
      admin: string;
    }
  | { topic: "facility-rejected"; facilityId: bigint; owner: string; reason: string; admin: string }
  | { topic: "facility-suspended"; facilityId: bigint; owner: string; admin: string }
  | { topic: "facility-reinstated"; facilityId: bigint; owner: string; admin: string }
  | { topic: "admin-added"; admin: string; by: string }
  | { topic: "admin-removed"; admin: string; by: string }
  | { topic: "operator-set"; facilityId: bigint; operator: string; enabled: boolean };

export type CapacityEvent =
  | {
      topic: "capacity-updated";
      facilityId: bigint;
      reason: "reading" | "reserved" | "released" | "charge" | "discharge";
      totalKwh: bigint;
      storedKwh: bigint;
      reservedKwh: bigint;
      availableKwh: bigint;
    }
  | {
      topic: "capacity-initialized";
      facilityId: bigint;
      totalKwh: bigint;
      storedKwh: bigint;
      reservedKwh: bigint;
      availableKwh: bigint;
    };

export type ChargeDischargeEvent =
  | {
      topic: "grid-demand-updated" | "demand-thresholds-updated";
      level: bigint;
      lowThreshold: bigint;
      highThreshold: bigint;
    }
  | {
      topic: "flow-recorded";
      recordId: bigint;
      facilityId: bigint;
      action: "charge" | "discharge";
      energyKwh: bigint;
      demandLevel: bigint;
      storedAfterKwh: bigint;
      recordedBy: string;
    };

export interface StakeholderShare {
  stakeholder: string;
  shareBps: bigint;
}

export type RevenueSharingEvent =
  | { topic: "shares-updated"; facilityId: bigint; version: bigint; shares: StakeholderShare[] }
  | {
      topic: "revenue-deposited";
      depositId: bigint;
      facilityId: bigint;
      amountUstx: bigint;
      source: string;
      depositor: string;
      poolBalanceUstx: bigint;
    }
  | {
      topic: "revenue-paid";
      paymentId: bigint;
      distributionId: bigint;
      facilityId: bigint;
      stakeholder: string;
      shareBps: bigint;
      amountUstx: bigint;
    }
  | {
      topic: "revenue-distributed";
      distributionId: bigint;
      facilityId: bigint;
      amountUstx: bigint;
      sharesVersion: bigint;
      firstPaymentId: bigint;
      paymentCount: bigint;
      distributedBy: string;
    };

export type GridServicesEvent =
  | { topic: "frequency-target-set"; targetMhz: bigint; deadbandMhz: bigint; by: string }
  | { topic: "oracle-set"; oracle: string; enabled: boolean }
  | {
      topic: "frequency-reported" | "frequency-deviation";
      frequencyMhz: bigint;
      targetMhz: bigint;
      deadbandMhz: bigint;
      deviationMhz: bigint;
      deviating: boolean;
      reporter: string;
    }
  | {
      topic: "service-requested";
      requestId: bigint;
      serviceType: string;
      powerKw: bigint;
      energyKwh: bigint;
      paymentUstx: bigint;
      requester: string;
      expiresAt: bigint;
    }
  | {
      topic: "service-accepted";
      requestId: bigint;
      facilityId: bigint;
      energyKwh: bigint;
      powerKw: bigint;
      acceptedBy: string;
    }
  | {
      topic: "service-fulfilled";
      requestId: bigint;
      facilityId: bigint;
      performanceBps: bigint;
      paymentUstx: bigint;
      payoutUstx: bigint;
      refundUstx: bigint;
      requester: string;
    }
  | { topic: "service-cancelled"; requestId: bigint; refundUstx: bigint; requester: string; expired: boolean }
  | ProgramEvent;

/** One facility's line of a program settlement, aligned with its cohort's slots. */
export interface ProgramSettlementLine {
  facilityId: bigint;
  committedKw: bigint;
  performanceBps: bigint;
  deliveredKwh: bigint;
  amountUstx: bigint;
}

/** grid-services' program prints; prices and budgets in micro-STX, periods counted in blocks. */
export type ProgramEvent =
  | {
      topic: "program-created";
      programId: bigint;
      product: string;
      operator: string;
      startHeight: bigint;
      periodBlocks: bigint;
      periodCount: bigint;
      capacityPrice: bigint;
      energyPrice: bigint;
      budget: bigint;
      settleWindow: bigint;
      endHeight: bigint;
    }
  | {
      topic: "program-enrolled";
      programId: bigint;
      facilityId: bigint;
      committedKw: bigint;
      reservedKwh: bigint;
      cohort: bigint;
      slot: bigint;
      fromPeriod: bigint;
      enrolledBy: string;
    }
  | {
      topic: "program-withdrawn";
      programId: bigint;
      facilityId: bigint;
      cohort: bigint;
      slot: bigint;
      untilPeriod: bigint;
      releasedKwh: bigint;
      withdrawnBy: string;
    }
  | {
      topic: "program-settled";
      programId: bigint;
      cohort: bigint;
      period: bigint;
      /** 32 bytes as 64 lowercase hex digits. */
      reportHash: string;
      total: bigint;
      lines: ProgramSettlementLine[];
      settledBy: string;
    }
  | {
      topic: "program-earnings-distributed";
      programId: bigint;
      cohort: bigint;
      total: bigint;
      amounts: bigint[];
      distributedBy: string;
    }
  | {
      topic: "program-closed";
      programId: bigint;
      refundUstx: bigint;
      settled: bigint;
      operator: string;
      closedBy: string;
    }
  | { topic: "program-cancelled"; programId: bigint; refundUstx: bigint; operator: string; cancelledBy: string }
  | { topic: "program-cohort-released"; programId: bigint; cohort: bigint; releasedKwh: bigint };

export interface PrintEventByContract {
  "facility-registry": FacilityRegistryEvent;
  "capacity-tracking": CapacityEvent;
  "charge-discharge": ChargeDischargeEvent;
  "revenue-sharing": RevenueSharingEvent;
  "grid-services": GridServicesEvent;
}

/** A decoded print event with the contract that emitted it. */
export type PrintEvent = {
  [C in ContractKey]: { contract: C; contractId: string; payload: PrintEventByContract[C] };
}[ContractKey];

/** Where a print event sits on the chain. `eventIndex` is its index among the transaction's events. */
export interface EventPosition {
  txid: string;
  blockHeight: number;
  txIndex: number;
  eventIndex: number;
}

export type LocatedPrintEvent = PrintEvent & EventPosition;

const KNOWN_TOPICS: Record<ContractKey, readonly string[]> = {
  "facility-registry": [
    "facility-registered",
    "facility-approved",
    "facility-rejected",
    "facility-suspended",
    "facility-reinstated",
    "admin-added",
    "admin-removed",
    "operator-set",
  ],
  "capacity-tracking": ["capacity-updated", "capacity-initialized"],
  "charge-discharge": ["grid-demand-updated", "demand-thresholds-updated", "flow-recorded"],
  "revenue-sharing": ["shares-updated", "revenue-deposited", "revenue-paid", "revenue-distributed"],
  "grid-services": [
    "frequency-target-set",
    "oracle-set",
    "frequency-reported",
    "frequency-deviation",
    "service-requested",
    "service-accepted",
    "service-fulfilled",
    "service-cancelled",
    "program-created",
    "program-enrolled",
    "program-withdrawn",
    "program-settled",
    "program-earnings-distributed",
    "program-closed",
    "program-cancelled",
    "program-cohort-released",
  ],
};

/** Decodes one print value of `contract`; an unknown topic is an error, so a contract change cannot slip through unnoticed. */
export function decodePrintEvent(contract: ContractKey, contractId: string, value: ClarityValue): PrintEvent {
  const payload = toDomain(value);
  const topic =
    typeof payload === "object" && payload !== null && !Array.isArray(payload)
      ? (payload as Record<string, unknown>).topic
      : undefined;
  if (typeof topic !== "string" || !KNOWN_TOPICS[contract].includes(topic)) {
    throw new ChainError(
      "UNKNOWN_PRINT_EVENT",
      `${contractId} printed an event this library does not know (topic ${String(topic)}).`,
      {
        contractId,
        topic,
      },
    );
  }
  return { contract, contractId, payload } as PrintEvent;
}
