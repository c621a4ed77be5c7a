import { ApiRequestError } from "./api-request-error.js";

export interface RequestOptions {
  body?: unknown;
  query?: Record<string, string | number | undefined>;
  /** Replaces the client's API key for this request; null sends none. */
  apiKey?: string | null;
  /** Read the answer as text (CSV exports) instead of JSON. */
  text?: boolean;
}

export interface TransportOptions {
  baseUrl: string;
  apiKey?: string;
  /** Sent as W3C `traceparent`, so everything the request causes joins the caller's trace. */
  traceparent?: () => string | undefined;
  timeoutMs?: number;
}

/** One service's HTTP API: JSON in and out, errors as ApiRequestError with the service's code. */
export class HttpTransport {
  constructor(private readonly options: TransportOptions) {}

  get baseUrl(): string {
    return this.options.baseUrl;
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const url = new URL(
      path.replace(/^\//, ""),
      this.options.baseUrl.endsWith("/") ? this.options.baseUrl : `${this.options.baseUrl}/`,
    );
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const headers: Record<string, string> = { accept: options.text ? "text/csv" : "application/json" };
    const apiKey = options.apiKey === undefined ? this.options.apiKey : options.apiKey;
    if (apiKey) headers.authorization = `Bearer ${apiKey}`;
    const traceparent = this.options.traceparent?.();
    if (traceparent) headers.traceparent = traceparent;
    if (options.body !== undefined) headers["content-type"] = "application/json";
    const described = `${method} ${url.pathname}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 180_000),
      });
    } catch (error) {
      const cause = error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : error;
      throw new ApiRequestError(
        0,
        "SERVICE_UNREACHABLE",
        `${url.origin} did not answer (${String(cause)}); is the service running?`,
        null,
        described,
      );
    }
    const raw = await response.text();
    if (!response.ok) {
      let body: { code?: unknown; message?: unknown; details?: unknown } = {};
      try {
        body = JSON.parse(raw) as typeof body;
      } catch {
        body = { message: raw };
      }
      throw new ApiRequestError(
        response.status,
        typeof body.code === "string" ? body.code : `HTTP_${response.status}`,
        typeof body.message === "string" ? body.message : response.statusText,
        body.details ?? null,
        described,
      );
    }
    if (options.text) return raw as T;
    return (raw === "" ? undefined : JSON.parse(raw)) as T;
  }
}
