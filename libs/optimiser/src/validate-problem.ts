import { InvalidScheduleInputError } from "./errors.js";
import type { BatteryAsset, ScheduleProblem } from "./problem.js";

const STEP_MINUTES = [5, 15, 60];
const MAX_HORIZON_MINUTES = 7 * 24 * 60;

/** Refuses malformed input (non-finite numbers, wrong lengths, impossible ranges) with its path. */
export function validateProblem(problem: ScheduleProblem): void {
  const { stepMinutes, energyPrices, assets, fleetLimits } = problem;
  if (!STEP_MINUTES.includes(stepMinutes)) {
    throw new InvalidScheduleInputError("stepMinutes", `must be 5, 15 or 60, got ${stepMinutes}`);
  }
  if (!Array.isArray(energyPrices) || energyPrices.length === 0) {
    throw new InvalidScheduleInputError("energyPrices", "must hold at least one price");
  }
  if (energyPrices.length * stepMinutes > MAX_HORIZON_MINUTES) {
    throw new InvalidScheduleInputError(
      "energyPrices",
      `${energyPrices.length} steps of ${stepMinutes} minutes exceed the 7-day horizon`,
    );
  }
  energyPrices.forEach((price, step) => {
    if (!Number.isSafeInteger(price)) {
      throw new InvalidScheduleInputError(
        `energyPrices[${step}]`,
        `must be an integer micro-STX per kWh, got ${price}`,
      );
    }
  });
  if (!Array.isArray(assets) || assets.length === 0) {
    throw new InvalidScheduleInputError("assets", "must hold at least one asset");
  }
  const ids = new Set<string>();
  assets.forEach((asset, index) => {
    validateAsset(asset, `assets[${index}]`);
    if (ids.has(asset.id)) throw new InvalidScheduleInputError(`assets[${index}].id`, `"${asset.id}" appears twice`);
    ids.add(asset.id);
  });
  if (fleetLimits?.maxImportKw !== undefined) nonNegative(fleetLimits.maxImportKw, "fleetLimits.maxImportKw");
  if (fleetLimits?.maxExportKw !== undefined) nonNegative(fleetLimits.maxExportKw, "fleetLimits.maxExportKw");
}

export function validateAsset(asset: BatteryAsset, path: string): void {
  if (typeof asset.id !== "string" || asset.id.length === 0) {
    throw new InvalidScheduleInputError(`${path}.id`, "must be a non-empty string");
  }
  nonNegative(asset.capacityKwh, `${path}.capacityKwh`);
  nonNegative(asset.minKwh, `${path}.minKwh`);
  nonNegative(asset.maxKwh, `${path}.maxKwh`);
  nonNegative(asset.initialKwh, `${path}.initialKwh`);
  nonNegative(asset.maxChargeKw, `${path}.maxChargeKw`);
  nonNegative(asset.maxDischargeKw, `${path}.maxDischargeKw`);
  nonNegative(asset.degradationCostPerKwh, `${path}.degradationCostPerKwh`);
  if (asset.minKwh > asset.maxKwh || asset.maxKwh > asset.capacityKwh) {
    throw new InvalidScheduleInputError(
      `${path}.maxKwh`,
      `needs minKwh <= maxKwh <= capacityKwh, got ${asset.minKwh}, ${asset.maxKwh}, ${asset.capacityKwh}`,
    );
  }
  efficiency(asset.chargeEfficiency, `${path}.chargeEfficiency`);
  efficiency(asset.dischargeEfficiency, `${path}.dischargeEfficiency`);
  nonNegative(asset.selfDischargePerHour, `${path}.selfDischargePerHour`);
  if (asset.selfDischargePerHour >= 1) {
    throw new InvalidScheduleInputError(`${path}.selfDischargePerHour`, "must be a fraction below 1");
  }
  if (asset.maxCyclesPerDay !== undefined) nonNegative(asset.maxCyclesPerDay, `${path}.maxCyclesPerDay`);
  if (asset.endKwh !== undefined) nonNegative(asset.endKwh, `${path}.endKwh`);
  (asset.reserveCommitments ?? []).forEach((reserve, index) => {
    const at = `${path}.reserveCommitments[${index}]`;
    nonNegative(reserve.upKw, `${at}.upKw`);
    nonNegative(reserve.downKw, `${at}.downKw`);
    nonNegative(reserve.durationMinutes, `${at}.durationMinutes`);
  });
  (asset.reserveOffers ?? []).forEach((offer, index) => {
    const at = `${path}.reserveOffers[${index}]`;
    nonNegative(offer.maxKw, `${at}.maxKw`);
    nonNegative(offer.durationMinutes, `${at}.durationMinutes`);
    if (!Number.isFinite(offer.pricePerKwHour)) {
      throw new InvalidScheduleInputError(`${at}.pricePerKwHour`, `must be finite, got ${offer.pricePerKwHour}`);
    }
  });
}

function nonNegative(value: number, field: string): void {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new InvalidScheduleInputError(field, `must be a finite number >= 0, got ${value}`);
  }
}

function efficiency(value: number, field: string): void {
  if (typeof value !== "number" || !(value > 0 && value <= 1)) {
    throw new InvalidScheduleInputError(field, `must be in (0, 1], got ${value}`);
  }
}
