import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  CONTRACT_ERROR_CONSTANTS,
  CONTRACT_KEYS,
  ContractError,
  isContractError,
  lookupErrorConstant,
} from "../src/index.js";
import { parseErrorConstants } from "../src/error-constant-parser.js";

const contractsDir = join(import.meta.dirname, "..", "..", "..", "contracts");

describe("contract error constants", () => {
  it.each(CONTRACT_KEYS)(
    "the generated table matches %s.clar (regenerate with scripts/generate-contract-errors.ts)",
    (contract) => {
      const parsed = parseErrorConstants(readFileSync(join(contractsDir, `${contract}.clar`), "utf8"));
      expect(Object.keys(parsed).length).toBeGreaterThan(5);
      expect(CONTRACT_ERROR_CONSTANTS[contract]).toEqual(parsed);
    },
  );

  it("parses constants and refuses a code declared under two names", () => {
    expect(parseErrorConstants("(define-constant ERR_A (err u7))\n(define-constant OTHER u1)")).toEqual({ 7: "ERR_A" });
    expect(() => parseErrorConstants("(define-constant ERR_A (err u7))(define-constant ERR_B (err u7))")).toThrow(
      /declared twice/,
    );
  });

  it("finds a nested contract's error when the called contract does not declare the code", () => {
    expect(lookupErrorConstant(4010n, "grid-services")).toEqual({
      contract: "grid-services",
      name: "ERR_REQUEST_NOT_OPEN",
    });
    expect(lookupErrorConstant(2006n, "grid-services")).toEqual({
      contract: "capacity-tracking",
      name: "ERR_INSUFFICIENT_AVAILABLE",
    });
    expect(lookupErrorConstant(9999n)).toBeUndefined();
  });

  it("names the constant in the error and matches it per contract", () => {
    const error = new ContractError(
      "ERR_NOT_ADMIN",
      "facility-registry",
      1000n,
      "ab",
      "ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM.facility-registry",
      "approve-facility",
    );
    expect(error.message).toContain("ERR_NOT_ADMIN (err u1000)");
    expect(isContractError(error, "facility-registry", "ERR_NOT_ADMIN")).toBe(true);
    expect(isContractError(error, "charge-discharge", "ERR_NOT_ADMIN")).toBe(false);
  });
});
