import type { BatteryAsset } from "../src/index.js";

/** A 10 kWh, 5 kW lossless battery with no wear, empty: the hand-solved cases change one thing each. */
export function battery(overrides: Partial<BatteryAsset> = {}): BatteryAsset {
  return {
    id: "battery-1",
    capacityKwh: 10,
    initialKwh: 0,
    minKwh: 0,
    maxKwh: 10,
    maxChargeKw: 5,
    maxDischargeKw: 5,
    chargeEfficiency: 1,
    dischargeEfficiency: 1,
    selfDischargePerHour: 0,
    degradationCostPerKwh: 0,
    ...overrides,
  };
}
