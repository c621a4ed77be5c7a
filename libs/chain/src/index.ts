export {
  broadcastBackoffMs,
  broadcastOutcomeUnknown,
  type BroadcastRetryPolicy,
  DEFAULT_BROADCAST_RETRY,
  retryableBroadcastFailure,
} from "./broadcast-retry.js";
export { BroadcastRejectedError, ChainError, ConfirmationTimeoutError, TransactionFailedError } from "./chain-error.js";
export {
  ChainFollower,
  type ChainFollowerOptions,
  type FollowedEvent,
  type LogHead,
  type UnappliedEvents,
} from "./chain-follower.js";
export { type PlainValue, toPlain } from "./clarity-decoding.js";
export {
  type ConfirmationOptions,
  ConfirmationTracker,
  type TransactionOrigin,
  type FinalStatus,
  type FinalTransaction,
} from "./confirmation-tracker.js";
export type { ContractCall, SubmitOptions, SubmittedTransaction } from "./contract-call.js";
export { ContractError, type ContractErrorName, isContractError, lookupErrorConstant } from "./contract-error.js";
export { CONTRACT_ERROR_CONSTANTS } from "./contract-errors.generated.js";
export { CONTRACT_KEYS, type ContractKey } from "./contract-names.js";
export {
  type ContractDirectory,
  type ContractRef,
  type ContractsConfig,
  resolveContracts,
} from "./contracts-config.js";
export {
  checkDeployedSources,
  defaultContractsDir,
  type DeployedContract,
  type DeploymentRecord,
  deploymentStartHeight,
  parseDeploymentRecord,
  readDeploymentRecord,
  sourceSha256,
} from "./deployment-record.js";
export { DEFAULT_FEE_POLICY, FeeEstimator, type FeePolicy } from "./fee-estimator.js";
export {
  DEFAULT_URLS,
  type NetworkConfig,
  type NetworkName,
  type ResolvedNetwork,
  resolveNetwork,
} from "./network-config.js";
export { DEFAULT_REQUEST_BUDGET, RequestBudget, type RequestBudgetOptions } from "./request-budget.js";
export { InMemoryNonceStore, type NonceStore } from "./nonce-store.js";
export { postConditions } from "./post-conditions.js";
export type {
  CapacityEvent,
  ChargeDischargeEvent,
  EventPosition,
  FacilityRegistryEvent,
  GridServicesEvent,
  LocatedPrintEvent,
  PrintEvent,
  PrintEventByContract,
  ProgramEvent,
  ProgramSettlementLine,
  RevenueSharingEvent,
  StakeholderShare,
} from "./print-events.js";
export { type CallSender, SenderPool, singleSender } from "./sender-pool.js";
export { PrivateKeySigner, type Signer, type SignerConfig, signerFromConfig } from "./signer.js";
export type { SigningPermit } from "./signing-permit.js";
export {
  type AccountNonces,
  type ApiContact,
  type ApiEvent,
  API_PAGE_LIMITS,
  type ApiTransaction,
  type ChainTip,
  type ContractLogPage,
  type ContractSource,
  type NodeInfo,
  type FetchFn,
  StacksApi,
} from "./stacks-api.js";
export { type CallOutcome, type ChainConfig, StacksChain } from "./stacks-chain.js";
export { type EarlierTransaction, TransactionSender, type TransactionSenderOptions } from "./transaction-sender.js";
export { type CallResult, ContractClient, type ContractClientOptions } from "./clients/contract-client.js";
export { type Capacity, CapacityClient } from "./clients/capacity-client.js";
export {
  ChargeDischargeClient,
  type FlowRecord,
  type GridDemand,
  type SuggestedAction,
} from "./clients/charge-discharge-client.js";
export {
  type Facility,
  FacilityRegistryClient,
  type FacilityStatus,
  type NewFacility,
} from "./clients/facility-registry-client.js";
export {
  type FrequencyStatus,
  COHORT_SIZE,
  GridServicesClient,
  type NewProgram,
  type NewServiceRequest,
  type Program,
  PROGRAM_PRODUCTS,
  type ProgramCohortSlot,
  type ProgramPerformanceLine,
  type ProgramProduct,
  type ProgramSettlementRecord,
  type ServiceRequest,
  type ServiceRequestStatus,
} from "./clients/grid-services-client.js";
export {
  type Deposit,
  type Distribution,
  type Payment,
  RevenueSharingClient,
  type SharesVersion,
} from "./clients/revenue-sharing-client.js";
