import { createPublicKey } from "node:crypto";
import { z } from "zod";
import { stacksPrincipal } from "@voltstack/api";
import { ROLES } from "../auth/roles.js";
import { ConfigError, type ConfigIssue } from "./config-error.js";
import { envEnum, envInt, envJson, envList, envString, envUrl } from "./env-fields.js";

const apiKeyEntry = z.strictObject({
  name: z.string().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, { error: "must be the SHA-256 of the key as 64 lower-case hex digits" }),
  role: z.enum(ROLES),
  principals: z.array(stacksPrincipal).default([]),
});

/** The variables every service reads, with defaults that work against the local servers. */
export function baseConfigShape(defaultPort: number) {
  return {
    NODE_ENV: envEnum(["development", "test", "production"]).default("development"),
    HOST: envString().default("0.0.0.0"),
    PORT: envInt({ min: 0, max: 65_535, default: defaultPort }),
    DATABASE_URL: envUrl({
      protocols: ["postgresql", "postgres"],
      default: "postgresql://postgres@127.0.0.1:5432/postgres",
    }),
    DATABASE_POOL_MAX: envInt({ min: 1, max: 1_000, default: 10 }),
    DATABASE_POOL_IDLE_TIMEOUT_MS: envInt({ min: 0, default: 10_000 }),
    DATABASE_CONNECT_TIMEOUT_MS: envInt({ min: 0, default: 5_000 }),
    DATABASE_STATEMENT_TIMEOUT_MS: envInt({ min: 0, default: 0 }),
    NATS_URL: envUrl({ protocols: ["nats", "tls"], default: "nats://127.0.0.1:4222" }),
    // How many servers of a NATS cluster keep each stream (read by libs/messaging when it declares them).
    NATS_STREAM_REPLICAS: envInt({ min: 1, max: 5, default: 1 }),
    STACKS_API_URL: envUrl({ protocols: ["http", "https"], default: "http://127.0.0.1:3999" }),
    READINESS_TIMEOUT_MS: envInt({ min: 1, max: 60_000, default: 2_000 }),
    SHUTDOWN_TIMEOUT_MS: envInt({ min: 0, max: 600_000, default: 25_000 }),
    AUTH_API_KEYS: envJson(z.array(apiKeyEntry)).optional(),
    AUTH_JWT_ISSUER: envString().optional(),
    AUTH_JWT_AUDIENCE: envString().optional(),
    AUTH_JWKS_URL: envUrl({ protocols: ["https", "http"] }).optional(),
    AUTH_JWT_PUBLIC_KEY: envString()
      // Single-line environment values often carry the PEM's newlines as "\n".
      .transform((pem) => pem.replaceAll("\\n", "\n"))
      .refine(isPublicKeyPem, { error: "must be a PEM public key (-----BEGIN PUBLIC KEY-----)" })
      .optional(),
    AUTH_JWT_ALGORITHMS: envList().default(["RS256", "ES256", "EdDSA"]),
    AUTH_JWT_ROLES_CLAIM: envString().default("roles"),
    AUTH_JWT_PRINCIPALS_CLAIM: envString().default("stacks_principals"),
    AUTH_JWT_ROLE_MAP: envJson(z.record(z.string(), z.enum(ROLES))).optional(),
    AUTH_JWT_CLOCK_TOLERANCE_S: envInt({ min: 0, max: 300, default: 5 }),
  };
}

function isPublicKeyPem(pem: string): boolean {
  try {
    return createPublicKey(pem).type === "public" && pem.includes("-----BEGIN PUBLIC KEY-----");
  } catch {
    return false;
  }
}

type BaseShape = ReturnType<typeof baseConfigShape>;

/** The configuration schema of one service: the shared variables plus its own. */
export function serviceConfigSchema<Extra extends z.ZodRawShape = Record<never, never>>(options: {
  defaultPort: number;
  extra?: Extra;
}) {
  return z
    .object({ ...baseConfigShape(options.defaultPort), ...(options.extra ?? ({} as Extra)) })
    .superRefine((config, ctx) => {
      for (const [variable, message] of jwtSettingProblems(config as Partial<BaseServiceConfig>)) {
        ctx.addIssue({ code: "custom", path: [variable], message });
      }
    });
}

export type BaseServiceConfig = z.output<z.ZodObject<BaseShape>>;

function jwtSettingProblems(config: Partial<BaseServiceConfig>): Array<[string, string]> {
  const jwtVariables = ["AUTH_JWT_ISSUER", "AUTH_JWT_AUDIENCE", "AUTH_JWKS_URL", "AUTH_JWT_PUBLIC_KEY"] as const;
  if (!jwtVariables.some((name) => config[name] !== undefined)) return [];
  const problems: Array<[string, string]> = [];
  for (const name of ["AUTH_JWT_ISSUER", "AUTH_JWT_AUDIENCE"] as const) {
    if (config[name] === undefined) problems.push([name, "is required when JWT authentication is configured"]);
  }
  if ((config.AUTH_JWKS_URL === undefined) === (config.AUTH_JWT_PUBLIC_KEY === undefined)) {
    problems.push([
      "AUTH_JWKS_URL",
      "or AUTH_JWT_PUBLIC_KEY (exactly one of them) is required when JWT authentication is configured",
    ]);
  }
  return problems;
}

/**
 * Validates the environment against a service's schema, reporting every missing or
 * malformed variable in one error. Values are never echoed: some are secrets.
 */
export function loadConfig<S extends z.ZodType>(
  schema: S,
  env: Record<string, string | undefined> = process.env,
): z.output<S> {
  const set = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ""));
  const result = schema.safeParse(set);
  if (result.success) return result.data;
  const issues: ConfigIssue[] = result.error.issues.map((issue) => ({
    variable: issue.path.map(String).join(".") || "(environment)",
    message: issue.message,
  }));
  throw new ConfigError(issues);
}
