import { z } from "zod";
import { envEnum, envInt, envJson, envString, serviceConfigSchema, stacksPrincipal } from "@voltstack/service-kit";

// The devnet's deployer (settings/Devnet.toml), so a local start needs no setup.
const DEVNET_DEPLOYER = "ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM";

const signerKeySource = z.union([
  z.strictObject({ principal: stacksPrincipal, privateKeyFile: z.string().min(1) }),
  z.strictObject({
    principal: stacksPrincipal,
    privateKeyEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, { error: "must name an environment variable" }),
  }),
]);

/**
 * Everything the revenue service reads from the environment. SIGNER_KEYS lists
 * the principals it signs for and where each key lives (a mounted file or another
 * variable), never the key itself:
 * `[{"principal":"ST1...","privateKeyFile":"/run/secrets/admin"},{"principal":"ST2...","privateKeyEnv":"OWNER_KEY"}]`.
 */
export const revenueConfigSchema = serviceConfigSchema({
  defaultPort: 3105,
  extra: {
    REVENUE_SCHEMA: envString()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/, { error: "must be a lower-case PostgreSQL schema name" })
      .default("revenue"),
    STACKS_NETWORK: envEnum(["devnet", "testnet", "mainnet"]).default("devnet"),
    CONTRACT_DEPLOYER: stacksPrincipal.default(DEVNET_DEPLOYER),
    SIGNER_KEYS: envJson(z.array(signerKeySource)).default([]),
    SUBJECT_PREFIX: envString().optional(),
    // Who signs the distributions the service makes on service.fulfilled: an admin (or a
    // facility's operator) among SIGNER_KEYS; the first of them when unset.
    DISTRIBUTOR_PRINCIPAL: stacksPrincipal.optional(),
    CHAIN_SYNC_FROM_HEIGHT: envInt({ min: 0, default: 0 }),
    CHAIN_POLL_INTERVAL_MS: envInt({ min: 10, max: 60_000, default: 1_000 }),
    CHAIN_CONFIRMATION_TIMEOUT_MS: envInt({ min: 1_000, max: 3_600_000, default: 120_000 }),
    // How long JetStream waits for an event's ack before redelivering it; a fulfilment's
    // handler waits for its distribution's confirmation, so above CHAIN_CONFIRMATION_TIMEOUT_MS.
    EVENT_ACK_WAIT_MS: envInt({ min: 1_000, max: 3_600_000, default: 180_000 }),
  },
}).superRefine((config, ctx) => {
  if (config.NODE_ENV === "production" && (config.AUTH_API_KEYS ?? []).length === 0 && !config.AUTH_JWT_ISSUER) {
    ctx.addIssue({
      code: "custom",
      path: ["AUTH_API_KEYS"],
      message: "or JWT settings are required in production: every mutating endpoint needs a caller",
    });
  }
  if (config.SIGNER_KEYS.length === 0) {
    ctx.addIssue({
      code: "custom",
      path: ["SIGNER_KEYS"],
      message: "must list at least one principal the service signs for (an admin's, usually)",
    });
  }
  if (config.DISTRIBUTOR_PRINCIPAL && !config.SIGNER_KEYS.some((k) => k.principal === config.DISTRIBUTOR_PRINCIPAL)) {
    ctx.addIssue({
      code: "custom",
      path: ["DISTRIBUTOR_PRINCIPAL"],
      message: "must be one of the principals in SIGNER_KEYS",
    });
  }
});

export type RevenueConfig = z.output<typeof revenueConfigSchema>;
