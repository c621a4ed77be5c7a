import type {
  AcceptServiceRequestResult,
  AwaitingInitialisationPage,
  Capacity,
  CapacityPage,
  CapacityReadingBatchResult,
  CapacityReadingResult,
  CreateProgramResult,
  DeadLetter,
  DeadLetterState,
  DistributeResult,
  EnrolmentPage,
  EnrolResult,
  Facility,
  FacilityPage,
  FacilityStatus,
  FacilityWrite,
  FrequencyIngest,
  FrequencyOracle,
  FrequencyReadingPage,
  FrequencyStatus,
  FulfilmentDistribution,
  FulfilServiceRequestResult,
  GridDemand,
  InitializeCapacityResult,
  JournalEntry,
  JournalStatus,
  PaymentHistory,
  PerformanceScore,
  PerformancesResult,
  PeriodScores,
  Program,
  ProgramPage,
  ProgramRefund,
  ProgramStatus,
  RecordFlowResult,
  ReleaseCohortResult,
  ResyncResult,
  RevenuePool,
  Schedule,
  ScoredProgram,
  ScoringSweepResult,
  ServiceRequest,
  ServiceRequestPage,
  ServiceRequestStatus,
  ServiceRequestWrite,
  SetFrequencyTargetResult,
  SetGridDemandResult,
  SetOracleResult,
  SetSharesResult,
  SettleOutcome,
  Settlements,
  Share,
  SuggestedAction,
  SyncStatus,
  TelemetryAccepted,
  WithdrawResult,
} from "@voltstack/api";
import { HttpTransport, type RequestOptions } from "./http-transport.js";
import type { SettlementLineAnswer, SettlementReportAnswer } from "./settlement-answers.js";

export const SERVICE_NAMES = ["verification", "capacity", "flow", "grid", "revenue"] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export interface VoltstackClientOptions {
  /** Base URL of each service, e.g. http://127.0.0.1:3101 for verification. */
  urls: Record<ServiceName, string>;
  /** The caller's API key (or JWT), sent as a bearer token. */
  apiKey?: string;
  /** A W3C traceparent to send with every request (see `traced`). */
  traceparent?: string;
  timeoutMs?: number;
  /**
   * The Idempotency-Key of the first write this client sends (`<key>-2`, `-3`… for the next):
   * the same key on a repeated command answers its first outcome instead of writing again.
   * Without it each write gets a new UUID.
   */
  idempotencyKey?: string;
  /** Waits before each retry of a write that got no answer; see TransportOptions. */
  retryDelaysMs?: readonly number[];
}

/** One metered sample a site sends: power in W (+ discharge), stored energy in Wh, frequency in mHz. */
export interface TelemetrySample {
  at: string;
  powerW: number;
  storedWh?: number;
  frequencyMilliHz?: number;
}

/** Query parameters of the list endpoints. */
type ListOptions = { after?: number; limit?: number };
/** The optional principal a caller with several signing principals acts as. */
type ActAs = { actAs?: string };

/** The operations of the five services that operators, owners and scripts use. */
export class VoltstackClient {
  readonly #transports: Record<ServiceName, HttpTransport>;

