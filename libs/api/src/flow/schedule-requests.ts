import { z } from "zod";
import { energyKwh } from "../fields/request-fields.js";
import { stacksPrincipal } from "../fields/stacks-principal.js";

/** How flow plans a facility: the contract's rule, or optimal against the price curve. */
export const STRATEGY_NAMES = ["contract-rule", "optimal"] as const;
export type StrategyName = (typeof STRATEGY_NAMES)[number];

const bps = (min: number) => z.int().min(min).max(10_000);

/** A facility's battery model and strategy; a field left out takes the service's default. */
export const scheduleSettingsBody = z.strictObject({
  strategy: z.enum(STRATEGY_NAMES),
  chargeEfficiencyBps: bps(1)
    .optional()
    .meta({ description: "Share of the energy drawn that is stored, basis points" }),
  dischargeEfficiencyBps: bps(1)
    .optional()
    .meta({ description: "Share of the stored energy taken out that reaches the grid, basis points" }),
  selfDischargeBpsPerDay: bps(0).optional().meta({ description: "Stored energy lost per idle day, basis points" }),
  degradationMicroStxPerKwh: z
    .int()
    .min(0)
    .max(1_000_000_000)
    .optional()
    .meta({ description: "Battery wear per kWh through the terminals, micro-STX" }),
  maxCyclesPerDay: z.int().min(1).max(24).nullable().optional().meta({ description: "Full cycles allowed per day" }),
  endKwh: energyKwh({ min: 0 })
    .nullable()
    .optional()
    .meta({ description: "Stored energy at the end of each plan at least this; null: at least what is stored now" }),
  executeOnChain: z.boolean().default(false).meta({
    description:
      "Record each step on chain as it arrives, signed with a key this service holds for the facility's owner or an operator",
  }),
  actAs: stacksPrincipal.optional(),
});
