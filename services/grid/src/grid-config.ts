import { stacksPrincipal } from "@voltstack/api";
import type { z } from "zod";
import {
  chainServiceChecks,
  chainServiceFields,
  envInt,
  envSchemaName,
  serviceConfigSchema,
} from "@voltstack/service-kit";

/** The PostgreSQL schema of the service's tables; migrate.ts reads it too. */
export const gridSchemaName = envSchemaName().default("grid");

/** Everything the grid service reads from the environment. */
export const gridConfigSchema = serviceConfigSchema({
  defaultPort: 3104,
  extra: {
    GRID_SCHEMA: gridSchemaName,
    ...chainServiceFields,
    // While the deviation state does not change, at most one reading per this many seconds goes on chain.
    FREQUENCY_REPORT_CADENCE_S: envInt({ min: 1, max: 86_400, default: 60 }),
    // 0 turns the periodic expiry sweep off (POST /admin/expiry-sweep still works).
    EXPIRY_SWEEP_INTERVAL_MS: envInt({ min: 0, max: 86_400_000, default: 60_000 }),
    // The admin principal the periodic sweep signs its cancellations as; the first signer key when unset.
    EXPIRY_SWEEP_PRINCIPAL: stacksPrincipal.optional(),
    // 0 turns the periodic program settlement sweep off (POST /admin/settlement-sweep still works).
    PROGRAM_SETTLE_INTERVAL_MS: envInt({ min: 0, max: 86_400_000, default: 5_000 }),
    // The admin or scoring oracle the sweep signs settle-period as; the first signer key when unset.
    PROGRAM_SETTLE_PRINCIPAL: stacksPrincipal.optional(),
    // Blocks after a period's end after which facilities without a posted performance settle at 0.
    PROGRAM_PERFORMANCE_DEADLINE_BLOCKS: envInt({ min: 0, max: 1_000_000, default: 30 }),
    // 0 turns the periodic scoring of programs scored from telemetry off (POST /admin/scoring-sweep
    // still works). It signs as PROGRAM_SETTLE_PRINCIPAL.
    PROGRAM_SCORING_INTERVAL_MS: envInt({ min: 0, max: 86_400_000, default: 10_000 }),
    // A period is scored this long after the block that ends it, so samples sent late land first.
    PROGRAM_SCORING_GRACE_S: envInt({ min: 0, max: 86_400, default: 60 }),
    // Telemetry and regulation signal minutes older than this are deleted, and samples older than this refused.
    TELEMETRY_RETENTION_DAYS: envInt({ min: 1, max: 3_650, default: 35 }),
    // 0 turns the periodic retention delete off.
    TELEMETRY_RETENTION_INTERVAL_MS: envInt({ min: 0, max: 86_400_000, default: 3_600_000 }),
    // telemetry.reported messages merged in one statement at most (one per facility every 2 s at full load).
    TELEMETRY_FETCH_BATCH: envInt({ min: 1, max: 5_000, default: 500 }),
  },
})
  .superRefine(chainServiceChecks())
  .superRefine((config, ctx) => {
    if (
      config.PROGRAM_SETTLE_PRINCIPAL &&
      !config.SIGNER_KEYS.some((source) => source.principal === config.PROGRAM_SETTLE_PRINCIPAL)
    ) {
      ctx.addIssue({
        code: "custom",
        path: ["PROGRAM_SETTLE_PRINCIPAL"],
        message: "must be one of the principals listed in SIGNER_KEYS",
      });
    }
    if (
      config.EXPIRY_SWEEP_PRINCIPAL &&
      !config.SIGNER_KEYS.some((source) => source.principal === config.EXPIRY_SWEEP_PRINCIPAL)
    ) {
      ctx.addIssue({
        code: "custom",
        path: ["EXPIRY_SWEEP_PRINCIPAL"],
        message: "must be one of the principals listed in SIGNER_KEYS",
      });
    }
  });

export type GridConfig = z.output<typeof gridConfigSchema>;
