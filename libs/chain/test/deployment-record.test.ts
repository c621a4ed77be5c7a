// The deployment record as services read it: a malformed record, a missing
// contract or a source other than the one shipped stops them with a named code.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ChainError,
  CONTRACT_KEYS,
  checkDeployedSources,
  defaultContractsDir,
  type DeploymentRecord,
  deploymentStartHeight,
  parseDeploymentRecord,
  readDeploymentRecord,
  sourceSha256,
} from "@voltstack/chain";
import { afterAll, describe, expect, it } from "vitest";

const DEPLOYER = "ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM";
const MAINNET_DEPLOYER = "SP2J6ZY48GV1EZ5V2V5RB9MP66SW86PYKKNRV9EJ7";
const dir = mkdtempSync(join(tmpdir(), "voltstack-record-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function shippedRecord(overrides: Partial<DeploymentRecord> = {}): DeploymentRecord {
  const contracts = Object.fromEntries(
    CONTRACT_KEYS.map((name, index) => [
      name,
      {
        contractId: `${DEPLOYER}.${name}`,
        txid: "ab".repeat(32),
        blockHeight: 10 + index,
        sourceSha256: sourceSha256(readFileSync(join(defaultContractsDir(), `${name}.clar`))),
        clarityVersion: 4,
      },
    ]),
  );
  return { network: "testnet", deployer: DEPLOYER, contracts, deployedAt: "2026-12-05T10:00:00.000Z", ...overrides };
}

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ChainError);
    return (error as ChainError).code;
  }
  throw new Error("expected a ChainError");
}

describe("deployment record", () => {
  it("reads a record written by the deploy command, and starts following at its first contract's block", () => {
    const path = join(dir, "testnet.json");
    writeFileSync(path, JSON.stringify(shippedRecord({ apiUrl: "https://node.example" }), null, 2));
    const record = readDeploymentRecord(path);
    expect(record).toMatchObject({ network: "testnet", deployer: DEPLOYER, apiUrl: "https://node.example" });
    expect(record.contracts["grid-services"]!.blockHeight).toBe(14);
    expect(deploymentStartHeight(record)).toBe(10);
    expect(() => checkDeployedSources(record)).not.toThrow();
  });

  it("names an unreadable file and every malformed field", () => {
    expect(codeOf(() => readDeploymentRecord(join(dir, "absent.json")))).toBe("DEPLOYMENT_RECORD_UNREADABLE");
    const problem = (value: unknown) => {
      try {
        parseDeploymentRecord(JSON.stringify(value), "r.json");
      } catch (error) {
        expect((error as ChainError).code).toBe("DEPLOYMENT_RECORD_INVALID");
        return (error as ChainError).details.problem;
      }
      return undefined;
    };
    expect(() => parseDeploymentRecord("{", "r.json")).toThrow(
      /r\.json is not a valid deployment record: it is not JSON/,
    );
    expect(problem({ ...shippedRecord(), network: "regtest" })).toBe("network must be one of devnet, testnet, mainnet");
    expect(problem({ ...shippedRecord(), network: "mainnet" })).toBe(`deployer ${DEPLOYER} is not a mainnet address`);
    expect(problem({ ...shippedRecord(), deployer: MAINNET_DEPLOYER })).toBe(
      `deployer ${MAINNET_DEPLOYER} is not a testnet address`,
    );
    const record = shippedRecord();
    const withEntry = (entry: Record<string, unknown>) => ({
      ...record,
      contracts: { ...record.contracts, "facility-registry": { ...record.contracts["facility-registry"], ...entry } },
    });
    expect(problem(withEntry({ contractId: "ST000000000000000000002AMW42H.facility-registry" }))).toBe(
      `contracts["facility-registry"].contractId must be "${DEPLOYER}.facility-registry"`,
    );
    expect(problem(withEntry({ sourceSha256: "ABC" }))).toMatch(/sourceSha256 must be 64 lower-case hex digits/);
    expect(problem(withEntry({ blockHeight: -1 }))).toMatch(/blockHeight must be a non-negative whole number/);
    expect(problem(withEntry({ txid: "nope" }))).toMatch(/txid must be a transaction id/);
    expect(problem({ ...record, deployedAt: "yesterday" })).toBe("deployedAt must be an ISO 8601 time");
    // A contract found already deployed has no known transaction.
    expect(problem(withEntry({ txid: null }))).toBeUndefined();
  });

  it("refuses a deployed source other than the shipped one, naming the contract and both hashes", () => {
    const record = shippedRecord();
    const deployedSha256 = sourceSha256("(define-constant changed true)");
    record.contracts["revenue-sharing"]!.sourceSha256 = deployedSha256;
    try {
      checkDeployedSources(record);
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({
        code: "DEPLOYED_SOURCE_MISMATCH",
        details: {
          contract: "revenue-sharing",
          contractId: `${DEPLOYER}.revenue-sharing`,
          deployedSha256,
          shippedSha256: sourceSha256(readFileSync(join(defaultContractsDir(), "revenue-sharing.clar"))),
        },
      });
      expect((error as Error).message).toContain(deployedSha256);
    }
  });

  it("compares against the contracts directory it is given, and refuses a record missing a contract", () => {
    const contractsDir = mkdtempSync(join(dir, "contracts-"));
    writeFileSync(join(contractsDir, "facility-registry.clar"), "(define-constant a u1)\n");
    const record = shippedRecord();
    const only = { contractsDir, contracts: ["facility-registry"] };
    expect(codeOf(() => checkDeployedSources(record, only))).toBe("DEPLOYED_SOURCE_MISMATCH");
    record.contracts["facility-registry"]!.sourceSha256 = sourceSha256("(define-constant a u1)\n");
    expect(() => checkDeployedSources(record, only)).not.toThrow();
    delete record.contracts["grid-services"];
    expect(codeOf(() => checkDeployedSources(record, { contractsDir, contracts: ["grid-services"] }))).toBe(
      "DEPLOYMENT_RECORD_INCOMPLETE",
    );
  });
});
