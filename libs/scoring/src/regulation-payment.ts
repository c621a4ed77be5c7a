/**
 * What a regulation period pays, in micro-STX (1 STX = 1,000,000 micro-STX), in the two parts PJM
 * pays regulation credits in (PJM Manual 28 "Operating Agreement Accounting", "Regulation
 * Credits"): a capability part, committed MW x score x capability price per MW-hour x hours, and a
 * performance part, committed MW x score x mileage x performance price per MW of mileage. The score
 * enters as the contract's integer performance in basis points, so the amount matches what the
 * chain would compute from the same performance; each part is rounded down on its own.
 */
import { ScoringInputError } from "./scoring-input-error.js";
import { FULL_SCALE_BPS, SECONDS_PER_HOUR } from "./telemetry.js";

export interface RegulationPrices {
  /** Micro-STX per MW of committed power per hour, paid in full at a score of 1. */
  capabilityUstxPerMwHour: bigint;
  /**
   * Micro-STX per MW of mileage: per MW of committed power moved once end to end of the signal's
   * scale (10,000 basis points of movement), paid in full at a score of 1.
   */
  performanceUstxPerMw: bigint;
}

export interface RegulationPaymentInput {
  /** Committed power, in whole watts. */
  committedW: number;
  /** The period's performance, 0..10,000 (see performanceBps). */
  performanceBps: number;
  /** The signal's mileage over the period, in basis points of committed power (scoreRegulation's mileageBps). */
  mileageBps: number;
  /** Length of the period, in whole seconds. */
  periodSeconds: number;
}

export interface RegulationPayment {
  capabilityUstx: bigint;
  performanceUstx: bigint;
  totalUstx: bigint;
}

const WATTS_PER_MW = 1_000_000n;
const BPS = BigInt(FULL_SCALE_BPS);

export function regulationPayment(input: RegulationPaymentInput, prices: RegulationPrices): RegulationPayment {
  const { committedW, performanceBps, mileageBps, periodSeconds } = input;
  for (const [name, value] of Object.entries({ committedW, performanceBps, mileageBps, periodSeconds })) {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new ScoringInputError(
        "PAYMENT_INPUT_INVALID",
        `${name} must be a non-negative whole number; got ${value}.`,
      );
    }
  }
  if (performanceBps > FULL_SCALE_BPS) {
    throw new ScoringInputError("PAYMENT_INPUT_INVALID", `performanceBps is at most 10000; got ${performanceBps}.`);
  }
  if (prices.capabilityUstxPerMwHour < 0n || prices.performanceUstxPerMw < 0n) {
    throw new ScoringInputError("PAYMENT_INPUT_INVALID", "Prices cannot be negative.");
  }
  const scaledPower = BigInt(committedW) * BigInt(performanceBps);
  const capabilityUstx =
    (scaledPower * prices.capabilityUstxPerMwHour * BigInt(periodSeconds)) /
    (WATTS_PER_MW * BPS * BigInt(SECONDS_PER_HOUR));
  const performanceUstx = (scaledPower * BigInt(mileageBps) * prices.performanceUstxPerMw) / (WATTS_PER_MW * BPS * BPS);
  return { capabilityUstx, performanceUstx, totalUstx: capabilityUstx + performanceUstx };
}
