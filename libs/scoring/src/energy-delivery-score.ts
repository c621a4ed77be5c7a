/**
 * Energy products (peak shaving, demand response) scored on energy alone: the net energy delivered
 * over the period against the committed power held for the whole period, capped at 1.
 */
import { checkCommittedPower, checkStep, countMissing, type Sample, SECONDS_PER_HOUR } from "./telemetry.js";

export interface EnergyDeliveryInput {
  /** Metered power in watts (positive = discharge, which is what these products pay for). */
  responseW: readonly Sample[];
  stepSeconds: number;
  committedW: number;
}

export interface EnergyDeliveryScore {
  /** Delivered / committed energy, in [0, 1]; charging nets against discharging. */
  score: number;
  /** Net energy delivered, in whole kWh rounded down; 0 when the battery charged more than it delivered. */
  deliveredKwh: number;
  /** Committed power x period length, in Wh. */
  committedWh: number;
  /** Steps with no telemetry; each counted as zero power delivered. */
  missingSamples: number;
}

export function scoreEnergyDelivery({ responseW, stepSeconds, committedW }: EnergyDeliveryInput): EnergyDeliveryScore {
  checkStep(stepSeconds);
  checkCommittedPower(committedW);
  const deliveredWs = responseW.reduce<number>((sum, watts) => sum + (watts ?? 0) * stepSeconds, 0);
  const committedWs = committedW * responseW.length * stepSeconds;
  const score = committedWs === 0 ? 0 : Math.min(1, Math.max(0, deliveredWs / committedWs));
  return {
    score,
    deliveredKwh: Math.floor(Math.max(0, deliveredWs) / (1_000 * SECONDS_PER_HOUR)),
    committedWh: committedWs / SECONDS_PER_HOUR,
    missingSamples: countMissing(responseW),
  };
}
