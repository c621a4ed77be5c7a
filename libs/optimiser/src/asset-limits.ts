import type { BatteryAsset, ReserveOffer } from "./problem.js";

/**
 * The limits of one asset at one step length, derived once and shared by the model, the
 * threshold rule, the revenue evaluation and the feasibility checks, so all four agree.
 */
export interface AssetLimits {
  stepHours: number;
  /** Fraction of stored energy left after one idle step (self-discharge). */
  retentionPerStep: number;
  upCommittedKw: number;
  downCommittedKw: number;
  /** Power left for trading once committed reserves are held. */
  chargeHeadroomKw: number;
  dischargeHeadroomKw: number;
  /** Stored energy may not go below this: minKwh plus the energy committed up-reserve needs. */
  lowestKwh: number;
  /** Stored energy may not go above this: maxKwh minus the room committed down-reserve needs. */
  highestKwh: number;
  offers: ReserveOffer[];
  /** Stored kWh one offered kW draws (up) or fills (down) over its duration. */
  offerUpKwhPerKw: number[];
  offerDownKwhPerKw: number[];
}

export function assetLimits(asset: BatteryAsset, stepMinutes: number): AssetLimits {
  const stepHours = stepMinutes / 60;
  const commitments = asset.reserveCommitments ?? [];
  const offers = asset.reserveOffers ?? [];
  const upCommittedKw = sum(commitments.map((reserve) => reserve.upKw));
  const downCommittedKw = sum(commitments.map((reserve) => reserve.downKw));
  const upReserveKwh = sum(commitments.map((reserve) => upKwhPerKw(asset, reserve.durationMinutes) * reserve.upKw));
  const downReserveKwh = sum(
    commitments.map((reserve) => downKwhPerKw(asset, reserve.durationMinutes) * reserve.downKw),
  );
  return {
    stepHours,
    retentionPerStep: (1 - asset.selfDischargePerHour) ** stepHours,
    upCommittedKw,
    downCommittedKw,
    chargeHeadroomKw: asset.maxChargeKw - downCommittedKw,
    dischargeHeadroomKw: asset.maxDischargeKw - upCommittedKw,
    lowestKwh: asset.minKwh + upReserveKwh,
    highestKwh: asset.maxKwh - downReserveKwh,
    offers,
    offerUpKwhPerKw: offers.map((offer) => upKwhPerKw(asset, offer.durationMinutes)),
    offerDownKwhPerKw: offers.map((offer) => downKwhPerKw(asset, offer.durationMinutes)),
  };
}

/** Delivering 1 kW up for the duration takes this much from storage (discharge losses included). */
function upKwhPerKw(asset: BatteryAsset, durationMinutes: number): number {
  return durationMinutes / 60 / asset.dischargeEfficiency;
}

/** Absorbing 1 kW down for the duration puts this much into storage (after charge losses). */
function downKwhPerKw(asset: BatteryAsset, durationMinutes: number): number {
  return (durationMinutes / 60) * asset.chargeEfficiency;
}

/**
 * The cycles-per-day cap as windows of consecutive steps, each a day from the first step (the
 * last one may be shorter), with the kWh that may be discharged from storage in it.
 */
export function dailyDischargeWindows(
  asset: BatteryAsset,
  steps: number,
  stepMinutes: number,
): { firstStep: number; endStep: number; maxDischargedKwh: number }[] {
  if (asset.maxCyclesPerDay === undefined) return [];
  const stepsPerDay = (24 * 60) / stepMinutes;
  const windows = [];
  for (let firstStep = 0; firstStep < steps; firstStep += stepsPerDay) {
    const endStep = Math.min(steps, firstStep + stepsPerDay);
    const dayFraction = (endStep - firstStep) / stepsPerDay;
    windows.push({
      firstStep,
      endStep,
      maxDischargedKwh: asset.maxCyclesPerDay * (asset.maxKwh - asset.minKwh) * dayFraction,
    });
  }
  return windows;
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
