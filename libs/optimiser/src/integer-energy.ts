import type { BatteryAsset, StepMinutes } from "./problem.js";

/**
 * Turns a continuous schedule into the whole kWh recorded on chain: per step, the signed change
 * of stored energy (+ charged, - discharged), each step's change rounded towards the schedule's
 * running total so rounding never accumulates, and clamped so that
 *  - the running total (initialKwh + changes so far) stays within [minKwh, maxKwh], and
 *  - a step moves at most floor(maxChargeKw x step hours) up or floor(maxDischargeKw x step hours) down.
 * Where a clamp bites, the record lags the schedule and catches up on the following steps.
 */
export function integerEnergySteps(
  asset: BatteryAsset,
  schedule: { stepMinutes: StepMinutes; storedKwh: readonly number[] },
): number[] {
  const stepHours = schedule.stepMinutes / 60;
  const maxUpKwh = Math.floor(asset.maxChargeKw * stepHours);
  const maxDownKwh = Math.floor(asset.maxDischargeKw * stepHours);
  let recordedKwh = asset.initialKwh;
  return schedule.storedKwh.map((targetKwh) => {
    const highest = Math.min(maxUpKwh, Math.floor(asset.maxKwh - recordedKwh));
    const lowest = Math.max(-maxDownKwh, Math.ceil(asset.minKwh - recordedKwh));
    const change = Math.min(highest, Math.max(lowest, Math.round(targetKwh - recordedKwh)));
    recordedKwh += change;
    return change;
  });
}
