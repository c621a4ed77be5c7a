import type { z } from "zod";
import {
  chainServiceChecks,
  chainServiceFields,
  envInt,
  envSchemaName,
  serviceConfigSchema,
  stacksPrincipal,
} from "@voltstack/service-kit";

/** The PostgreSQL schema of the service's tables; migrate.ts reads it too. */
export const revenueSchemaName = envSchemaName().default("revenue");

/** Everything the revenue service reads from the environment. */
export const revenueConfigSchema = serviceConfigSchema({
  defaultPort: 3105,
  extra: {
    REVENUE_SCHEMA: revenueSchemaName,
    ...chainServiceFields,
    // Who signs the distributions the service makes on service.fulfilled: an admin (or a
    // facility's operator) among SIGNER_KEYS; the first of them when unset.
    DISTRIBUTOR_PRINCIPAL: stacksPrincipal.optional(),
    // How long JetStream waits for an event's ack before redelivering it; a fulfilment's
    // handler waits for its distribution's confirmation, so above CHAIN_CONFIRMATION_TIMEOUT_MS.
    // The transport reports progress every third of it while a handler runs: short, so a crashed replica's delivery moves on in seconds.
    EVENT_ACK_WAIT_MS: envInt({ min: 1_000, max: 3_600_000, default: 15_000 }),
    // Blocks a fulfilment's block must have on top of it (itself included) before its payout
    // is distributed: money moves only on facts a fork is unlikely to take back.
    DISTRIBUTION_FINALITY_BLOCKS: envInt({ min: 1, max: 10_000, default: 3 }),
  },
})
  .superRefine(chainServiceChecks())
  .superRefine((config, ctx) => {
    if (config.DISTRIBUTOR_PRINCIPAL && !config.SIGNER_KEYS.some((k) => k.principal === config.DISTRIBUTOR_PRINCIPAL)) {
      ctx.addIssue({
        code: "custom",
        path: ["DISTRIBUTOR_PRINCIPAL"],
        message: "must be one of the principals in SIGNER_KEYS",
      });
    }
  });

export type RevenueConfig = z.output<typeof revenueConfigSchema>;