  constructor(private readonly options: VoltstackClientOptions) {
    const chosenKey = options.idempotencyKey;
    let writes = 0;
    const idempotencyKey = chosenKey
      ? () => {
          writes += 1;
          return writes === 1 ? chosenKey : `${chosenKey}-${writes}`;
        }
      : undefined;
    this.#transports = Object.fromEntries(
      SERVICE_NAMES.map((name) => [
        name,
        new HttpTransport({
          baseUrl: options.urls[name],
          ...(options.apiKey ? { apiKey: options.apiKey } : {}),
          traceparent: () => options.traceparent,
          ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
          ...(idempotencyKey ? { idempotencyKey } : {}),
          ...(options.retryDelaysMs ? { retryDelaysMs: options.retryDelaysMs } : {}),
        }),
      ]),
    ) as Record<ServiceName, HttpTransport>;
  }

  /** The same services as another caller. */
  as(apiKey: string | undefined): VoltstackClient {
    const options: VoltstackClientOptions = { ...this.options };
    if (apiKey) options.apiKey = apiKey;
    else delete options.apiKey;
    return new VoltstackClient(options);
  }

  /** The same caller, every request part of the trace `traceparent` names. */
  traced(traceparent: string): VoltstackClient {
    return new VoltstackClient({ ...this.options, traceparent });
  }

  /** Any endpoint of a service, for what the typed methods do not cover. */
  request<T>(service: ServiceName, method: string, path: string, options?: RequestOptions): Promise<T> {
    return this.#transports[service].request<T>(method, path, options);
  }

  readonly facilities = {
    register: (body: { owner: string; name: string; location: string; capacityKwh: number; maxPowerKw: number }) =>
      this.request<FacilityWrite>("verification", "POST", "facilities", { body }),
    approve: (id: number, body: ActAs = {}) =>
      this.request<FacilityWrite>("verification", "POST", `facilities/${id}/approve`, { body }),
    reject: (id: number, body: { reason: string } & ActAs) =>
      this.request<FacilityWrite>("verification", "POST", `facilities/${id}/reject`, { body }),
    suspend: (id: number, body: ActAs = {}) =>
      this.request<FacilityWrite>("verification", "POST", `facilities/${id}/suspend`, { body }),
    reinstate: (id: number, body: ActAs = {}) =>
      this.request<FacilityWrite>("verification", "POST", `facilities/${id}/reinstate`, {
        body,
      }),
    setOperator: (id: number, operator: string, enabled: boolean) =>
      this.request<FacilityWrite>("verification", "PUT", `facilities/${id}/operators/${operator}`, {
        body: { enabled },
      }),
    list: (query: { status?: FacilityStatus; owner?: string } & ListOptions = {}) =>
      this.request<FacilityPage>("verification", "GET", "facilities", { query }),
    get: (id: number) => this.request<Facility>("verification", "GET", `facilities/${id}`),
  };

  readonly capacity = {
    initialize: (facilityId: number, body: { storedKwh: number } & ActAs) =>
      this.request<InitializeCapacityResult>("capacity", "POST", `facilities/${facilityId}/capacity`, {
        body,
      }),
    recordReading: (facilityId: number, body: { storedKwh: number; measuredAt?: string } & ActAs) =>
      this.request<CapacityReadingResult>("capacity", "POST", `facilities/${facilityId}/readings`, { body }),
    recordReadings: (body: { readings: { facilityId: number; storedKwh: number; measuredAt?: string }[] } & ActAs) =>
      this.request<CapacityReadingBatchResult>("capacity", "POST", "readings/batch", {
        body,
      }),
    get: (facilityId: number) => this.request<Capacity>("capacity", "GET", `facilities/${facilityId}/capacity`),
    list: (query: ListOptions = {}) => this.request<CapacityPage>("capacity", "GET", "capacities", { query }),
    awaitingInitialisation: (query: ListOptions = {}) =>
      this.request<AwaitingInitialisationPage>("capacity", "GET", "facilities/awaiting-initialisation", { query }),
  };

  readonly flow = {
    setDemand: (body: { demandLevelPercent: number } & ActAs) =>
      this.request<SetGridDemandResult>("flow", "PUT", "grid/demand", { body }),
    setThresholds: (body: { lowThresholdPercent: number; highThresholdPercent: number } & ActAs) =>
      this.request<SetGridDemandResult>("flow", "PUT", "grid/thresholds", { body }),
    demand: () => this.request<GridDemand>("flow", "GET", "grid/demand"),
    charge: (facilityId: number, body: { energyKwh: number } & ActAs) =>
      this.request<RecordFlowResult>("flow", "POST", `facilities/${facilityId}/charges`, { body }),
    discharge: (facilityId: number, body: { energyKwh: number } & ActAs) =>
      this.request<RecordFlowResult>("flow", "POST", `facilities/${facilityId}/discharges`, { body }),
    suggestedAction: (facilityId: number) =>
      this.request<SuggestedAction>("flow", "GET", `facilities/${facilityId}/suggested-action`),
    schedule: (facilityId: number) => this.request<Schedule>("flow", "GET", `facilities/${facilityId}/schedule`),
  };

  readonly grid = {
    setFrequencyTarget: (body: { targetMhz: number; deadbandMhz: number } & ActAs) =>
      this.request<SetFrequencyTargetResult>("grid", "PUT", "frequency/target", { body }),
    reportFrequency: (body: { readings: { frequencyMhz: number; measuredAt?: string }[] } & ActAs) =>
      this.request<FrequencyIngest>("grid", "POST", "frequency/readings", { body }),
    frequency: () => this.request<FrequencyStatus>("grid", "GET", "frequency/status"),
    /** Newest first; `after` is a reading id. */
    readings: (query: ListOptions = {}) =>
      this.request<FrequencyReadingPage>("grid", "GET", "frequency/readings", { query }),
    setOracle: (oracle: string, body: { enabled: boolean } & ActAs) =>
      this.request<SetOracleResult>("grid", "PUT", `frequency/oracles/${oracle}`, {
        body,
      }),
    oracles: () => this.request<{ items: FrequencyOracle[] }>("grid", "GET", "frequency/oracles"),
    createRequest: (
      body: { serviceType: string; powerKw: number; energyKwh: number; paymentUstx: string; expiresAt: number } & ActAs,
    ) => this.request<ServiceRequestWrite>("grid", "POST", "service-requests", { body }),
    accept: (requestId: number, body: { facilityId: number } & ActAs) =>
      this.request<AcceptServiceRequestResult>("grid", "POST", `service-requests/${requestId}/accept`, { body }),
    fulfil: (requestId: number, body: { performanceBps: number } & ActAs) =>
      this.request<FulfilServiceRequestResult>("grid", "POST", `service-requests/${requestId}/fulfil`, { body }),
    cancel: (requestId: number, body: ActAs = {}) =>
      this.request<ServiceRequestWrite>("grid", "POST", `service-requests/${requestId}/cancel`, {
        body,
      }),
    listRequests: (query: { status?: ServiceRequestStatus; facility?: number } & ListOptions = {}) =>
      this.request<ServiceRequestPage>("grid", "GET", "service-requests", { query }),
    getRequest: (requestId: number) => this.request<ServiceRequest>("grid", "GET", `service-requests/${requestId}`),
  };

  /** Programs: fleets enrolled in a grid-service product and settled per period in cohorts. */
  readonly programs = {
    create: (body: {
      product: string;
      startHeight: number;
      periodBlocks: number;
      periodCount: number;
      capacityPriceUstx: string;
      energyPriceUstx: string;
      budgetUstx: string;
      settleWindow: number;
    }) => this.request<CreateProgramResult>("grid", "POST", "programs", { body }),
    cancel: (programId: number, body: ActAs = {}) =>
      this.request<ProgramRefund>("grid", "POST", `programs/${programId}/cancel`, {
        body,
      }),
    close: (programId: number, body: ActAs = {}) =>
      this.request<ProgramRefund>("grid", "POST", `programs/${programId}/close`, {
        body,
      }),
    releaseCohort: (programId: number, cohort: number, body: ActAs = {}) =>
      this.request<ReleaseCohortResult>("grid", "POST", `programs/${programId}/cohorts/${cohort}/release`, { body }),
    enrol: (programId: number, body: { facilityId: number; committedKw: number } & ActAs) =>
      this.request<EnrolResult>("grid", "POST", `programs/${programId}/enrolments`, { body }),
    withdraw: (programId: number, facilityId: number, body: ActAs = {}) =>
      this.request<WithdrawResult>("grid", "POST", `programs/${programId}/enrolments/${facilityId}/withdraw`, { body }),
    postPerformances: (
      programId: number,
      period: number,
      performances: { facilityId: number; performanceBps: number; deliveredKwh?: number }[],
    ) =>
      this.request<PerformancesResult>("grid", "POST", `programs/${programId}/periods/${period}/performances`, {
        body: { performances },
      }),
    settle: (programId: number, cohort: number, period: number, body: { missingAsZero?: boolean } & ActAs = {}) =>
      this.request<SettleOutcome>("grid", "POST", `programs/${programId}/cohorts/${cohort}/periods/${period}/settle`, {
        body,
      }),
    list: (query: { status?: ProgramStatus } & ListOptions = {}) =>
      this.request<ProgramPage>("grid", "GET", "programs", { query }),
    get: (programId: number) => this.request<Program>("grid", "GET", `programs/${programId}`),
    enrolments: (programId: number, query: { cohort?: number; facility?: number } & ListOptions = {}) =>
      this.request<EnrolmentPage>("grid", "GET", `programs/${programId}/enrolments`, {
        query,
      }),
    settlements: (programId: number, query: { cohort?: number; period?: number; limit?: number } = {}) =>
      this.request<Settlements>("grid", "GET", `programs/${programId}/settlements`, { query }),
    report: (programId: number, cohort: number, period: number) =>
      this.request<SettlementReportAnswer>(
        "grid",
        "GET",
        `programs/${programId}/cohorts/${cohort}/periods/${period}/report`,
      ),
    line: (programId: number, period: number, facilityId: number) =>
      this.request<SettlementLineAnswer>(
        "grid",
        "GET",
        `programs/${programId}/periods/${period}/facilities/${facilityId}`,
      ),
    /** Scores the ended periods of programs scored from telemetry now, as the periodic sweep does (admin). */
    runScoringSweep: (body: ActAs = {}) =>
      this.request<ScoringSweepResult>("grid", "POST", "admin/scoring-sweep", { body }),
    /** Scores the program's periods from telemetry from now on (admin or scoring oracle). */
    enableScoring: (
      programId: number,
      body: { containmentProfile?: ScoredProgram["containmentProfile"] } & ActAs = {},
    ) => this.request<ScoredProgram>("grid", "PUT", `programs/${programId}/scoring`, { body }),
    scores: (programId: number, period: number) =>
      this.request<PeriodScores>("grid", "GET", `programs/${programId}/periods/${period}/scores`),
    score: (programId: number, period: number, facilityId: number) =>
      this.request<PerformanceScore & { series: unknown[] }>(
        "grid",
        "GET",
        `programs/${programId}/periods/${period}/facilities/${facilityId}/score`,
      ),
  };

  /** Metered samples a facility's site sends for scoring (an admin or operator key). */
  readonly telemetry = {
    post: (facilityId: number, samples: TelemetrySample[]) =>
      this.request<TelemetryAccepted>("grid", "POST", `facilities/${facilityId}/telemetry`, { body: { samples } }),
  };

  readonly revenue = {
    setShares: (facilityId: number, shares: Share[]) =>
      this.request<SetSharesResult>("revenue", "PUT", `facilities/${facilityId}/shares`, { body: shares }),
    distribute: (facilityId: number, body: ActAs = {}) =>
      this.request<DistributeResult>("revenue", "POST", `facilities/${facilityId}/distribute`, { body }),
    pool: (facilityId: number) => this.request<RevenuePool>("revenue", "GET", `facilities/${facilityId}/pool`),
    facilityPayments: (facilityId: number) =>
      this.request<PaymentHistory>("revenue", "GET", `facilities/${facilityId}/payments`),
    stakeholderPayments: (principal: string) =>
      this.request<PaymentHistory>("revenue", "GET", `stakeholders/${principal}/payments`),
    facilityPaymentsCsv: (facilityId: number) =>
      this.request<string>("revenue", "GET", `facilities/${facilityId}/payments`, {
        query: { format: "csv" },
        text: true,
      }),
    stakeholderPaymentsCsv: (principal: string) =>
      this.request<string>("revenue", "GET", `stakeholders/${principal}/payments`, {
        query: { format: "csv" },
        text: true,
      }),
    fulfilmentDistribution: (requestId: number) =>
      this.request<FulfilmentDistribution>("revenue", "GET", `fulfilments/${requestId}/distribution`),
  };

  /** The transactions a service sent, newest first. */
  transactions(service: ServiceName, query: { status?: JournalStatus; limit?: number } = {}) {
    return this.request<{ items: JournalEntry[] }>(service, "GET", "transactions", { query });
  }

  /** Rebuilds a service's read model from the chain, from `fromHeight`; answers once it reached the tip. */
  resync(service: ServiceName, fromHeight: number) {
    return this.request<ResyncResult>(service, "POST", "admin/resync", { body: { fromHeight } });
  }

  deadLetters(service: ServiceName, query: { state?: DeadLetterState } = {}) {
    return this.request<{ items: DeadLetter[] }>(service, "GET", "dead-letters", { query });
  }

  replayDeadLetter(service: ServiceName, id: string) {
    return this.request<DeadLetter>(service, "POST", `dead-letters/${id}/replay`);
  }

  /** Marks a dead letter as never to be replayed, with the reason kept; the same reason again answers the same. */
  discardDeadLetter(service: ServiceName, id: string, reason: string) {
    return this.request<DeadLetter>(service, "POST", `dead-letters/${id}/discard`, { body: { reason } });
  }

  /** The chain's tip, how far the service's read model has read it, and the chain's block interval. */
  syncStatus(service: ServiceName) {
    return this.request<SyncStatus>(service, "GET", "chain-sync/status");
  }

  /** A service's readiness: true when it and everything it needs answer. */
  async ready(service: ServiceName): Promise<boolean> {
    try {
      await this.request<unknown>(service, "GET", "health/ready", { apiKey: null });
      return true;
    } catch {
      return false;
    }
  }
}
