export { FULL_SHARE_BPS, MAX_STAKEHOLDERS } from "@voltstack/events";
export {
  PG_BIGINT_MAX,
  PG_INTEGER_MAX,
  UINT128_MAX,
  USTX_SUPPLY_MAX,
  basisPoints,
  blockHeight,
  cursorParam,
  energyKwh,
  facilityIdParam,
  idParam,
  pageLimit,
  percent,
  pgInteger,
  powerKw,
  recordId,
  safeUint,
  shareBps,
  uintAmount,
  ustxAmount,
} from "./fields/request-fields.js";
export { stacksPrincipal } from "./fields/stacks-principal.js";
export { type Share, sharesSchema } from "./fields/shares.js";
export {
  bpsField,
  chainWriteAnswer,
  integerField,
  itemsAnswer,
  kwField,
  kwhField,
  pageAnswer,
  principalField,
  timestampField,
  txidField,
  ustxField,
} from "./fields/answer-fields.js";

// The services' requests and answers, one file per feature.
export {
  type Facility,
  FACILITY_STATUSES,
  facilityAnswer,
  type FacilityPage,
  facilityPageAnswer,
  type FacilityStatus,
  type FacilityWrite,
  facilityWriteAnswer,
} from "./verification/facility-answers.js";
export {
  listFacilitiesQuery,
  registerFacilityBody,
  rejectBody,
  reviewBody,
  setOperatorBody,
} from "./verification/facility-requests.js";
export {
  type AwaitingInitialisation,
  awaitingInitialisationAnswer,
  type AwaitingInitialisationPage,
  type Capacity,
  capacityAnswer,
  type CapacityPage,
  capacityPageAnswer,
  initializeCapacityAnswer,
  type InitializeCapacityResult,
} from "./capacity/capacity-answers.js";
export { capacityPageQuery, initializeCapacityBody } from "./capacity/capacity-requests.js";
export {
  type CapacityReadingBatchResult,
  type CapacityReadingResult,
  READING_OUTCOMES,
  readingAnswer,
  readingBatchAnswer,
  type ReadingOutcome,
} from "./capacity/reading-answers.js";
export { MAX_BATCH_READINGS, readingBatchBody, readingBody } from "./capacity/reading-requests.js";
export {
  FLOW_ACTIONS,
  type FlowAction,
  type FlowRecord,
  type FlowRecordPage,
  flowRecordPageAnswer,
  recordFlowAnswer,
  type RecordFlowResult,
  type Schedule,
  scheduleAnswer,
  type ScheduleStep,
  type SuggestedAction,
  suggestedActionAnswer,
} from "./flow/flow-answers.js";
export { listFlowRecordsQuery, recordFlowBody } from "./flow/flow-requests.js";
export {
  type DemandLevels,
  demandLevelsAnswer,
  type GridDemand,
  gridDemandAnswer,
  setGridDemandAnswer,
  type SetGridDemandResult,
} from "./flow/grid-demand-answers.js";
export { setDemandBody, setThresholdsBody } from "./flow/grid-demand-requests.js";
export {
  type PriceCurve,
  priceCurveAnswer,
  type PriceCurveUpdate,
  priceCurveUpdateAnswer,
} from "./flow/price-answers.js";
export {
  type ScheduleExecution,
  type ScheduleExecutions,
  scheduleExecutionsAnswer,
  type ScheduleSettings,
  scheduleSettingsAnswer,
} from "./flow/schedule-answers.js";
export { scheduleSettingsBody, STRATEGY_NAMES, type StrategyName } from "./flow/schedule-requests.js";
export {
  type FrequencyIngest,
  frequencyIngestAnswer,
  type FrequencyOracle,
  frequencyOraclesAnswer,
  type FrequencyReading,
  type FrequencyReadingPage,
  frequencyReadingPageAnswer,
  type FrequencyStatus,
  frequencyStatusAnswer,
  READING_DECISIONS,
  type ReadingDecision,
  setFrequencyTargetAnswer,
  type SetFrequencyTargetResult,
  setOracleAnswer,
  type SetOracleResult,
} from "./grid/frequency-answers.js";
export {
  frequencyReadingsBody,
  type FrequencyReadingsBody,
  listReadingsQuery,
  MAX_READINGS_PER_REQUEST,
  setFrequencyTargetBody,
  setOracleBody,
} from "./grid/frequency-requests.js";
export {
  createProgramAnswer,
  type CreateProgramResult,
  enrolAnswer,
  type Enrolment,
  enrolmentAnswer,
  type EnrolmentPage,
  enrolmentPageAnswer,
  type EnrolResult,
  performancesAnswer,
  type PerformancesResult,
  type Program,
  PROGRAM_STATUSES,
  programAnswer,
  type ProgramPage,
  programPageAnswer,
  type ProgramRefund,
  programRefundAnswer,
  type ProgramStatus,
  type RefusedSettlement,
  releaseCohortAnswer,
  type ReleaseCohortResult,
  type Settlement,
  settlementAnswer,
  settlementLineAnswer,
  settlementReportAnswer,
  type Settlements,
  settlementsAnswer,
  settlementSweepAnswer,
  type SettlementSweepResult,
  type SettleOutcome,
  settleOutcomeAnswer,
  withdrawAnswer,
  type WithdrawResult,
} from "./grid/program-answers.js";
export {
  cohortParam,
  createProgramBody,
  enrolBody,
  indexParam,
  listEnrolmentsQuery,
  listProgramsQuery,
  listSettlementsQuery,
  MAX_PERFORMANCES_PER_REQUEST,
  performancesBody,
  periodParam,
  PROGRAM_PRODUCT_NAMES,
  programActionBody,
  programIdParam,
  settleBody,
} from "./grid/program-requests.js";
export {
  CONTAINMENT_PROFILE_NAMES,
  type ContainmentProfileName,
  fulfilFromTelemetryAnswer,
  type FulfilFromTelemetryResult,
  type PerformanceScore,
  periodScoreAnswer,
  type PeriodScores,
  periodScoresAnswer,
  periodScoreSeriesAnswer,
  type RequestScore,
  requestScoreAnswer,
  requestScoreSeriesAnswer,
  type ScoredProgram,
  scoredProgramAnswer,
  scoringSweepAnswer,
  type ScoringSweepResult,
} from "./grid/scoring-answers.js";
export { enableScoringBody, fulfilFromTelemetryBody } from "./grid/scoring-requests.js";
export {
  acceptServiceRequestAnswer,
  type AcceptServiceRequestResult,
  expirySweepAnswer,
  type ExpirySweepResult,
  fulfilServiceRequestAnswer,
  type FulfilServiceRequestResult,
  SERVICE_REQUEST_STATUSES,
  type ServiceRequest,
  serviceRequestAnswer,
  type ServiceRequestPage,
  serviceRequestPageAnswer,
  type ServiceRequestStatus,
  type ServiceRequestWrite,
  serviceRequestWriteAnswer,
} from "./grid/service-request-answers.js";
export {
  acceptBody,
  adminActionBody,
  createServiceRequestBody,
  fulfilBody,
  listServiceRequestsQuery,
  requestIdParam,
  isServiceType,
  SERVICE_TYPES,
  type ServiceType,
} from "./grid/service-request-requests.js";
export {
  type RegulationSignalAccepted,
  regulationSignalAcceptedAnswer,
  type RegulationSignalSeries,
  regulationSignalSeriesAnswer,
  type TelemetryAccepted,
  telemetryAcceptedAnswer,
  type TelemetrySeries,
  telemetrySeriesAnswer,
} from "./grid/telemetry-answers.js";
export {
  MAX_SAMPLES_PER_REQUEST,
  MAX_SERIES_SPAN_MS,
  regulationSignalBody,
  type RegulationSignalBody,
  seriesQuery,
  telemetryBody,
  type TelemetryBody,
} from "./grid/telemetry-requests.js";
export {
  DISTRIBUTION_STATUSES,
  type FulfilmentDistribution,
  fulfilmentDistributionAnswer,
} from "./revenue/distribution-answers.js";
export { gridRequestIdParam } from "./revenue/distribution-requests.js";
export {
  distributeAnswer,
  type DistributeResult,
  type Payment,
  type PaymentHistory,
  paymentsAnswer,
  paymentsCsvAnswer,
  poolAnswer,
  type RevenuePool,
  setSharesAnswer,
  type SetSharesResult,
} from "./revenue/revenue-answers.js";
export { actAsBody, formatQuery, setSharesBody } from "./revenue/revenue-requests.js";
// The operations routes every service serves alike (transactions, dead letters, resync, sync status).
export {
  type DeadLetter,
  deadLetterAnswer,
  JOURNAL_STATUSES,
  type JournalEntry,
  journalEntryAnswer,
  type JournalStatus,
  resyncAnswer,
  type ResyncResult,
  type SyncStatus,
  syncStatusAnswer,
} from "./operations/operations-answers.js";
export {
  DEAD_LETTER_STATES,
  deadLetterIdParam,
  type DeadLetterState,
  discardDeadLetterBody,
  listDeadLettersQuery,
  listTransactionsQuery,
  MAX_DISCARD_REASON_LENGTH,
  resyncBody,
  txidParam,
} from "./operations/operations-requests.js";
