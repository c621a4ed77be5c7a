import type { HttpRequest as Request, HttpResponse as Response } from "../http-exchange.js";
import { Histogram, register } from "prom-client";

export const HTTP_DURATION_METRIC = "http_server_request_duration_seconds";

// One histogram per process on prom-client's default registry, however many apps start.
function durationHistogram(): Histogram<"method" | "route" | "status_code"> {
  return (
    (register.getSingleMetric(HTTP_DURATION_METRIC) as Histogram<"method" | "route" | "status_code"> | undefined) ??
    new Histogram({
      name: HTTP_DURATION_METRIC,
      help: "Duration of HTTP requests in seconds, by method, route template and status code.",
      labelNames: ["method", "route", "status_code"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    })
  );
}

/**
 * Express middleware timing every request. The route label is the matched route
 * template (`/facilities/:id`), or "unmatched", so label values stay bounded.
 */
export function httpMetricsMiddleware() {
  const histogram = durationHistogram();
  return (request: Request, response: Response, next: () => void): void => {
    const stop = histogram.startTimer();
    response.once("finish", () => {
      const route = (request.route as { path?: unknown } | undefined)?.path;
      stop({
        method: request.method,
        route: typeof route === "string" ? `${request.baseUrl}${route}` : "unmatched",
        status_code: String(response.statusCode),
      });
    });
    next();
  };
}
