/**
 * What the optimiser is asked and what it answers. Plain numbers only: prices are integer
 * micro-STX per kWh (negative when the grid pays to take energy), power in kW, energy in kWh.
 */

/** A reserve already sold: held in both directions at every step of the horizon. */
export interface ReserveCommitment {
  product: string;
  upKw: number;
  downKw: number;
  /** How long the reserve must be deliverable once called, which sizes the energy kept for it. */
  durationMinutes: number;
}

/** A reserve the optimiser may sell: it picks one symmetric kW (up and down) for the horizon. */
export interface ReserveOffer {
  product: string;
  maxKw: number;
  /** Paid for every kW held for an hour, micro-STX (per kW per hour, not per step). */
  pricePerKwHour: number;
  durationMinutes: number;
}

export interface BatteryAsset {
  id: string;
  capacityKwh: number;
  initialKwh: number;
  /** State-of-charge limits: stored energy stays within [minKwh, maxKwh] at every step. */
  minKwh: number;
  maxKwh: number;
  maxChargeKw: number;
  maxDischargeKw: number;
  /** Fraction of the energy taken from the grid that is stored, in (0, 1]. */
  chargeEfficiency: number;
  /** Fraction of the stored energy taken out that reaches the grid, in (0, 1]. */
  dischargeEfficiency: number;
  /** Fraction of the stored energy lost per hour while idle. */
  selfDischargePerHour: number;
  /** Wear per kWh through the terminals in either direction, micro-STX. */
  degradationCostPerKwh: number;
  /** Full usable cycles (maxKwh - minKwh discharged) allowed per day of the horizon. */
  maxCyclesPerDay?: number;
  /** Stored energy at the end of the horizon is at least this. */
  endKwh?: number;
  reserveCommitments?: ReserveCommitment[];
  reserveOffers?: ReserveOffer[];
}

/** A connection shared by the whole fleet: net import and net export at every step. */
export interface FleetLimits {
  maxImportKw?: number;
  maxExportKw?: number;
}

export type StepMinutes = 5 | 15 | 60;

export interface ScheduleProblem {
  stepMinutes: StepMinutes;
  /** One price per step, integer micro-STX per kWh; the horizon is at most 7 days. */
  energyPrices: number[];
  assets: BatteryAsset[];
  fleetLimits?: FleetLimits;
}

/** A charge and discharge plan for one asset, as the optimiser or any other rule produces it. */
export interface PowerSchedule {
  stepMinutes: StepMinutes;
  chargeKw: number[];
  dischargeKw: number[];
  /** kW sold on each of the asset's reserve offers, in the order of `reserveOffers`. */
  offeredKw?: number[];
}

export interface AssetSchedule extends PowerSchedule {
  assetId: string;
  offeredKw: number[];
  /** Stored energy at the end of each step. */
  storedKwh: number[];
  /** Reserve held at each step (commitments plus offers). */
  reserveUpKw: number[];
  reserveDownKw: number[];
  revenueMicroStx: number;
}

export type SolveStatus = "optimal";

export interface OptimisedSchedule {
  status: SolveStatus;
  /** Whether the model needed binaries (some price was negative), that is a MILP. */
  mixedInteger: boolean;
  /** Time HiGHS took, milliseconds (model building and transfer not included). */
  solveMs: number;
  /** Energy revenue + reserve revenue - degradation cost over the fleet, floored to whole micro-STX. */
  expectedRevenueMicroStx: number;
  assets: AssetSchedule[];
}
