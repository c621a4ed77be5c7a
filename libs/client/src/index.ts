export { ApiRequestError } from "./api-request-error.js";
export type * from "./api-views.js";
export { HttpTransport, type RequestOptions, type TransportOptions, WritePendingAnswer } from "./http-transport.js";
export { SERVICE_NAMES, type ServiceName, VoltstackClient, type VoltstackClientOptions } from "./voltstack-client.js";
export { settlementLineVerifies } from "./settlement-line.js";
