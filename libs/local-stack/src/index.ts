export { formatEventLine, type EventTail, tailEvents, type TailedEvent } from "./event-tail.js";
export {
  authApiKeys,
  LOCAL_CALLERS,
  LOCAL_STAKEHOLDER_ACCOUNTS,
  type LocalCredential,
  loadOrCreateCredentials,
} from "./local-credentials.js";
export { type ServiceExit, ServiceProcess } from "./service-process.js";
export { STACK_SERVICES, type StackService } from "./stack-services.js";
export { type LocalStack, type LocalStackOptions, startLocalStack } from "./start-local-stack.js";
