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
 * Everything the grid service reads from the environment. SIGNER_KEYS lists
 * the principals it signs for and where each key lives (a mounted file or another
 * variable), never the key itself:
 * `[{"principal":"ST1...","privateKeyFile":"/run/secrets/admin"},{"principal":"ST2...","privateKeyEnv":"OWNER_KEY"}]`.
 */
export const gridConfigSchema = serviceConfigSchema({
  defaultPort: 3104,
  extra: {
    GRID_SCHEMA: envString()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/, { error: "must be a lower-case PostgreSQL schema name" })
      .default("grid"),
    STACKS_NETWORK: envEnum(["devnet", "testnet", "mainnet"]).default("devnet"),
    CONTRACT_DEPLOYER: stacksPrincipal.default(DEVNET_DEPLOYER),
    SIGNER_KEYS: envJson(z.array(signerKeySource)).default([]),
    SUBJECT_PREFIX: envString().optional(),
    CHAIN_SYNC_FROM_HEIGHT: envInt({ min: 0, default: 0 }),
    CHAIN_POLL_INTERVAL_MS: envInt({ min: 10, max: 60_000, default: 1_000 }),
    CHAIN_CONFIRMATION_TIMEOUT_MS: envInt({ min: 1_000, max: 3_600_000, default: 120_000 }),
    // While the deviation state does not change, at most one reading per this many seconds goes on chain.
    FREQUENCY_REPORT_CADENCE_S: envInt({ min: 1, max: 86_400, default: 60 }),
    // 0 turns the periodic expiry sweep off (POST /admin/expiry-sweep still works).
    EXPIRY_SWEEP_INTERVAL_MS: envInt({ min: 0, max: 86_400_000, default: 60_000 }),
    // The admin principal the periodic sweep signs its cancellations as; the first signer key when unset.
    EXPIRY_SWEEP_PRINCIPAL: stacksPrincipal.optional(),
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
