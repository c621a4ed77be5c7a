// What the services answer, as their OpenAPI documents (/docs/json) describe it. Amounts
// that can exceed 2^53 (micro-STX, kWh, kW in the read models) are decimal strings.

/** A write answers once its transaction is confirmed. */
export interface ChainWrite {
  txid: string;
  blockHeight: number;
}

export type FacilityStatus = "pending" | "approved" | "rejected" | "suspended";

export interface Facility {
  id: number;
  owner: string;
  name: string;
  location: string;
  capacityKwh: number;
  maxPowerKw: number;
  status: FacilityStatus;
  rejectionReason: string | null;
  operators: { operator: string; enabled: boolean; updatedAt: string }[];
  registeredTxid: string;
  registeredHeight: number;
  lastTxid: string;
  lastHeight: number;
}

export interface Page<T> {
  items: T[];
  nextAfter: number | null;
}

export interface Capacity {
  facilityId: number;
  totalKwh: number;
  storedKwh: number;
  reservedKwh: number;
  availableKwh: number;
  lastReason: string;
  lastTxid: string;
  lastHeight: number;
}

export interface CapacityReadingResult {
  readingId: string;
  facilityId: number;
  storedKwh: number;
  outcome: string;
  written: boolean;
  reason: string | null;
  txid: string | null;
  blockHeight: number | null;
}

export interface DemandLevels {
  demandLevelPercent: number;
  lowThresholdPercent: number;
  highThresholdPercent: number;
}

export interface GridDemand extends DemandLevels {
  lastTxid: string | null;
  lastHeight: number | null;
}

export type FlowAction = "charge" | "discharge" | "hold";

export interface SuggestedAction {
  facilityId: number;
  action: FlowAction;
  energyKwh: number;
}

export interface Schedule {
  facilityId: number;
  scheduleVersion: number;
  demandLevelPercent: number;
  stepMinutes: number;
  steps: { startsAt: string; action: FlowAction; energyKwh: number }[];
  computedAt: string;
}

export type ServiceRequestStatus = "open" | "accepted" | "fulfilled" | "cancelled";

export interface ServiceRequest {
  id: number;
  serviceType: string;
  powerKw: number;
  energyKwh: number;
  paymentUstx: string;
  requester: string;
  expiresAt: number;
  status: ServiceRequestStatus;
  facilityId: number | null;
  acceptedBy: string | null;
  performanceBps: number | null;
  payoutUstx: string;
  refundUstx: string;
  lastTxid: string;
  lastHeight: number;
}

export interface FrequencyStatus {
  targetMhz: number;
  deadbandMhz: number;
  lastReadingMhz: number | null;
  deviating: boolean;
  lastTxid: string | null;
  lastHeight: number | null;
}

export interface FrequencyIngest {
  received: number;
  written: number;
  readings: {
    index: number;
    frequencyMhz: number;
    deviating: boolean;
    decision: string;
    written: boolean;
    txid: string | null;
  }[];
}

export interface FrequencyOracle {
  oracle: string;
  enabled: boolean;
  lastTxid: string;
  lastHeight: number;
  updatedAt: string;
}

export interface FrequencyReading {
  id: number;
  source: string;
  frequencyMhz: number;
  measuredAt: string;
  receivedAt: string;
  deviating: boolean;
  decision: "state-change" | "cadence" | "skipped";
  written: boolean;
  txid: string | null;
  blockHeight: number | null;
}

export interface Share {
  stakeholder: string;
  shareBps: number;
}

export interface RevenuePool {
  facilityId: number;
  balanceUstx: string;
  depositedUstx: string;
  distributedUstx: string;
  sharesVersion: number;
  shares: Share[];
  lastTxid: string;
  lastHeight: number;
}

export interface Payment {
  paymentId: number;
  distributionId: number;
  facilityId: number;
  stakeholder: string;
  shareBps: number;
  amountUstx: string;
  txid: string;
  blockHeight: number;
  paidAt: string;
}

export interface PaymentHistory {
  items: Payment[];
  totalUstx: string;
  count: number;
}

export interface FulfilmentDistribution {
  requestId: number;
  facilityId: number;
  status: string;
  attempts: number;
  distributionTxid: string | null;
  distributionId: number | null;
  errorCode: string | null;
}

