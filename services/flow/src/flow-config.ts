import { STRATEGY_NAMES } from "@voltstack/api";
import type { z } from "zod";
import {
  chainServiceChecks,
  chainServiceFields,
  envEnum,
  envInt,
  envSchemaName,
  serviceConfigSchema,
} from "@voltstack/service-kit";

/** What a replanning transaction may take beyond the solver's timeout: reads, writes, the rule's fallback. */
export const REPLAN_TRANSACTION_MARGIN_MS = 10_000;

/** The PostgreSQL schema of the service's tables; migrate.ts reads it too. */
export const flowSchemaName = envSchemaName().default("flow");

/** Everything the flow service reads from the environment. */
export const flowConfigSchema = serviceConfigSchema({
  defaultPort: 3103,
  extra: {
    FLOW_SCHEMA: flowSchemaName,
    ...chainServiceFields,
    // Hourly steps in a contract-rule schedule: 24 is a day ahead. The optimal strategy plans
    // the price curve's steps still ahead instead.
    SCHEDULE_STEPS: envInt({ min: 1, max: 168, default: 24 }),
    // The strategy of a facility that has not chosen one (PUT /facilities/{id}/schedule-settings).
    SCHEDULE_STRATEGY: envEnum(STRATEGY_NAMES).default("contract-rule"),
    // Worker threads solving optimal schedules, and how long one solve may take before the
    // planner stops it and falls back to the contract's rule.
    OPTIMISER_WORKERS: envInt({ min: 1, max: 16, default: 1 }),
    OPTIMISER_TIMEOUT_MS: envInt({ min: 100, max: 600_000, default: 3_000 }),
    // How often steps under way are recorded on chain for facilities that ask for it; 0 turns it off.
    SCHEDULE_EXECUTION_INTERVAL_MS: envInt({ min: 0, max: 3_600_000, default: 15_000 }),
    // The fleet's shared connection (feeder or grid connection), net kW per step; 0 = unlimited.
    FLEET_IMPORT_LIMIT_KW: envInt({ min: 0, max: 1_000_000_000, default: 0 }),
    FLEET_EXPORT_LIMIT_KW: envInt({ min: 0, max: 1_000_000_000, default: 0 }),
    // The battery model of a facility whose owner declared none: 95 % each way, 0.1 % lost a
    // day, and 2,000 micro-STX of wear per kWh through the terminals.
    BATTERY_CHARGE_EFFICIENCY_BPS: envInt({ min: 1, max: 10_000, default: 9_500 }),
    BATTERY_DISCHARGE_EFFICIENCY_BPS: envInt({ min: 1, max: 10_000, default: 9_500 }),
    BATTERY_SELF_DISCHARGE_BPS_PER_DAY: envInt({ min: 0, max: 10_000, default: 10 }),
    BATTERY_DEGRADATION_MICRO_STX_PER_KWH: envInt({ min: 0, max: 1_000_000_000, default: 2_000 }),
  },
}).superRefine(chainServiceChecks());

export type FlowConfig = z.output<typeof flowConfigSchema>;
