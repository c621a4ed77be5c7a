import type { ClarityValue } from "@stacks/transactions";
import { camelCase, type PlainValue, toPlain } from "./clarity-decoding.js";

// Tuple fields of our contracts that hold micro-STX get the unit in their TypeScript name.
const USTX_FIELDS: Record<string, string> = {
  amount: "amountUstx",
  payment: "paymentUstx",
  payout: "payoutUstx",
  refund: "refundUstx",
  "pool-balance": "poolBalanceUstx",
};

/** Like `toPlain`, with tuple keys in camelCase and micro-STX fields suffixed `Ustx`. */
export function toDomain(cv: ClarityValue): PlainValue {
  if (cv.type === "tuple") {
    return Object.fromEntries(Object.entries(cv.value).map(([k, v]) => [USTX_FIELDS[k] ?? camelCase(k), toDomain(v)]));
  }
  if (cv.type === "list") return cv.value.map(toDomain);
  if (cv.type === "some") return toDomain(cv.value);
  if (cv.type === "ok") return { ok: toDomain(cv.value) };
  if (cv.type === "err") return { err: toDomain(cv.value) };
  return toPlain(cv);
}
