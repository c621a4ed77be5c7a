import { type ContainmentProfileName } from "@voltstack/api";
import { PROGRAM_PRODUCTS } from "@voltstack/chain";
import {
  DYNAMIC_CONTAINMENT,
  FCR,
  performanceBps,
  type Sample,
  ScoringInputError,
  scoreContainment,
  scoreEnergyDelivery,
  scoreRegulation,
} from "@voltstack/scoring";

/** The profiles the API names (CONTAINMENT_PROFILE_NAMES of @voltstack/api), each with its parameters. */
export const CONTAINMENT_PROFILES = {
  fcr: FCR,
  "dynamic-containment": DYNAMIC_CONTAINMENT,
} as const satisfies Record<ContainmentProfileName, typeof FCR>;

export type ScoringMethod = "regulation" | "containment" | "energy";

/** How a product's delivery is judged: following a dispatch signal, containing frequency, or energy delivered. */
export function scoringMethodOf(product: string): ScoringMethod {
  if (product === "frequency-regulation" || product === "afrr") return "regulation";
  if (product === "frequency-containment") return "containment";
  if (PROGRAM_PRODUCTS[product as keyof typeof PROGRAM_PRODUCTS]?.unit === "kwh") return "energy";
  return "energy";
}

/** One facility's telemetry over one period, in 2-second steps, null in gaps. */
export interface PeriodTelemetry {
  stepSeconds: number;
  powerW: Sample[];
  frequencyMilliHz: Sample[];
  /** The program's regulation signal (basis points of committed power), for regulation products. */
  signalBps: Sample[] | null;
}

export interface PeriodScore {
  method: ScoringMethod;
  performanceBps: number;
  /** Net energy delivered over the period, whole kWh (floor). */
  deliveredKwh: number;
  /** The components behind the score, for the owner to see. */
  breakdown: Record<string, unknown>;
  /** A plot-ready series (the scoring library's own down-sampling). */
  series: unknown[];
}

/**
 * Scores one facility's period by its product's method. The delivered energy (paid at the
 * program's energy price) is the net discharge whatever the method. Inputs the method cannot
 * score (no regulation signal at all, say) score 0 with the reason kept: a period without the
 * evidence earns nothing, and the breakdown says what was missing.
 */
export function scorePeriod(
  product: string,
  profile: ContainmentProfileName,
  committedKw: bigint,
  telemetry: PeriodTelemetry,
): PeriodScore {
  const committedW = Number(committedKw) * 1_000;
  const { stepSeconds, powerW } = telemetry;
  const energy = scoreEnergyDelivery({ responseW: powerW, stepSeconds, committedW });
  const method = scoringMethodOf(product);
  try {
    if (method === "regulation") {
      const scored = scoreRegulation({
        signal: telemetry.signalBps ?? powerW.map(() => null),
        responseW: powerW,
        committedW,
        stepSeconds,
      });
      const { series, ...breakdown } = scored;
      return {
        method,
        performanceBps: performanceBps(scored.score),
        deliveredKwh: energy.deliveredKwh,
        breakdown,
        series,
      };
    }
    if (method === "containment") {
      const scored = scoreContainment(
        { frequencyMilliHz: telemetry.frequencyMilliHz, responseW: powerW, committedW, stepSeconds },
        CONTAINMENT_PROFILES[profile],
      );
      const { series, ...breakdown } = scored;
      return {
        method,
        performanceBps: performanceBps(scored.score),
        deliveredKwh: energy.deliveredKwh,
        breakdown: { ...breakdown, profile },
        series,
      };
    }
    return {
      method,
      performanceBps: performanceBps(energy.score),
      deliveredKwh: energy.deliveredKwh,
      breakdown: { ...energy },
      series: [],
    };
  } catch (error) {
    if (!(error instanceof ScoringInputError)) throw error;
    return {
      method,
      performanceBps: 0,
      deliveredKwh: energy.deliveredKwh,
      breakdown: { score: 0, unscorable: { code: error.code, message: error.message } },
      series: [],
    };
  }
}
