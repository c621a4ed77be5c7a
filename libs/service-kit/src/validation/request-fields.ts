import { z } from "zod";

/** Clarity's uint: amounts and counters never exceed 2^128 - 1. */
export const UINT128_MAX = 2n ** 128n - 1n;

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
      const amount = BigInt(value);
      if (amount < min || amount > max) {
        ctx.addIssue({ code: "custom", message: amount < min ? `must be at least ${min}` : `must be at most ${max}` });
        return z.NEVER;
      }
      return amount;
    })
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

/** A non-negative safe integer (counts, kWh, block heights that fit a JSON number). */
export function safeUint(options: { max?: number } = {}) {
  return z
    .number({ error: "must be a number" })
    .int({ error: "must be a whole number" })
    .min(0, { error: "must not be negative" })
    .max(options.max ?? Number.MAX_SAFE_INTEGER, {
      error: `must be at most ${options.max ?? Number.MAX_SAFE_INTEGER}`,
    });
}

/** Basis points: 0 to 10,000. */
export const shareBps = safeUint({ max: 10_000 });
