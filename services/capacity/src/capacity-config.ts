import type { z } from "zod";
import {
  chainServiceChecks,
  chainServiceFields,
  envInt,
  envSchemaName,
  serviceConfigSchema,
} from "@voltstack/service-kit";

/** The PostgreSQL schema of the service's tables; migrate.ts reads it too. */
export const capacitySchemaName = envSchemaName().default("capacity");

/** Everything the capacity service reads from the environment. */
export const capacityConfigSchema = serviceConfigSchema({
  defaultPort: 3102,
  extra: {
    CAPACITY_SCHEMA: capacitySchemaName,
    ...chainServiceFields,
    // A reading goes to the chain only when it moves stored energy by at least this many
    // kWh from what the chain shows, and at least this long after the facility's last one.
    READING_MIN_CHANGE_KWH: envInt({ min: 1, default: 10 }),
    READING_MIN_INTERVAL_MS: envInt({ min: 0, max: 86_400_000, default: 60_000 }),
  },
}).superRefine(chainServiceChecks({ signers: "an owner's or an operator's" }));

export type CapacityConfig = z.output<typeof capacityConfigSchema>;
