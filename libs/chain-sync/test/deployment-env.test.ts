// A chain service's configuration completed from a deployment record: the record
// supplies what the environment leaves unset, the environment wins, and a record
// for other sources or another network stops the start with a named code.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CONTRACT_KEYS, defaultContractsDir, sourceSha256 } from "@voltstack/chain";
import { applyDeploymentRecord } from "@voltstack/chain-sync";
import { chainServiceFields, loadConfig, serviceConfigSchema } from "@voltstack/service-kit";
import { afterAll, describe, expect, it } from "vitest";

const TESTNET_DEPLOYER = "ST2CY5V39NHDPWSXMW9QDT3HC3GD6Q6XX4CFRK9AG";
const OTHER_DEPLOYER = "ST2JHG361ZXG51QTKY2NQCVBPPRRE2KZB1HR05NNC";
const dir = mkdtempSync(join(tmpdir(), "voltstack-deployment-env-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const schema = serviceConfigSchema({ defaultPort: 0, extra: chainServiceFields });

function writeRecord(name: string, change: (hash: string, contract: string) => string = (hash) => hash): string {
  const contracts = Object.fromEntries(
    CONTRACT_KEYS.map((contract, index) => [
      contract,
      {
        contractId: `${TESTNET_DEPLOYER}.${contract}`,
        txid: `${index}`.padStart(64, "0"),
        blockHeight: 3_000 + index,
        sourceSha256: change(sourceSha256(readFileSync(join(defaultContractsDir(), `${contract}.clar`))), contract),
        clarityVersion: 4,
      },
    ]),
  );
  const path = join(dir, name);
  const record = { network: "testnet", deployer: TESTNET_DEPLOYER, contracts, deployedAt: new Date().toISOString() };
  writeFileSync(path, JSON.stringify(record));
  return path;
}

function failure(run: () => unknown): { code: string; message: string } {
  try {
    run();
  } catch (error) {
    return error as { code: string; message: string };
  }
  throw new Error("expected the start to be refused");
}

describe("configuration from a deployment record", () => {
  it("takes the deployer, the network and the first contract's block from the record", () => {
    const DEPLOYMENT_RECORD = writeRecord("testnet.json");
    const config = loadConfig(schema, applyDeploymentRecord({ DEPLOYMENT_RECORD }));
    expect(config).toMatchObject({
      DEPLOYMENT_RECORD,
      STACKS_NETWORK: "testnet",
      CONTRACT_DEPLOYER: TESTNET_DEPLOYER,
      CHAIN_SYNC_FROM_HEIGHT: 3_000,
    });
  });

  it("lets CONTRACT_DEPLOYER and CHAIN_SYNC_FROM_HEIGHT set in the environment win", () => {
    const DEPLOYMENT_RECORD = writeRecord("testnet.json");
    const env = { DEPLOYMENT_RECORD, CONTRACT_DEPLOYER: OTHER_DEPLOYER, CHAIN_SYNC_FROM_HEIGHT: "0" };
    expect(loadConfig(schema, applyDeploymentRecord(env))).toMatchObject({
      CONTRACT_DEPLOYER: OTHER_DEPLOYER,
      CHAIN_SYNC_FROM_HEIGHT: 0,
    });
  });

  it("changes nothing without DEPLOYMENT_RECORD", () => {
    const env = { STACKS_NETWORK: "mainnet" };
    expect(applyDeploymentRecord(env)).toBe(env);
    expect(applyDeploymentRecord({ DEPLOYMENT_RECORD: "" })).toEqual({ DEPLOYMENT_RECORD: "" });
  });

  it("refuses to start on sources other than the shipped contracts", () => {
    const DEPLOYMENT_RECORD = writeRecord("changed.json", (hash, contract) =>
      contract === "grid-services" ? sourceSha256("(changed)") : hash,
    );
    const refused = failure(() => applyDeploymentRecord({ DEPLOYMENT_RECORD }));
    expect(refused.code).toBe("DEPLOYED_SOURCE_MISMATCH");
    expect(refused.message).toContain(`${TESTNET_DEPLOYER}.grid-services`);
  });

  it("refuses a record for another network than STACKS_NETWORK, and one that cannot be read", () => {
    const DEPLOYMENT_RECORD = writeRecord("testnet.json");
    expect(failure(() => applyDeploymentRecord({ DEPLOYMENT_RECORD, STACKS_NETWORK: "mainnet" })).code).toBe(
      "DEPLOYMENT_NETWORK_MISMATCH",
    );
    expect(failure(() => applyDeploymentRecord({ DEPLOYMENT_RECORD: join(dir, "none.json") })).code).toBe(
      "DEPLOYMENT_RECORD_UNREADABLE",
    );
  });
});
