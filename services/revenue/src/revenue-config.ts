import { stacksPrincipal } from "@voltstack/api";
import { z } from "zod";
import {
  chainServiceChecks,
  chainServiceFields,
  envInt,
  envSchemaName,
  serviceConfigSchema,
} from "@voltstack/service-kit";

/** The PostgreSQL schema of the service's tables; migrate.ts reads it too. */
export const revenueSchemaName = envSchemaName().default("revenue");

/** Everything the revenue service reads from the environment. */
export const revenueConfigSchema = serviceConfigSchema({
  defaultPort: 3105,
  extra: {
    REVENUE_SCHEMA: revenueSchemaName,
    ...chainServiceFields,
    // Who signs batches when DISTRIBUTION_SIGNERS is unset: an admin among SIGNER_KEYS; the
    // first of them when unset.
    DISTRIBUTOR_PRINCIPAL: stacksPrincipal.optional(),
    // How long JetStream waits for an event's ack before redelivering it. Handlers only record
    // what is owed (the batcher pays it), and the transport reports progress every third of it
    // while one runs: short, so a crashed replica's delivery moves on in seconds.
    EVENT_ACK_WAIT_MS: envInt({ min: 1_000, max: 3_600_000, default: 15_000 }),
    // Blocks a fulfilment's block must have on top of it (itself included) before its payout
    // is distributed: money moves only on facts a fork is unlikely to take back.
    DISTRIBUTION_FINALITY_BLOCKS: envInt({ min: 1, max: 10_000, default: 3 }),
    // How often the batcher looks for payouts due (an event recorded wakes it sooner): each
    // look that finds something due brings the follower to the tip first.
    DISTRIBUTION_BATCH_INTERVAL_MS: envInt({ min: 50, max: 600_000, default: 2_000 }),
    // Batch transactions in flight at once, over all signers.
    DISTRIBUTION_MAX_IN_FLIGHT: envInt({ min: 1, max: 100, default: 8 }),
    // Batches a payout may be part of before it is given up as failed (a chain refusal, a
    // dropped transaction): a payout refused once is retried alone, so one bad line cannot hold others.
    DISTRIBUTION_MAX_ATTEMPTS: envInt({ min: 1, max: 100, default: 3 }),
    // How long the process sending a batch holds it (renewed while it waits): a batch whose
    // process stopped is taken over by another this long after its last renewal.
    DISTRIBUTION_BATCH_HOLD_MS: envInt({ min: 1_000, max: 600_000, default: 30_000 }),
    // Who signs batches, comma-separated, taken in turn: admins among SIGNER_KEYS (the
    // earnings of programs need an admin). Default: DISTRIBUTOR_PRINCIPAL.
    DISTRIBUTION_SIGNERS: z
      .string()
      .optional()
      .transform((value) =>
        value === undefined
          ? []
          : value
              .split(",")
              .map((principal) => principal.trim())
              .filter((principal) => principal.length > 0),
      )
      .pipe(z.array(stacksPrincipal).max(32)),
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
    config.DISTRIBUTION_SIGNERS.forEach((principal, index) => {
      if (!config.SIGNER_KEYS.some((k) => k.principal === principal)) {
        ctx.addIssue({
          code: "custom",
          path: ["DISTRIBUTION_SIGNERS", index],
          message: "must be one of the principals in SIGNER_KEYS",
        });
      }
    });
  });

/** The principals batches are signed as, in turn. */
export function distributionSigners(config: RevenueConfig): string[] {
  if (config.DISTRIBUTION_SIGNERS.length > 0) return [...new Set(config.DISTRIBUTION_SIGNERS)];
  const one = config.DISTRIBUTOR_PRINCIPAL ?? config.SIGNER_KEYS[0]?.principal;
  return one ? [one] : [];
}

export type RevenueConfig = z.output<typeof revenueConfigSchema>;
