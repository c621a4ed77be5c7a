export {
  type CallerSpec,
  type ExternalChain,
  externalChainFromEnv,
  type SignerPool,
  StackConfigError,
  type StacksNetworkName,
} from "./external-chain.js";
export { formatEventLine, type EventTail, tailEvents, type TailedEvent } from "./event-tail.js";
export {
  authApiKeys,
  devnetCallers,
  LOCAL_CALLERS,
  LOCAL_STAKEHOLDER_ACCOUNTS,
  type LocalCredential,
  loadOrCreateCredentials,
} from "./local-credentials.js";
export { type ServiceExit, ServiceProcess } from "./service-process.js";
export { STACK_SERVICES, type StackService } from "./stack-services.js";
export {
  DEFAULT_GRID_ADMIN_KEYS,
  type ExternalChainStackOptions,
  type LocalStack,
  type LocalStackOptions,
  type Stack,
  type StackOptions,
  startLocalStack,
  startStackOnChain,
} from "./start-local-stack.js";
