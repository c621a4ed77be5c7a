// Fault modes a test can switch on to see how a client copes with what a real
// deployment does to it: the hosted API's rate limit, deprecated routes turned
// off (410 Gone), and an API index that lags the node. They are set with
// startDevnet({faults}) or at run time through POST /devnet/faults; /devnet/*
// paths exist only on the devnet, never on a real node or API.

export interface RateLimitFault {
  /** Requests allowed per window and client; the hosted API allows 50 a minute without a key. */
  limit: number;
  /** Window length; default 60 000 ms (the hosted API counts per minute). */
  windowMs?: number;
  /**
   * Requests allowed per window to a client sending an `x-api-key` header (each key
   * counted on its own); default: the same as `limit`.
   */
  limitWithApiKey?: number;
  /** Which paths count: every node and API path (as on api.hiro.so, the default) or only /extended. */
  scope?: "all" | "extended";
}

export interface DevnetFaults {
  /** Answer excess requests with 429 and a retry-after header. null switches it off. */
  rateLimit?: RateLimitFault | null;
  /** Deprecated routes answer 410 Gone, as with the API's ENABLE_DEPRECATED_ENDPOINTS=false. */
  deprecatedGone?: boolean;
  /** The /extended routes see the chain as it was this many blocks ago; /v2 routes see the tip. */
  indexLagBlocks?: number;
}

export interface FaultSnapshot {
  rateLimit: Required<RateLimitFault> | null;
  deprecatedGone: boolean;
  indexLagBlocks: number;
}

export class FaultConfigError extends Error {}

const DEFAULT_WINDOW_MS = 60_000;

function nonNegativeInteger(value: unknown, name: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0)
    throw new FaultConfigError(`${name} must be a non-negative integer`);
  return value;
}

function parseRateLimit(value: unknown): Required<RateLimitFault> | null {
  if (value === null) return null;
  if (typeof value !== "object") throw new FaultConfigError("rateLimit must be an object or null");
  const input = value as Record<string, unknown>;
  const limit = nonNegativeInteger(input.limit, "rateLimit.limit");
  const windowMs = input.windowMs === undefined ? DEFAULT_WINDOW_MS : nonNegativeInteger(input.windowMs, "windowMs");
  if (windowMs === 0) throw new FaultConfigError("rateLimit.windowMs must be positive");
  const scope = input.scope ?? "all";
  if (scope !== "all" && scope !== "extended")
    throw new FaultConfigError('rateLimit.scope must be "all" or "extended"');
  return {
    limit,
    windowMs,
    limitWithApiKey:
      input.limitWithApiKey === undefined ? limit : nonNegativeInteger(input.limitWithApiKey, "limitWithApiKey"),
    scope,
  };
}

export interface RateDecision {
  allowed: boolean;
  headers: Record<string, string>;
}

/** Holds the fault switches and the rate limiter's per-client windows. */
export class FaultState {
  private current: FaultSnapshot = { rateLimit: null, deprecatedGone: false, indexLagBlocks: 0 };
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    initial: DevnetFaults = {},
    private readonly now: () => number = Date.now,
  ) {
    this.update(initial);
  }

  get snapshot(): FaultSnapshot {
    return structuredClone(this.current);
  }

  get indexLagBlocks(): number {
    return this.current.indexLagBlocks;
  }

  get deprecatedGone(): boolean {
    return this.current.deprecatedGone;
  }

  /** Applies the fields present in `patch` (validated as a whole first); a new rate limit starts fresh windows. */
  update(patch: unknown): FaultSnapshot {
    if (typeof patch !== "object" || patch === null || Array.isArray(patch))
      throw new FaultConfigError("faults must be a JSON object");
    const input = patch as Record<string, unknown>;
    const known = new Set(["rateLimit", "deprecatedGone", "indexLagBlocks"]);
    const unknown = Object.keys(input).filter((key) => !known.has(key));
    if (unknown.length > 0) throw new FaultConfigError(`unknown fault ${unknown.join(", ")}`);
    const next = { ...this.current };
    if ("rateLimit" in input) next.rateLimit = parseRateLimit(input.rateLimit);
    if ("deprecatedGone" in input) {
      if (typeof input.deprecatedGone !== "boolean") throw new FaultConfigError("deprecatedGone must be a boolean");
      next.deprecatedGone = input.deprecatedGone;
    }
    if ("indexLagBlocks" in input) next.indexLagBlocks = nonNegativeInteger(input.indexLagBlocks, "indexLagBlocks");
    if ("rateLimit" in input) this.windows.clear();
    this.current = next;
    return this.snapshot;
  }

  /** Switches every fault off. */
  reset(): FaultSnapshot {
    this.windows.clear();
    this.current = { rateLimit: null, deprecatedGone: false, indexLagBlocks: 0 };
    return this.snapshot;
  }

  /**
   * Counts one request in its client's fixed window. Clients are told apart as
   * the hosted API does: by API key when one is sent, else by remote address.
   * The headers are those api.hiro.so documents (ratelimit-*, x-ratelimit-*-stacks-minute,
   * and retry-after on a 429).
   */
  rateLimit(path: string, remoteAddress: string, apiKey: string | undefined): RateDecision | undefined {
    const config = this.current.rateLimit;
    if (!config) return undefined;
    if (config.scope === "extended" && !path.startsWith("/extended")) return undefined;
    const limit = apiKey ? config.limitWithApiKey : config.limit;
    const client = apiKey ? `key:${apiKey}` : `ip:${remoteAddress}`;
    const now = this.now();
    let window = this.windows.get(client);
    if (!window || now - window.start >= config.windowMs) {
      window = { start: now, count: 0 };
      this.windows.set(client, window);
    }
    window.count += 1;
    const resetAt = window.start + config.windowMs;
    const remaining = Math.max(0, limit - window.count);
    const headers: Record<string, string> = {
      "ratelimit-limit": String(limit),
      "ratelimit-remaining": String(remaining),
      "ratelimit-reset": String(Math.ceil(resetAt / 1000)),
      "x-ratelimit-cost-stacks": "1",
      "x-ratelimit-limit-stacks-minute": String(limit),
      "x-ratelimit-remaining-stacks-minute": String(remaining),
    };
    if (window.count <= limit) return { allowed: true, headers };
    headers["retry-after"] = String(Math.max(1, Math.ceil((resetAt - now) / 1000)));
    return { allowed: false, headers };
  }
}

/**
 * The 429 body. Hiro does not document the body its gateway sends (only the
 * status and headers), so a client must rely on the status and retry-after,
 * never on this text.
 */
export const RATE_LIMITED_BODY = {
  error: "Too Many Requests",
  message: "API rate limit exceeded",
  statusCode: 429,
};
