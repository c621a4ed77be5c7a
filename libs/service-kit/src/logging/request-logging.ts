import { randomUUID } from "node:crypto";
import { context, trace } from "@opentelemetry/api";
import { contextOf, type createLogger, runWithRequestId } from "@voltstack/observability";
import type { HttpRequest as Request, HttpResponse as Response } from "../http-exchange.js";

export const REQUEST_ID_HEADER = "x-request-id";

// A caller's id is kept when it is a plain token of sane length; anything else is replaced.
const ACCEPTED_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

// Probes and scrapes every few seconds would bury the lines that matter.
const QUIET_PATHS = /^\/(health|metrics)(\/|$|\?)/;

/**
 * Express middleware giving every request an id (the caller's X-Request-Id when it sent a
 * usable one, else a new UUID), echoed in the response's X-Request-Id and carried by every
 * log line written while handling it; the caller's W3C traceparent continued even when no
 * spans are exported (with telemetry on, the HTTP instrumentation has done so already); and
 * one access line per request when it finishes:
 * writes and refusals at info (5xx at error), reads at debug.
 */
export function requestLoggingMiddleware(logger: ReturnType<typeof createLogger>) {
  return (request: Request, response: Response, next: () => void): void => {
    const offered = request.headers[REQUEST_ID_HEADER];
    const requestId = typeof offered === "string" && ACCEPTED_REQUEST_ID.test(offered) ? offered : randomUUID();
    response.setHeader(REQUEST_ID_HEADER, requestId);
    const started = process.hrtime.bigint();
    const traceparent = request.headers.traceparent;
    const tracestate = request.headers.tracestate;
    const continued =
      !trace.getActiveSpan() && typeof traceparent === "string"
        ? contextOf(typeof tracestate === "string" ? { traceparent, tracestate } : { traceparent })
        : context.active();
    context.with(continued, () =>
      runWithRequestId(requestId, () => {
        response.once("finish", () => {
          if (QUIET_PATHS.test(request.url)) return;
          const route = (request.route as { path?: unknown } | undefined)?.path;
          const status = response.statusCode;
          const line = {
            request_id: requestId,
            method: request.method,
            route: typeof route === "string" ? `${request.baseUrl}${route}` : "unmatched",
            path: request.originalUrl.split("?")[0],
            status,
            duration_ms: Number(process.hrtime.bigint() - started) / 1e6,
          };
          if (status >= 500) logger.error(line, "request failed");
          else if (status >= 400) logger.info(line, "request refused");
          else if (request.method !== "GET" && request.method !== "HEAD") logger.info(line, "request handled");
          else logger.debug(line, "request handled");
        });
        next();
      }),
    );
  };
}
