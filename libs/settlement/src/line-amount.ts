import { FULL_PERFORMANCE_BPS, MAX_UINT128, type SettlementReport } from "./settlement-report.js";
import { SettlementReportError } from "./settlement-report-error.js";

export interface LineInputs {
  committedKw: bigint;
  performanceBps: bigint;
  deliveredKwh: bigint;
}

export interface Prices {
  capacityPriceUstx: bigint;
  energyPriceUstx: bigint;
}

/**
 * settle-period's amount rule, step by step as Clarity evaluates it:
 * committed-kw * capacity-price * performance-bps / 10000 (floor) + delivered-kwh * energy-price.
 * Clarity aborts when any step leaves uint; so does this (AMOUNT_OVERFLOW, with the step).
 */
export function computeLineAmount(line: LineInputs, prices: Prices): bigint {
  const steps: [string, bigint][] = [];
  const checked = (step: string, value: bigint): bigint => {
    steps.push([step, value]);
    if (value > MAX_UINT128) {
      throw new SettlementReportError("AMOUNT_OVERFLOW", `${step} exceeds Clarity's uint (2^128 - 1)`, {
        step,
        value: value.toString(),
        committedKw: line.committedKw.toString(),
        performanceBps: line.performanceBps.toString(),
        deliveredKwh: line.deliveredKwh.toString(),
        capacityPriceUstx: prices.capacityPriceUstx.toString(),
        energyPriceUstx: prices.energyPriceUstx.toString(),
      });
    }
    return value;
  };
  const capacityProduct = checked(
    "committed-kw * capacity-price * performance-bps",
    checked("committed-kw * capacity-price", line.committedKw * prices.capacityPriceUstx) * line.performanceBps,
  );
  const energyUstx = checked("delivered-kwh * energy-price", line.deliveredKwh * prices.energyPriceUstx);
  return checked("amount", capacityProduct / FULL_PERFORMANCE_BPS + energyUstx);
}

/** The sum settle-period returns and checks against the program's remaining budget. */
export function reportTotalUstx(report: SettlementReport): bigint {
  let total = 0n;
  for (const line of report.lines) {
    total += line.amountUstx;
    if (total > MAX_UINT128) {
      throw new SettlementReportError("AMOUNT_OVERFLOW", "the report's total exceeds Clarity's uint (2^128 - 1)", {
        step: "total",
        value: total.toString(),
      });
    }
  }
  return total;
}
