import { FULL_SHARE_BPS } from "@voltstack/events";
import { z } from "zod";

/** Clarity's uint: amounts and counters never exceed 2^128 - 1. */
export const UINT128_MAX = 2n ** 128n - 1n;

/** PostgreSQL INTEGER: the read models keep ids, block heights, percentages and basis points in 32 bits. */
export const PG_INTEGER_MAX = 2_147_483_647;

/** PostgreSQL BIGINT: the read models keep kWh, kW and micro-STX in 64 bits. */
export const PG_BIGINT_MAX = 2n ** 63n - 1n;

/**
 * Every micro-STX there will ever be (1,818,000,000 STX, the supply reached in 2050): no
 * payment, deposit or payout can be larger, and it fits both a BIGINT and a JSON number.
 */
export const USTX_SUPPLY_MAX = 1_818_000_000_000_000n;

/**
 * A non-negative whole amount in its smallest unit (micro-STX, kWh, basis points),
 * as a bigint. Clients send a decimal string, or a JSON number when it is a safe
 * integer: larger JSON numbers have already lost precision and are refused.
 */
export function uintAmount(options: { max?: bigint; min?: bigint } = {}) {
  const max = options.max ?? UINT128_MAX;
  const min = options.min ?? 0n;
  return z
    .union([z.number(), z.string()], { error: "must be a whole number or a decimal string" })
    .transform((value, ctx) => {
      const problem = amountProblem(value);
      if (problem) {
        ctx.addIssue({ code: "custom", message: problem });
        return z.NEVER;
      }
      return BigInt(value);
    })
    .pipe(bigintWithin(min, max))
    .meta({ description: `Whole number from ${min} to ${max}; send values above 2^53 - 1 as a decimal string.` });
}

function amountProblem(value: number | string): string | undefined {
  if (typeof value === "number") {
    if (!Number.isFinite(value) || !Number.isInteger(value)) return "must be a whole number";
    if (value < 0) return "must not be negative";
    if (value > Number.MAX_SAFE_INTEGER) return "is too large for a JSON number; send it as a decimal string";
    return undefined;
  }
  if (value.startsWith("-")) return "must not be negative";
  // 39 digits hold every uint128; longer strings are refused before BigInt parses them.
  if (!/^(0|[1-9]\d{0,38})$/.test(value)) return "must be a whole number written in decimal digits";
  return undefined;
}

// Zod's own too_small / too_big issues carry the bound, which the 400's details report.
function bigintWithin(min: bigint, max: bigint) {
  return z
    .bigint()
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` });
}

/** A non-negative safe integer (counts, kWh, block heights that fit a JSON number). */
export function safeUint(options: { min?: number; max?: number } = {}) {
  const min = options.min ?? 0;
  const max = options.max ?? Number.MAX_SAFE_INTEGER;
  return z
    .number({ error: "must be a number" })
    .int({ error: "must be a whole number" })
    .min(min, { error: min === 0 ? "must not be negative" : `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` });
}

/** A number the read model keeps in an INTEGER column (a frequency in millihertz, a counter). */
export function pgInteger(options: { min?: number } = {}) {
  return safeUint({ ...options, max: PG_INTEGER_MAX });
}

/** A block height: the read models keep heights in INTEGER columns. */
export function blockHeight(options: { min?: number } = {}) {
  return pgInteger(options);
}

/** The id of a record (facility, request) sent in a JSON body: 1 up to the INTEGER column's bound. */
export function recordId(what: string) {
  return z
    .number({ error: `must be a ${what} id (a positive whole number)` })
    .int({ error: `must be a ${what} id (a positive whole number)` })
    .min(1, { error: `must be a ${what} id (a positive whole number)` })
    .max(PG_INTEGER_MAX, { error: `is not a ${what} id (ids stop at ${PG_INTEGER_MAX})` });
}

/**
 * Energy in kWh. The read models keep it in BIGINT columns, but events carry it as a
 * JSON number, so it stays a safe integer.
 */
export function energyKwh(options: { min?: number } = {}) {
  return safeUint(options);
}

/** Power in kW: BIGINT columns, JSON numbers in events, so a safe integer. */
export function powerKw(options: { min?: number } = {}) {
  return safeUint(options);
}

/** Basis points: 0 to 10,000 (a whole share). */
export function basisPoints(options: { min?: number } = {}) {
  return safeUint({ ...options, max: FULL_SHARE_BPS });
}

/** Basis points: 0 to 10,000. */
export const shareBps = basisPoints();

/** A percentage: 0 to 100. */
export function percent() {
  return safeUint({ max: 100 });
}

/**
 * An amount of micro-STX as a decimal string (a JSON number cannot hold every amount
 * exactly), at most the STX supply; parsed to a bigint.
 */
export function ustxAmount(options: { min?: bigint } = {}) {
  const min = options.min ?? 0n;
  return z
    .string({ error: "must be a decimal string of micro-STX" })
    .regex(/^(0|[1-9]\d{0,18})$/, { error: "must be a whole number of micro-STX in decimal digits" })
    .transform(BigInt)
    .pipe(bigintWithin(min, USTX_SUPPLY_MAX))
    .meta({ description: `Micro-STX as a decimal string, from ${min} to ${USTX_SUPPLY_MAX} (the STX supply).` });
}

// Path and query parameters arrive as text; the digits are capped before Number reads them.

/** A record id in a path or query: 1 up to the INTEGER column's bound. */
export function idParam(what: string) {
  return z
    .string()
    .regex(/^[1-9]\d{0,9}$/, { error: `must be a ${what} id (a positive whole number)` })
    .transform(Number)
    .pipe(z.number().max(PG_INTEGER_MAX, { error: `is not a ${what} id (ids stop at ${PG_INTEGER_MAX})` }));
}

/**
 * A page cursor (`after`): the id the previous page ended with, 0 up to the bound of the
 * id's column (INTEGER unless `max` says otherwise).
 */
export function cursorParam(what: string, options: { max?: number } = {}) {
  const max = options.max ?? PG_INTEGER_MAX;
  return z
    .string()
    .regex(new RegExp(`^\\d{1,${String(max).length}}$`), { error: `must be a ${what} id` })
    .transform(Number)
    .pipe(z.number().max(max, { error: `must be at most ${max}` }));
}

/** How many items a page holds: 1 up to `max` (100 unless given), `fallback` when absent. */
export function pageLimit(fallback: number, options: { max?: number } = {}) {
  const max = options.max ?? 100;
  return z
    .string()
    .regex(/^\d{1,3}$/, { error: `must be a whole number from 1 to ${max}` })
    .transform(Number)
    .pipe(
      z
        .number()
        .min(1, { error: `must be a whole number from 1 to ${max}` })
        .max(max, { error: `must be a whole number from 1 to ${max}` }),
    )
    .default(fallback);
}

/** A facility id in a path or query, as every service names facilities. */
export const facilityIdParam = idParam("facility");
