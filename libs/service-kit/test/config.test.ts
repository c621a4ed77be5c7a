import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import {
  ConfigError,
  chainServiceChecks,
  chainServiceFields,
  envInt,
  envSchemaName,
  envString,
  loadConfig,
  serviceConfigSchema,
} from "@voltstack/service-kit";

const schema = serviceConfigSchema({
  defaultPort: 3101,
  extra: { SIGNER_KEY: envString(), BATCH_SIZE: envInt({ min: 1, max: 500, default: 50 }) },
});

const chainSchema = serviceConfigSchema({
  defaultPort: 3102,
  extra: { SAMPLE_SCHEMA: envSchemaName().default("sample"), ...chainServiceFields },
}).superRefine(chainServiceChecks({ signers: "an owner's" }));

const ADMIN = "ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM";

function problems(env: Record<string, string | undefined>, of: z.ZodType = schema): string[] {
  try {
    loadConfig(of, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe("INVALID_CONFIGURATION");
    return (error as ConfigError).issues.map((issue) => `${issue.variable} ${issue.message}`);
  }
  throw new Error("configuration was accepted");
}

describe("service configuration", () => {
  it("uses local defaults so a service starts with no setup", () => {
    const config = loadConfig(schema, { SIGNER_KEY: "k" });
    expect(config).toMatchObject({
      PORT: 3101,
      DATABASE_URL: "postgresql://postgres@127.0.0.1:5432/postgres",
      NATS_URL: "nats://127.0.0.1:4222",
      STACKS_API_URL: "http://127.0.0.1:3999",
      DATABASE_POOL_MAX: 10,
      BATCH_SIZE: 50,
      SIGNER_KEY: "k",
    });
    expect(config.AUTH_API_KEYS).toBeUndefined();
  });

  it("reports every missing or malformed variable at once, by name", () => {
    const found = problems({
      PORT: "eighty",
      DATABASE_URL: "mysql://db/x",
      NATS_URL: "not a url",
      DATABASE_POOL_MAX: "0",
      BATCH_SIZE: "1000",
      NODE_ENV: "staging",
      AUTH_API_KEYS: "[{",
    });
    expect(found).toEqual(
      expect.arrayContaining([
        "PORT must be a whole number between 0 and 65535",
        "DATABASE_URL must start with postgresql:// or postgres://",
        "NATS_URL must be a URL starting with nats:// or tls://",
        "DATABASE_POOL_MAX must be at least 1",
        "BATCH_SIZE must be at most 500",
        "NODE_ENV must be one of development, test, production",
        "AUTH_API_KEYS must be valid JSON",
        "SIGNER_KEY is required but not set",
      ]),
    );
    expect(found).toHaveLength(8);
  });

  it("treats empty variables as unset and checks API key entries field by field", () => {
    expect(loadConfig(schema, { SIGNER_KEY: "k", PORT: "" }).PORT).toBe(3101);
    const found = problems({
      SIGNER_KEY: "k",
      AUTH_API_KEYS: JSON.stringify([{ name: "ops", sha256: "abc", role: "root", principals: ["not-a-principal"] }]),
    });
    expect(found).toEqual(
      expect.arrayContaining([
        "AUTH_API_KEYS.0.sha256 must be the SHA-256 of the key as 64 lower-case hex digits",
        expect.stringMatching(/^AUTH_API_KEYS\.0\.role /),
        "AUTH_API_KEYS.0.principals.0 must be a Stacks principal (S... address, optionally .contract-name)",
      ]),
    );
  });

  it("requires issuer, audience and one key source together for JWTs", () => {
    expect(problems({ SIGNER_KEY: "k", AUTH_JWKS_URL: "https://idp.example.com/jwks" })).toEqual([
      "AUTH_JWT_ISSUER is required when JWT authentication is configured",
      "AUTH_JWT_AUDIENCE is required when JWT authentication is configured",
    ]);
    expect(problems({ SIGNER_KEY: "k", AUTH_JWT_ISSUER: "https://idp", AUTH_JWT_AUDIENCE: "voltstack" })).toEqual([
      "AUTH_JWKS_URL or AUTH_JWT_PUBLIC_KEY (exactly one of them) is required when JWT authentication is configured",
    ]);
  });

  it("checks a static JWT key is a PEM public key, accepting escaped newlines", () => {
    const { publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const pem = publicKey.export({ type: "spki", format: "pem" }).toString();
    const jwt = { SIGNER_KEY: "k", AUTH_JWT_ISSUER: "https://idp", AUTH_JWT_AUDIENCE: "voltstack" };
    expect(loadConfig(schema, { ...jwt, AUTH_JWT_PUBLIC_KEY: pem.replaceAll("\n", "\\n") }).AUTH_JWT_PUBLIC_KEY).toBe(
      pem,
    );
    expect(
      problems({ ...jwt, AUTH_JWT_PUBLIC_KEY: "-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----" }),
    ).toEqual(["AUTH_JWT_PUBLIC_KEY must be a PEM public key (-----BEGIN PUBLIC KEY-----)"]);
  });

  it("never echoes values, which may be secrets", () => {
    let message = "";
    try {
      loadConfig(schema, { SIGNER_KEY: "k", DATABASE_URL: "mysql://admin:s3cret@db/x" });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain("DATABASE_URL must start with postgresql://");
    expect(message).not.toContain("s3cret");
  });
});

describe("chain service configuration", () => {
  const signerKeys = JSON.stringify([{ principal: ADMIN, privateKeyEnv: "ADMIN_KEY" }]);

  it("defaults to the local devnet", () => {
    expect(loadConfig(chainSchema, { SIGNER_KEYS: signerKeys })).toMatchObject({
      SAMPLE_SCHEMA: "sample",
      STACKS_NETWORK: "devnet",
      CONTRACT_DEPLOYER: ADMIN,
      SIGNER_KEYS: [{ principal: ADMIN, privateKeyEnv: "ADMIN_KEY" }],
      CHAIN_SYNC_FROM_HEIGHT: 0,
      CHAIN_POLL_INTERVAL_MS: 10_000,
      STACKS_API_REQUESTS_PER_MINUTE: 120,
      STACKS_API_MAX_CONCURRENT: 4,
      CHAIN_CONFIRMATION_TIMEOUT_MS: 120_000,
    });
  });

  it("needs a signer key, and a way to authenticate callers in production", () => {
    expect(problems({}, chainSchema)).toEqual([
      "SIGNER_KEYS must list at least one principal the service signs for (an owner's)",
    ]);
    expect(problems({ NODE_ENV: "production", SIGNER_KEYS: signerKeys, AUTH_API_KEYS: "[]" }, chainSchema)).toEqual([
      "AUTH_API_KEYS or JWT settings are required in production: every mutating endpoint needs a caller",
    ]);
    const jwt = { AUTH_JWT_ISSUER: "https://idp", AUTH_JWT_AUDIENCE: "voltstack", AUTH_JWKS_URL: "https://idp/jwks" };
    expect(loadConfig(chainSchema, { NODE_ENV: "production", SIGNER_KEYS: signerKeys, ...jwt }).NODE_ENV).toBe(
      "production",
    );
    expect(
      problems(
        {},
        serviceConfigSchema({ defaultPort: 0, extra: chainServiceFields }).superRefine(chainServiceChecks()),
      ),
    ).toEqual(["SIGNER_KEYS must list at least one principal the service signs for (an admin's, usually)"]);
  });

  it("takes each key from a file or another variable, never inline", () => {
    const found = problems(
      {
        SAMPLE_SCHEMA: "Sample",
        SIGNER_KEYS: JSON.stringify([
          { principal: ADMIN, privateKeyFile: "/run/secrets/admin" },
          { principal: ADMIN, privateKeyEnv: "admin_key" },
          { principal: ADMIN, privateKey: "00" },
        ]),
      },
      chainSchema,
    );
    expect(found).toEqual([
      "SAMPLE_SCHEMA must be a lower-case PostgreSQL schema name",
      "SIGNER_KEYS.1.privateKeyEnv must name an environment variable",
      expect.stringMatching(/^SIGNER_KEYS\.2 /),
    ]);
  });
});
