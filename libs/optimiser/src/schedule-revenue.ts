import { assetLimits } from "./asset-limits.js";
import { InvalidScheduleInputError } from "./errors.js";
import type { BatteryAsset, PowerSchedule } from "./problem.js";

export interface ScheduleRevenue {
  /** Energy + reserve - degradation, floored to whole micro-STX. */
  revenueMicroStx: number;
  energyMicroStx: number;
  reserveMicroStx: number;
  degradationMicroStx: number;
  /** Stored energy at the end of each step, by the optimiser's own energy balance. */
  storedKwh: number[];
}

/**
 * Absorbs float noise before flooring (a solver's 99.9999999 kWh is 100 kWh): far below one
 * micro-STX, so a revenue is never rounded up by more than this.
 */
const FLOOR_TOLERANCE_MICRO_STX = 1e-6;

/**
 * Evaluates any schedule (optimised, threshold rule, executed forecast) under the optimiser's
 * model: energy bought and sold at each step's price, reserve offers paid per kW per hour held,
 * wear per kWh through the terminals. It does not check limits; it only prices and simulates.
 */
export function scheduleRevenue(
  asset: BatteryAsset,
  prices: readonly number[],
  schedule: PowerSchedule,
): ScheduleRevenue {
  for (const field of ["chargeKw", "dischargeKw"] as const) {
    if (schedule[field].length !== prices.length) {
      throw new InvalidScheduleInputError(
        `schedule.${field}`,
        `has ${schedule[field].length} steps for ${prices.length} prices`,
      );
    }
  }
  const limits = assetLimits(asset, schedule.stepMinutes);
  const hours = limits.stepHours;
  let energyMicroStx = 0;
  let throughputKwh = 0;
  let level = asset.initialKwh;
  const storedKwh = prices.map((price, step) => {
    const chargeKw = schedule.chargeKw[step]!;
    const dischargeKw = schedule.dischargeKw[step]!;
    energyMicroStx += price * (dischargeKw - chargeKw) * hours;
    throughputKwh += (chargeKw + dischargeKw) * hours;
    level =
      level * limits.retentionPerStep +
      asset.chargeEfficiency * chargeKw * hours -
      (dischargeKw * hours) / asset.dischargeEfficiency;
    return level;
  });
  const horizonHours = prices.length * hours;
  const reserveMicroStx = limits.offers.reduce(
    (total, offer, index) => total + offer.pricePerKwHour * (schedule.offeredKw?.[index] ?? 0) * horizonHours,
    0,
  );
  const degradationMicroStx = asset.degradationCostPerKwh * throughputKwh;
  return {
    revenueMicroStx: Math.floor(energyMicroStx + reserveMicroStx - degradationMicroStx + FLOOR_TOLERANCE_MICRO_STX),
    energyMicroStx,
    reserveMicroStx,
    degradationMicroStx,
    storedKwh,
  };
}
