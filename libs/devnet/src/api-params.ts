// Request validation as the Stacks Blockchain API's Fastify routes do it: AJV
// with type coercion ("20" becomes 20), schema defaults, and the first failing
// property (in schema order) reported as "querystring/<name> <message>". Page
// limits are refused with 400, never clamped, so a client that asks for more
// than a route allows finds out here rather than against the hosted API.
import { ApiError, validationError } from "./api-errors.js";

/**
 * Page limits of src/api/pagination.ts (pagingQueryLimits): the default and the
 * maximum each route's LimitParam or ResourceLimitQuerystringParam declares.
 */
export const PAGE_LIMITS = {
  block: { defaultLimit: 20, maxLimit: 30 },
  tx: { defaultLimit: 20, maxLimit: 50 },
  event: { defaultLimit: 20, maxLimit: 100 },
  contract: { defaultLimit: 20, maxLimit: 50 },
} as const;

type Part = "querystring" | "params";

export interface IntegerSchema {
  minimum?: number;
  maximum?: number;
  default?: number;
}

/** AJV's string-to-integer coercion: a non-empty numeric string with no fraction. */
function coerceInteger(raw: string): number | undefined {
  if (raw === "") return undefined;
  const value = Number(raw);
  return Number.isInteger(value) ? value : undefined;
}

export function integer(part: Part, name: string, raw: string | undefined, schema: IntegerSchema): number | undefined {
  if (raw === undefined) return schema.default;
  const value = coerceInteger(raw);
  if (value === undefined) throw validationError(part, name, "must be integer");
  if (schema.minimum !== undefined && value < schema.minimum)
    throw validationError(part, name, `must be >= ${schema.minimum}`);
  if (schema.maximum !== undefined && value > schema.maximum)
    throw validationError(part, name, `must be <= ${schema.maximum}`);
  return value;
}

/** One querystring value; a repeated parameter is an array, which an integer or string schema refuses. */
function single(query: URLSearchParams, name: string, type: "integer" | "string"): string | undefined {
  const values = query.getAll(name);
  if (values.length > 1) throw validationError("querystring", name, `must be ${type}`);
  return values[0];
}

export function queryInteger(query: URLSearchParams, name: string, schema: IntegerSchema): number | undefined {
  return integer("querystring", name, single(query, name, "integer"), schema);
}

export function matchPattern(part: Part, name: string, value: string | undefined, pattern: string): string | undefined {
  if (value !== undefined && !new RegExp(pattern).test(value))
    throw validationError(part, name, `must match pattern "${pattern}"`);
  return value;
}

export function queryPattern(query: URLSearchParams, name: string, pattern: string): string | undefined {
  return matchPattern("querystring", name, single(query, name, "string"), pattern);
}

/** v1 routes' LimitParam: 0 <= limit <= max; the handler's getPagingQueryLimit turns 0 into the default. */
export function v1Limit(
  query: URLSearchParams,
  name: string,
  limits: { defaultLimit: number; maxLimit: number },
): number {
  const limit = queryInteger(query, name, { minimum: 0, maximum: limits.maxLimit, default: limits.defaultLimit })!;
  return limit === 0 ? limits.defaultLimit : limit;
}

/** v1 routes' OffsetParam: offset >= 0, default 0. */
export function v1Offset(query: URLSearchParams, name = "offset"): number {
  return queryInteger(query, name, { minimum: 0, default: 0 })!;
}

/** v3 routes' ResourceLimitQuerystringParam: 1 <= limit <= max. */
export function v3Limit(query: URLSearchParams, limits: { defaultLimit: number; maxLimit: number }): number {
  return queryInteger(query, "limit", { minimum: 1, maximum: limits.maxLimit, default: limits.defaultLimit })!;
}

export const TX_ID_PATTERN = "^(0x)?[a-fA-F0-9]{64}$";
export const ADDRESS_PATTERN = "^[0123456789ABCDEFGHJKMNPQRSTVWXYZ]{28,41}$";
export const HASH_PATTERN = "^(0x)?[a-fA-F0-9]{64}$";

/**
 * A height_or_hash path parameter: the union 'latest' | block hash | integer.
 * AJV reports every branch of a failed anyOf, and Fastify joins them with ", ".
 */
export function heightOrHash(raw: string): { latest: true } | { hash: string } | { height: number } {
  if (raw === "latest") return { latest: true };
  if (new RegExp(HASH_PATTERN).test(raw)) return { hash: raw.startsWith("0x") ? raw : `0x${raw}` };
  const height = coerceInteger(raw);
  if (height !== undefined) return { height };
  const branch = (message: string) => `params/height_or_hash ${message}`;
  throw new ApiError(
    400,
    [
      branch("must be equal to constant"),
      branch(`must match pattern "${HASH_PATTERN}"`),
      branch("must be integer"),
      branch("must match a schema in anyOf"),
    ].join(", "),
    "FST_ERR_VALIDATION",
  );
}
