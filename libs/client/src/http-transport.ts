import { randomUUID } from "node:crypto";
import { ApiRequestError } from "./api-request-error.js";

const MUTATING = new Set(["POST", "PUT", "PATCH", "DELETE"]);
// Answers after which the same write is sent again with the same Idempotency-Key: the service
// was not reached, failed, or still executes the first attempt. The key makes this safe.
const RETRIED_STATUSES = new Set([0, 500, 502, 503, 504]);
const DEFAULT_RETRY_DELAYS_MS = [250, 1_000];

/**
 * A write the service accepted whose transaction is not final yet (HTTP 202): follow it at
 * `poll`, or send the same call again with `idempotencyKey` for its outcome once known.
 */
export class WritePendingAnswer extends Error {
  override readonly name = "WritePendingAnswer";

  constructor(
    readonly txid: string,
    /** The service's URL of the transaction's journal entry. */
    readonly poll: string,
    readonly idempotencyKey: string,
    readonly request: string,
  ) {
    super(`${request}: transaction ${txid} is pending; poll ${poll}`);
  }
}

export interface RequestOptions {
  body?: unknown;
  query?: Record<string, string | number | undefined>;
  /** Replaces the client's API key for this request; null sends none. */
  apiKey?: string | null;
  /** Read the answer as text (CSV exports) instead of JSON. */
  text?: boolean;
  /** The Idempotency-Key of a mutating request; default: the transport's, else a new UUID. */
  idempotencyKey?: string;
}

export interface TransportOptions {
  baseUrl: string;
  apiKey?: string;
  /** Sent as W3C `traceparent`, so everything the request causes joins the caller's trace. */
  traceparent?: () => string | undefined;
  timeoutMs?: number;
  /** The Idempotency-Key of each mutating request it sends, when the caller chooses them. */
  idempotencyKey?: () => string;
  /** Waits before each retry of a mutating request; default 250 ms then 1 s. [] never retries. */
  retryDelaysMs?: readonly number[];
}

/**
 * One service's HTTP API: JSON in and out, errors as ApiRequestError with the service's code.
 * Every mutating request carries an Idempotency-Key and is retried with it when the service
 * could not answer; a 202 (a write still confirming) is a WritePendingAnswer.
 */
export class HttpTransport {
  constructor(private readonly options: TransportOptions) {}

  get baseUrl(): string {
    return this.options.baseUrl;
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    if (!MUTATING.has(method.toUpperCase())) return this.#send<T>(method, path, options, undefined);
    const key = options.idempotencyKey ?? this.options.idempotencyKey?.() ?? randomUUID();
    const delays = this.options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await this.#send<T>(method, path, options, key);
      } catch (error) {
        const delay = delays[attempt];
        if (delay === undefined || !(error instanceof ApiRequestError) || !retried(error)) throw error;
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  async #send<T>(
    method: string,
    path: string,
    options: RequestOptions,
    idempotencyKey: string | undefined,
  ): Promise<T> {
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
    if (idempotencyKey !== undefined) headers["idempotency-key"] = idempotencyKey;
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
    if (response.status === 202 && idempotencyKey !== undefined) {
      const pending = JSON.parse(raw) as { txid: string; poll: string };
      throw new WritePendingAnswer(
        pending.txid,
        new URL(pending.poll.replace(/^\//, ""), url.origin + "/").href,
        idempotencyKey,
        described,
      );
    }
    if (options.text) return raw as T;
    return (raw === "" ? undefined : JSON.parse(raw)) as T;
  }
}

function retried(error: ApiRequestError): boolean {
  return RETRIED_STATUSES.has(error.status) || error.code === "IDEMPOTENCY_KEY_IN_USE";
}
