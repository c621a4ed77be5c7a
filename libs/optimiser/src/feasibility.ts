import { assetLimits } from "./asset-limits.js";
import { InfeasibleScheduleError } from "./errors.js";
import type { ScheduleProblem } from "./problem.js";

/** Tolerance for comparing kW and kWh: below a watt-hour nothing physical changes. */
const TOLERANCE = 1e-6;

/**
 * Refuses, before any solve, the problems whose infeasibility can be decided from one asset or
 * from fleet totals alone, naming the constraint. What only the combination of all limits
 * rules out is left to the solver, which reports it as "combined-limits".
 */
export function checkFeasibility(problem: ScheduleProblem): void {
  const steps = problem.energyPrices.length;
  const horizonHours = (steps * problem.stepMinutes) / 60;
  let fleetUpKw = 0;
  let fleetDownKw = 0;
  let fleetLeastImportKwh = 0;
  for (const asset of problem.assets) {
    const limits = assetLimits(asset, problem.stepMinutes);
    const refuse = (constraint: ConstructorParameters<typeof InfeasibleScheduleError>[0], reason: string) => {
      throw new InfeasibleScheduleError(constraint, `asset ${asset.id}: ${reason}`, asset.id);
    };
    if (asset.initialKwh < asset.minKwh - TOLERANCE || asset.initialKwh > asset.maxKwh + TOLERANCE) {
      refuse("initial-energy", `initial ${asset.initialKwh} kWh is outside ${asset.minKwh}..${asset.maxKwh} kWh`);
    }
    if (limits.dischargeHeadroomKw < -TOLERANCE) {
      refuse("reserve-power", `${limits.upCommittedKw} kW up-reserve exceeds ${asset.maxDischargeKw} kW max discharge`);
    }
    if (limits.chargeHeadroomKw < -TOLERANCE) {
      refuse("reserve-power", `${limits.downCommittedKw} kW down-reserve exceeds ${asset.maxChargeKw} kW max charge`);
    }
    if (limits.lowestKwh > limits.highestKwh + TOLERANCE) {
      refuse(
        "reserve-energy",
        `committed reserves need ${round(limits.lowestKwh - asset.minKwh)} kWh stored and ` +
          `${round(asset.maxKwh - limits.highestKwh)} kWh free for their durations, more than the ` +
          `${asset.maxKwh - asset.minKwh} kWh usable`,
      );
    }
    if (asset.initialKwh < limits.lowestKwh - TOLERANCE || asset.initialKwh > limits.highestKwh + TOLERANCE) {
      refuse(
        "reserve-energy",
        `initial ${asset.initialKwh} kWh cannot deliver the committed reserves, which need ` +
          `${round(limits.lowestKwh)}..${round(limits.highestKwh)} kWh stored`,
      );
    }
    if (asset.endKwh !== undefined) {
      if (asset.endKwh > limits.highestKwh + TOLERANCE) {
        refuse("end-target", `end target ${asset.endKwh} kWh is above the ${round(limits.highestKwh)} kWh allowed`);
      }
      let reachableKwh = asset.initialKwh;
      for (let step = 0; step < steps; step += 1) {
        reachableKwh = Math.min(
          limits.highestKwh,
          reachableKwh * limits.retentionPerStep + asset.chargeEfficiency * limits.chargeHeadroomKw * limits.stepHours,
        );
      }
      if (asset.endKwh > reachableKwh + TOLERANCE) {
        refuse(
          "end-target",
          `end target ${asset.endKwh} kWh is out of reach: charging at full power reaches ${round(reachableKwh)} kWh`,
        );
      }
    }
    fleetUpKw += limits.upCommittedKw;
    fleetDownKw += limits.downCommittedKw;
    // The least net energy the asset must import over the horizon: to rise to its end level it
    // imports at least the rise over the charge efficiency; to fall it exports at most the fall
    // times the discharge efficiency.
    const endLevelKwh = Math.max(asset.endKwh ?? limits.lowestKwh, limits.lowestKwh);
    const riseKwh = endLevelKwh - asset.initialKwh;
    fleetLeastImportKwh += riseKwh > 0 ? riseKwh / asset.chargeEfficiency : riseKwh * asset.dischargeEfficiency;
  }
  const { maxImportKw, maxExportKw } = problem.fleetLimits ?? {};
  if (maxExportKw !== undefined && fleetUpKw > maxExportKw + TOLERANCE) {
    throw new InfeasibleScheduleError(
      "fleet-limit",
      `the fleet's committed up-reserve ${fleetUpKw} kW exceeds the ${maxExportKw} kW export limit`,
    );
  }
  if (maxImportKw !== undefined && fleetDownKw > maxImportKw + TOLERANCE) {
    throw new InfeasibleScheduleError(
      "fleet-limit",
      `the fleet's committed down-reserve ${fleetDownKw} kW exceeds the ${maxImportKw} kW import limit`,
    );
  }
  if (maxImportKw !== undefined && fleetLeastImportKwh > (maxImportKw - fleetDownKw) * horizonHours + TOLERANCE) {
    throw new InfeasibleScheduleError(
      "fleet-limit",
      `the end targets need at least ${round(fleetLeastImportKwh)} kWh imported, more than the ` +
        `${maxImportKw} kW import limit allows over ${horizonHours} h`,
    );
  }
}

function round(kwh: number): number {
  return Math.round(kwh * 1000) / 1000;
}
