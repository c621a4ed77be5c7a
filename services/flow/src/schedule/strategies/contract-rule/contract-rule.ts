import type { FlowAction, ScheduleStep } from "../../scheduling-strategy.js";

/** A facility's levels as the rule reads them; kWh and kW as on chain. */
export interface FacilityEnergyState {
  totalKwh: bigint;
  storedKwh: bigint;
  availableKwh: bigint;
  maxPowerKw: bigint;
  status: string;
}

export interface DemandLevels {
  demandLevelPercent: number;
  lowThresholdPercent: number;
  highThresholdPercent: number;
}

export interface SuggestedAction {
  action: FlowAction;
  energyKwh: bigint;
}

export const STEP_MINUTES = 60;
const STEP_MS = STEP_MINUTES * 60_000;

const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);

/**
 * charge-discharge's get-suggested-action, off chain: at or above the high threshold
 * discharge what is available, below the low one charge the headroom, else hold; an
 * hour at maximum power (kW x 1 h = kWh) bounds either. A facility that is not approved holds.
 */
export function suggestedAction(state: FacilityEnergyState, demand: DemandLevels): SuggestedAction {
  if (state.status !== "approved") return { action: "hold", energyKwh: 0n };
  if (demand.demandLevelPercent >= demand.highThresholdPercent) {
    return { action: "discharge", energyKwh: min(state.availableKwh, state.maxPowerKw) };
  }
  if (demand.demandLevelPercent < demand.lowThresholdPercent) {
    return { action: "charge", energyKwh: min(state.totalKwh - state.storedKwh, state.maxPowerKw) };
  }
  return { action: "hold", energyKwh: 0n };
}

/** The top of the hour after `now`: where a schedule's first step starts. */
export function nextStepStart(now: Date): Date {
  return new Date(Math.floor(now.getTime() / STEP_MS) * STEP_MS + STEP_MS);
}

/**
 * `count` hourly steps from `startsAt` under the current demand (there is no forecast
 * yet): each step applies the rule to the levels the steps before it leave, so a
 * discharge runs until nothing is available and a charge until the battery is full.
 */
export function planSchedule(
  state: FacilityEnergyState,
  demand: DemandLevels,
  { startsAt, count }: { startsAt: Date; count: number },
): ScheduleStep[] {
  const steps: ScheduleStep[] = [];
  let current = { ...state };
  for (let index = 0; index < count; index += 1) {
    const { action, energyKwh } = suggestedAction(current, demand);
    const moved = action === "charge" ? energyKwh : action === "discharge" ? -energyKwh : 0n;
    current = { ...current, storedKwh: current.storedKwh + moved, availableKwh: current.availableKwh + moved };
    steps.push({
      startsAt: new Date(startsAt.getTime() + index * STEP_MS).toISOString(),
      action: energyKwh === 0n ? "hold" : action,
      energyKwh: Number(energyKwh),
    });
  }
  return steps;
}
