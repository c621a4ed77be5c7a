// The devnet server's route table types, shared by the node/API routes and the
// /devnet control routes.
import type { ApiView } from "./api-view.js";
import type { DevnetChain } from "./devnet-chain.js";
import type { FaultState } from "./faults.js";

export interface Reply {
  status: number;
  body: unknown;
  /** Sent as text instead of JSON, e.g. the transfer fee rate. */
  text?: boolean;
  headers?: Record<string, string>;
}

export interface Request {
  method: string;
  path: string;
  query: URLSearchParams;
  /** The query string as received (with its leading "?"), for redirects. */
  search: string;
  params: string[];
  body: Buffer;
  contentType: string;
}

export type Handler = (request: Request) => Reply | Promise<Reply>;

export interface Route {
  method: "GET" | "POST" | "DELETE";
  pattern: RegExp;
  handler: Handler;
  /**
   * Marked `deprecated: true` in the API's route schema (v9): answered with a
   * Warning header, and with 410 Gone when deprecated routes are switched off.
   */
  deprecated?: boolean;
}

export interface RouteContext {
  chain: DevnetChain;
  view: ApiView;
  faults: FaultState;
}

export const ok = (body: unknown, headers?: Record<string, string>): Reply => ({
  status: 200,
  body,
  ...(headers ? { headers } : {}),
});

export const redirect = (status: 301 | 302, location: string): Reply => ({
  status,
  body: { statusCode: status, message: `Redirecting to ${location}` },
  headers: { location },
});

/** The API's defaultDeprecatedMessage; no route we serve sets its own deprecatedMessage. */
export const DEPRECATED_MESSAGE = "See https://docs.hiro.so/stacks/api for more information";

/** The deprecation plugin's onSend header. */
export const DEPRECATION_WARNING = `299 - "Deprecated: ${DEPRECATED_MESSAGE}"`;

/** The deprecation plugin's onRequest answer when ENABLE_DEPRECATED_ENDPOINTS=false. */
export const GONE_BODY = { error: "Gone", message: `This endpoint has been disabled. ${DEPRECATED_MESSAGE}` };
