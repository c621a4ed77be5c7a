import { describe, expect, it } from "vitest";
import {
  ConfigError,
  chainServiceChecks,
  chainServiceFields,
  loadConfig,
  serviceConfigSchema,
} from "@voltstack/service-kit";

// The fee and signing-lease variables of a chain service.

const schema = serviceConfigSchema({ defaultPort: 3103, extra: chainServiceFields }).superRefine(chainServiceChecks());
const SIGNER_KEYS = JSON.stringify([
  { principal: "ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM", privateKeyEnv: "ADMIN_KEY" },
]);

function issues(env: Record<string, string>): string[] {
  try {
    loadConfig(schema, { SIGNER_KEYS, ...env });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues.map((issue) => `${issue.variable} ${issue.message}`);
  }
  throw new Error("configuration was accepted");
}

describe("chain service fee and signing-lease configuration", () => {
  it("defaults: floor 1,000 and ceiling 1,000,000 micro-STX, a bump after a minute, 30 s leases, lease mode by network", () => {
    const config = loadConfig(schema, { SIGNER_KEYS });
    expect(config).toMatchObject({
      STACKS_FEE_FLOOR_USTX: 1_000,
      STACKS_FEE_CEILING_USTX: 1_000_000,
      STACKS_FEE_BUMP_AFTER_MS: 60_000,
      SIGNING_LEASE_TTL_MS: 30_000,
    });
    expect(config.SIGNING_LEASE).toBeUndefined();
  });

  it("reads the variables", () => {
    const config = loadConfig(schema, {
      SIGNER_KEYS,
      STACKS_FEE_FLOOR_USTX: "300",
      STACKS_FEE_CEILING_USTX: "50000",
      STACKS_FEE_BUMP_AFTER_MS: "0",
      SIGNING_LEASE: "off",
      SIGNING_LEASE_TTL_MS: "10000",
    });
    expect(config).toMatchObject({
      STACKS_FEE_FLOOR_USTX: 300,
      STACKS_FEE_CEILING_USTX: 50_000,
      STACKS_FEE_BUMP_AFTER_MS: 0,
      SIGNING_LEASE: "off",
      SIGNING_LEASE_TTL_MS: 10_000,
    });
  });

  it("refuses a ceiling below the floor, and malformed values", () => {
    expect(issues({ STACKS_FEE_FLOOR_USTX: "5000", STACKS_FEE_CEILING_USTX: "4000" })).toEqual([
      "STACKS_FEE_CEILING_USTX must not be below STACKS_FEE_FLOOR_USTX",
    ]);
    expect(issues({ STACKS_FEE_FLOOR_USTX: "-1", SIGNING_LEASE: "maybe", SIGNING_LEASE_TTL_MS: "500" })).toEqual([
      "STACKS_FEE_FLOOR_USTX must be at least 0",
      "SIGNING_LEASE must be one of on, off",
      "SIGNING_LEASE_TTL_MS must be at least 3000",
    ]);
  });
});
