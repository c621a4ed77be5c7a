import type { z } from "zod";
import {
  chainServiceChecks,
  chainServiceFields,
  envInt,
  envSchemaName,
  serviceConfigSchema,
} from "@voltstack/service-kit";

/** The PostgreSQL schema of the service's tables; migrate.ts reads it too. */
export const flowSchemaName = envSchemaName().default("flow");

/** Everything the flow service reads from the environment. */
export const flowConfigSchema = serviceConfigSchema({
  defaultPort: 3103,
  extra: {
    FLOW_SCHEMA: flowSchemaName,
    ...chainServiceFields,
    // Hourly steps in a facility's schedule: 24 is a day ahead.
    SCHEDULE_STEPS: envInt({ min: 1, max: 168, default: 24 }),
  },
}).superRefine(chainServiceChecks());

export type FlowConfig = z.output<typeof flowConfigSchema>;
