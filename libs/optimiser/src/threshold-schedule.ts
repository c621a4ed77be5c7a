import { assetLimits, dailyDischargeWindows } from "./asset-limits.js";
import type { BatteryAsset, PowerSchedule, StepMinutes } from "./problem.js";

export interface ThresholdOptions {
  stepMinutes: StepMinutes;
  /** Charge at full power while the price is below this (micro-STX per kWh). */
  lowPrice: number;
  /** Discharge at full power while the price is above this. */
  highPrice: number;
}

/**
 * The rule the flow service used before the optimiser, applied to prices: the baseline that
 * optimised schedules are compared with. It stays within power and state-of-charge limits, keeps
 * committed reserves deliverable (tops up when self-discharge would cut into them) and honours
 * the cycles-per-day cap; it sells no reserve offers and ignores end targets.
 */
export function thresholdSchedule(
  asset: BatteryAsset,
  prices: readonly number[],
  options: ThresholdOptions,
): PowerSchedule {
  const limits = assetLimits(asset, options.stepMinutes);
  const hours = limits.stepHours;
  const windows = dailyDischargeWindows(asset, prices.length, options.stepMinutes);
  const chargeKw: number[] = [];
  const dischargeKw: number[] = [];
  let level = asset.initialKwh;
  let dischargedTodayKwh = 0;
  prices.forEach((price, step) => {
    const window = windows.find((day) => step >= day.firstStep && step < day.endStep);
    if (window?.firstStep === step) dischargedTodayKwh = 0;
    const retained = level * limits.retentionPerStep;
    let charge = 0;
    let discharge = 0;
    if (price < options.lowPrice || retained < limits.lowestKwh) {
      const wantedKwh = price < options.lowPrice ? limits.highestKwh - retained : limits.lowestKwh - retained;
      charge = clamp(wantedKwh / (asset.chargeEfficiency * hours), 0, limits.chargeHeadroomKw);
    } else if (price > options.highPrice) {
      const allowedKwh = Math.min(
        retained - limits.lowestKwh,
        window ? window.maxDischargedKwh - dischargedTodayKwh : Infinity,
      );
      discharge = clamp((allowedKwh * asset.dischargeEfficiency) / hours, 0, limits.dischargeHeadroomKw);
    }
    dischargedTodayKwh += (discharge * hours) / asset.dischargeEfficiency;
    level = retained + asset.chargeEfficiency * charge * hours - (discharge * hours) / asset.dischargeEfficiency;
    chargeKw.push(charge);
    dischargeKw.push(discharge);
  });
  return { stepMinutes: options.stepMinutes, chargeKw, dischargeKw, offeredKw: limits.offers.map(() => 0) };
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}