export interface JournalEntry {
  id: string;
  txid: string | null;
  requestedBy: string;
  sender: string;
  contract: string;
  functionName: string;
  arguments: string[];
  status: "pending" | "confirmed" | "failed";
  errorCode: string | null;
  errorMessage: string | null;
  blockHeight: number | null;
  createdAt: string;
}

export interface DeadLetter {
  id: string;
  consumer: string;
  eventId: string;
  subject: string;
  errorCode: string;
  errorMessage: string;
  deliveries: number;
  failedAt: string;
  replayedAt: string | null;
  replayCount: number;
  /** When an admin discarded it, why and who; null while it is not discarded. */
  discardedAt: string | null;
  discardReason: string | null;
  discardedBy: string | null;
}

/** Which dead letters a list holds: open (default), replayed, discarded or all. */
export type DeadLetterState = "open" | "replayed" | "discarded" | "all";

export type ProgramStatus = "active" | "closed" | "cancelled";

export interface Program {
  id: number;
  product: string;
  unit: string | null;
  operator: string;
  startHeight: number;
  periodBlocks: number;
  periodCount: number;
  endHeight: number;
  settleWindow: number;
  settleUntilHeight: number;
  capacityPriceUstx: string;
  energyPriceUstx: string;
  budgetUstx: string;
  settledUstx: string;
  distributedUstx: string;
  refundUstx: string;
  remainingUstx: string;
  status: ProgramStatus;
  createdTxid: string;
  createdHeight: number;
  lastTxid: string;
}

export interface Enrolment {
  programId: number;
  facilityId: number;
  cohort: number;
  slot: number;
  committedKw: number | string;
  reservedKwh: number | string;
  fromPeriod: number;
  untilPeriod: number;
  withdrawn: boolean;
  released: boolean;
  enrolledBy: string;
  earnedUstx: string;
  paidUstx: string;
  createdTxid: string;
  createdHeight: number;
}

export interface Settlement {
  programId: number;
  cohort: number;
  period: number;
  reportHash: string;
  totalUstx: string;
  settledBy: string;
  txid: string;
  blockHeight: number;
}

/** A settlement report line as JSON: every figure a decimal string. */
export interface SettlementReportLine {
  slot: string;
  facilityId: string;
  committedKw: string;
  performanceBps: string;
  deliveredKwh: string;
  amountUstx: string;
}

export interface SettlementReportHeader {
  contract: string;
  programId: string;
  cohort: string;
  period: string;
  product: string;
  capacityPriceUstx: string;
  energyPriceUstx: string;
  lineCount: number;
}

export interface SettlementReportAnswer {
  settlement: Settlement;
  report: Omit<SettlementReportHeader, "lineCount"> & { network?: string; lines: SettlementReportLine[] };
}

export interface SettlementLineAnswer {
  settlement: Settlement;
  facilityId: number;
  line: SettlementReportLine;
  header: SettlementReportHeader;
  proof: { leaf: string; index: number; siblings: string[] };
}

export interface SettleOutcome {
  cohort: number;
  status: string;
  [field: string]: unknown;
}

export interface PerformancesResult {
  programId: number;
  period: number;
  stored: number;
  cohorts: SettleOutcome[];
}

/** A program scored from telemetry, and the first of its periods not yet scored. */
export interface ScoredProgram {
  programId: number;
  containmentProfile: "fcr" | "dynamic-containment";
  nextPeriod: number;
}

/** One facility's score for one period: the numbers posted, what they earn, and what they were computed from. */
export interface PerformanceScore {
  programId: number;
  period: number;
  facilityId: number;
  method: "regulation" | "containment" | "energy";
  performanceBps: number;
  deliveredKwh: number;
  committedKw: number;
  amountUstx: string;
  window: { from: string; to: string; stepSeconds: number };
  breakdown: Record<string, unknown>;
  scoredAt: string;
}

/** One metered sample: power in W (+ discharge), stored energy in Wh, frequency in mHz. */
export interface TelemetrySample {
  at: string;
  powerW: number;
  storedWh?: number;
  frequencyMilliHz?: number;
}

export interface TelemetryAccepted {
  facilityId: number;
  accepted: number;
  slots: number;
}

/** Where a service's read model stands against the chain (`GET /chain-sync/status`). */
export interface SyncStatus {
  tipHeight: number;
  followerHeight: number;
  lagBlocks: number;
  caughtUp: boolean;
  /** The chain's mean block interval over its last blocks, seconds; null while unknown. */
  secondsPerBlock: number | null;
}
