import { type StrategyName } from "@voltstack/api";
import type { DemandLevels } from "./strategies/contract-rule/contract-rule.js";

export type FlowAction = "charge" | "discharge" | "hold";

/** One step of a schedule: the energy (whole kWh, as the chain records it) to move in it. */
export interface ScheduleStep {
  startsAt: string;
  action: FlowAction;
  energyKwh: number;
}

/** A facility's levels from the capacity read model; kWh and kW as on chain. */
export interface BatteryState {
  facilityId: number;
  totalKwh: bigint;
  storedKwh: bigint;
  reservedKwh: bigint;
  availableKwh: bigint;
  maxPowerKw: bigint;
  status: string;
}

/** How a facility's battery behaves, as its owner declared it (integers: basis points, micro-STX). */
export interface BatterySettings {
  strategy: StrategyName;
  chargeEfficiencyBps: number;
  dischargeEfficiencyBps: number;
  selfDischargeBpsPerDay: number;
  degradationMicroStxPerKwh: number;
  maxCyclesPerDay: number | null;
  /** Stored energy at the end of the horizon at least this; null: at least what is stored now. */
  endKwh: bigint | null;
  /** Whether the service records each step on chain as it arrives (with a key it holds for the facility). */
  executeOnChain: boolean;
}

/** Power held back for one program while the facility is enrolled in it. */
export interface ReserveHold {
  programId: number;
  product: string;
  upKw: bigint;
  downKw: bigint;
  durationMinutes: number;
}

/** One facility as a strategy sees it. */
export interface PlanningFacility {
  state: BatteryState;
  settings: BatterySettings;
  reserves: ReserveHold[];
}

/** The steps to plan: where they start, how long each is, how many. */
export interface Horizon {
  startsAt: Date;
  stepMinutes: number;
  count: number;
}

/** What every facility is planned against. */
export interface PlanningInputs {
  demand: DemandLevels;
  /** Energy prices of the horizon's steps (micro-STX per kWh), when a curve covers it. */
  prices: number[] | null;
  /** The fleet's shared connection: net import and export per step, when limited. */
  fleetLimit: { importKw: number | null; exportKw: number | null } | null;
}

export interface PlannedSchedule {
  facilityId: number;
  strategy: StrategyName;
  stepMinutes: number;
  steps: ScheduleStep[];
  /** What the steps earn at the horizon's prices, net of wear, in micro-STX; null without prices. */
  expectedRevenueMicroStx: bigint | null;
}

/**
 * A way of planning facilities' charge and discharge. A strategy plans the facilities given to
 * it together (a fleet of one is one facility), so a shared connection limit can bind them.
 * It throws when it cannot plan; the planner then falls back to the contract's rule.
 */
export interface SchedulingStrategy {
  readonly name: StrategyName;
  plan(facilities: PlanningFacility[], inputs: PlanningInputs, horizon: Horizon): Promise<PlannedSchedule[]>;
}
