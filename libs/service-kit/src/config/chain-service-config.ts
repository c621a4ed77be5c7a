import { z } from "zod";
import { stacksPrincipal } from "@voltstack/api";
import { envEnum, envInt, envJson, envString } from "./env-fields.js";
import type { BaseServiceConfig } from "./service-config.js";

// The devnet's deployer (settings/Devnet.toml), so a local start needs no setup.
const DEVNET_DEPLOYER = "ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM";

const signerKeySource = z.union([
  z.strictObject({ principal: stacksPrincipal, privateKeyFile: z.string().min(1) }),
  z.strictObject({
    principal: stacksPrincipal,
    privateKeyEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, { error: "must name an environment variable" }),
  }),
]);

/** SIGNER_KEYS: the principals a service signs for and where each key lives, never the key itself. */
export const signerKeySources = z.array(signerKeySource);
export type SignerKeySource = z.infer<typeof signerKeySource>;

/** SIGNER_POOLS: for a principal of SIGNER_KEYS, further keys of the same role that sign in its place. */
export const signerPools = z.array(
  z.strictObject({ principal: stacksPrincipal, keys: signerKeySources.min(1), principalSigns: z.boolean().optional() }),
);

/**
 * The variables of a service that signs contract calls and follows the chain; spread them into
 * `serviceConfigSchema`'s `extra` and pass `chainServiceChecks()` to the schema's
 * `superRefine`. SIGNER_KEYS lists the principals the service signs for and where each
 * key lives (a mounted file or another variable), never the key itself:
 * `[{"principal":"ST1...","privateKeyFile":"/run/secrets/admin"},{"principal":"ST2...","privateKeyEnv":"OWNER_KEY"}]`.
 */
export const chainServiceFields = {
  STACKS_NETWORK: envEnum(["devnet", "testnet", "mainnet"]).default("devnet"),
  CONTRACT_DEPLOYER: stacksPrincipal.default(DEVNET_DEPLOYER),
  SIGNER_KEYS: envJson(signerKeySources).default([]),
  // A write signed as `principal` goes out from whichever of it and `keys` has the fewest
  // transactions in flight (each key holds 25 unconfirmed): `[{"principal":"ST1...","keys":[...]}]`,
  // keys as in SIGNER_KEYS; `"principalSigns": false` leaves the principal's own key out of it.
  // Every key must hold the principal's role on chain.
  SIGNER_POOLS: envJson(signerPools).default([]),
  // How long a confirmed write waits for the follower to have read its block before it
  // answers anyway (from the transaction's result), and a refusal before signing waits for
  // the follower to reach the chain's tip before it refuses what the read model lacks.
  READ_MODEL_WAIT_MS: envInt({ min: 0, max: 600_000, default: 30_000 }),
  SUBJECT_PREFIX: envString().optional(),
  CHAIN_SYNC_FROM_HEIGHT: envInt({ min: 0, default: 0 }),
  // Path of `deployments/<network>.json`; @voltstack/chain-sync's applyDeploymentRecord fills
  // CONTRACT_DEPLOYER, CHAIN_SYNC_FROM_HEIGHT and STACKS_NETWORK from it and checks its sources.
  DEPLOYMENT_RECORD: envString().optional(),
  // How often the follower looks at its contract's log when nothing wakes it: one request
  // a look while nothing happens (docs/operations.md sizes the budget for N replicas).
  CHAIN_POLL_INTERVAL_MS: envInt({ min: 10, max: 600_000, default: 10_000 }),
  // The Stacks Blockchain API key (Hiro's hosted API), sent as x-api-key; never logged.
  STACKS_API_KEY: envString().optional(),
  // This process's share of the API's rate limit (0: unlimited, for a self-hosted API).
  STACKS_API_REQUESTS_PER_MINUTE: envInt({ min: 0, max: 1_000_000, default: 120 }),
  STACKS_API_MAX_CONCURRENT: envInt({ min: 1, max: 256, default: 4 }),
  CHAIN_CONFIRMATION_TIMEOUT_MS: envInt({ min: 1_000, max: 3_600_000, default: 120_000 }),
  // How long a transaction of ours may stay unknown to the API or pending before it is
  // recovered: re-broadcast when the node lost it, re-signed with a higher fee when stuck.
  CHAIN_STUCK_AFTER_MS: envInt({ min: 100, max: 3_600_000, default: 30_000 }),
  // Fees in micro-STX: the node's estimate is held within [floor, ceiling]; a transaction
  // pending STACKS_FEE_BUMP_AFTER_MS is re-signed at its nonce with a higher fee (0: never).
  STACKS_FEE_FLOOR_USTX: envInt({ min: 0, default: 1_000 }),
  STACKS_FEE_CEILING_USTX: envInt({ min: 1, default: 1_000_000 }),
  STACKS_FEE_BUMP_AFTER_MS: envInt({ min: 0, max: 3_600_000, default: 60_000 }),
  // One process per key and chain signs (a lease in PostgreSQL); on unless the network is devnet.
  SIGNING_LEASE: envEnum(["on", "off"]).optional(),
  SIGNING_LEASE_TTL_MS: envInt({ min: 3_000, max: 600_000, default: 30_000 }),
};

type CheckedConfig = Pick<BaseServiceConfig, "NODE_ENV" | "AUTH_API_KEYS" | "AUTH_JWT_ISSUER"> & {
  SIGNER_KEYS: readonly unknown[];
  STACKS_FEE_FLOOR_USTX?: number;
  STACKS_FEE_CEILING_USTX?: number;
};

/**
 * What a chain service's configuration must hold beyond each variable's own rules: a way
 * to authenticate callers in production, and at least one signer key. `signers` says in
 * the error whose keys the service usually holds.
 */
export function chainServiceChecks(options: { signers?: string } = {}) {
  const signers = options.signers ?? "an admin's, usually";
  return (config: CheckedConfig, ctx: z.RefinementCtx): void => {
    if (config.NODE_ENV === "production" && (config.AUTH_API_KEYS ?? []).length === 0 && !config.AUTH_JWT_ISSUER) {
      ctx.addIssue({
        code: "custom",
        path: ["AUTH_API_KEYS"],
        message: "or JWT settings are required in production: every mutating endpoint needs a caller",
      });
    }
    if ((config.STACKS_FEE_FLOOR_USTX ?? 0) > (config.STACKS_FEE_CEILING_USTX ?? Number.MAX_SAFE_INTEGER)) {
      ctx.addIssue({
        code: "custom",
        path: ["STACKS_FEE_CEILING_USTX"],
        message: "must not be below STACKS_FEE_FLOOR_USTX",
      });
    }
    if (config.SIGNER_KEYS.length === 0) {
      ctx.addIssue({
        code: "custom",
        path: ["SIGNER_KEYS"],
        message: `must list at least one principal the service signs for (${signers})`,
      });
    }
  };
}
