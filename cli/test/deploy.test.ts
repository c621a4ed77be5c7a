// `voltstack deploy` against an empty devnet: the plan changes nothing, the five
// contracts are deployed in dependency order with the record written, a deployed
// contract can be called, a second run sends nothing, and a changed source is
// refused before anything is sent.
import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Cl, makeContractCall, PostConditionMode } from "@stacks/transactions";
import { parseDeploymentRecord, sourceSha256 } from "@voltstack/chain";
import { applyDeploymentRecord } from "@voltstack/chain-sync";
import { startDevnet, type Devnet } from "@voltstack/devnet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployContracts, type DeployOptions } from "../src/deploy/deploy-contracts.js";
import { DeployError } from "../src/deploy/deploy-error.js";
import { readDeployerKey } from "../src/deploy/deployer-key.js";

const REPOSITORY = fileURLToPath(new URL("../../", import.meta.url));
const ORDER = ["facility-registry", "capacity-tracking", "charge-discharge", "revenue-sharing", "grid-services"];

const work = mkdtempSync(join(tmpdir(), "voltstack-deploy-"));
let devnet: Devnet;
let deployer: { address: string; secretKey: string };
let keyFile: string;

/** A copy of the project's manifest, plan, accounts and contracts, so a test may change a source. */
function projectCopy(name: string): string {
  const root = join(work, name);
  mkdirSync(join(root, "deployments"), { recursive: true });
  cpSync(join(REPOSITORY, "Clarinet.toml"), join(root, "Clarinet.toml"));
  cpSync(join(REPOSITORY, "settings", "Devnet.toml"), join(root, "settings", "Devnet.toml"));
  cpSync(
    join(REPOSITORY, "deployments", "default.simnet-plan.yaml"),
    join(root, "deployments", "default.simnet-plan.yaml"),
  );
  for (const contract of ORDER) {
    cpSync(join(REPOSITORY, "contracts", `${contract}.clar`), join(root, "contracts", `${contract}.clar`));
  }
  return root;
}

const root = projectCopy("project");
const recordPath = join(root, "deployments", "devnet.json");

function options(overrides: Partial<DeployOptions> = {}): DeployOptions {
  return { network: "devnet", keyFile, apiUrl: devnet.url, root, pollIntervalMs: 100, ...overrides };
}

async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(`${devnet.url}${path}`);
  if (!response.ok) throw new Error(`GET ${path}: HTTP ${response.status}`);
  return (await response.json()) as T;
}

/** What a run may change on chain: the deployer's nonce and the mempool. */
async function chainActivity(): Promise<{ nonce: number; mempool: number }> {
  const account = await getJson<{ nonce: number }>(`/v2/accounts/${deployer.address}?proof=0`);
  const mempool = await getJson<{ total: number }>(`/extended/v1/tx/mempool`);
  return { nonce: account.nonce, mempool: mempool.total };
}

async function refusal(run: Promise<unknown>): Promise<DeployError> {
  try {
    await run;
  } catch (error) {
    expect(error).toBeInstanceOf(DeployError);
    return error as DeployError;
  }
  throw new Error("expected the deployment to be refused");
}

beforeAll(async () => {
  // A short block time: the command waits for each deployment as it would on a real chain.
  devnet = await startDevnet({ port: 0, blockIntervalMs: 200, empty: true });
  deployer = devnet.accounts.get("deployer")!;
  keyFile = join(work, "deployer.key");
  writeFileSync(keyFile, `${deployer.secretKey}\n`, { mode: 0o600 });
});

afterAll(async () => {
  await devnet?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe("voltstack deploy", () => {
  it("plans the five deployments on an empty chain without sending or writing anything", async () => {
    const before = await chainActivity();
    const report = await deployContracts(options({ plan: true }));
    expect(report.contracts.map((contract) => [contract.name, contract.state, contract.nonce])).toEqual(
      ORDER.map((name, index) => [name, "to-deploy", String(before.nonce + index)]),
    );
    for (const contract of report.contracts) {
      expect(contract.contractId).toBe(`${deployer.address}.${contract.name}`);
      expect(contract.sourceSha256).toBe(sourceSha256(readFileSync(join(root, "contracts", `${contract.name}.clar`))));
      expect(BigInt(contract.feeUstx!)).toBeGreaterThan(0n);
    }
    expect(report.costs.map((cost) => cost.name)).toEqual(ORDER);
    for (const cost of report.costs) expect(cost.percentOfBlock).toBeLessThan(25);
    expect(await chainActivity()).toEqual(before);
    expect(existsSync(recordPath)).toBe(false);
  });

  it("deploys the five contracts in dependency order, one confirmed block after another, and records them", async () => {
    const report = await deployContracts(options());
    expect(report.contracts.map((contract) => [contract.name, contract.state])).toEqual(
      ORDER.map((name) => [name, "deployed-now"]),
    );
    const record = parseDeploymentRecord(readFileSync(recordPath, "utf8"), recordPath);
    expect(record).toMatchObject({ network: "devnet", deployer: deployer.address, apiUrl: devnet.url });
    expect(Object.keys(record.contracts)).toEqual(ORDER);
    const heights = ORDER.map((name) => record.contracts[name]!.blockHeight);
    // Each deployment was sent only after the one before it was mined.
    for (let index = 1; index < heights.length; index += 1)
      expect(heights[index]!).toBeGreaterThan(heights[index - 1]!);
    for (const name of ORDER) {
      const entry = record.contracts[name]!;
      expect(entry).toMatchObject({ contractId: `${deployer.address}.${name}`, clarityVersion: 4 });
      const tx = await getJson<{ status: string; block: { height: number } }>(
        `/extended/v3/transactions/0x${entry.txid}`,
      );
      expect(tx).toMatchObject({ status: "success", block: { height: entry.blockHeight } });
      const served = await getJson<{ source: string }>(`/v2/contracts/source/${deployer.address}/${name}?proof=0`);
      expect(sourceSha256(served.source)).toBe(entry.sourceSha256);
    }
    // The services accept the record: same sources as the ones they ship.
    expect(applyDeploymentRecord({ DEPLOYMENT_RECORD: recordPath })).toMatchObject({
      STACKS_NETWORK: "devnet",
      CONTRACT_DEPLOYER: deployer.address,
      CHAIN_SYNC_FROM_HEIGHT: String(heights[0]),
    });
  });

  it("lets an owner call a deployed contract", async () => {
    const owner = devnet.accounts.get("wallet_1")!;
    const call = await makeContractCall({
      contractAddress: deployer.address,
      contractName: "facility-registry",
      functionName: "register-facility",
      functionArgs: [Cl.stringUtf8("Riverside"), Cl.stringUtf8("Substation 14"), Cl.uint(5_000), Cl.uint(1_000)],
      senderKey: owner.secretKey,
      network: "devnet",
      client: { baseUrl: devnet.url },
      nonce: 0,
      fee: 10_000,
      postConditionMode: PostConditionMode.Deny,
    });
    const posted = await fetch(`${devnet.url}/v2/transactions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ tx: call.serialize() }),
    });
    const txid = ((await posted.json()) as string).replace(/^0x/, "");
    await expect
      .poll(
        async () => {
          const response = await fetch(`${devnet.url}/extended/v3/transactions/0x${txid}?include=result`);
          return response.ok ? ((await response.json()) as { status: string; result?: { repr: string } }) : undefined;
        },
        { timeout: 30_000, interval: 100 },
      )
      .toMatchObject({ status: "success", result: { repr: "(ok u1)" } });
  });

  it("sends nothing and leaves the record as it is when run again", async () => {
    const before = await chainActivity();
    const written = readFileSync(recordPath, "utf8");
    const report = await deployContracts(options());
    expect(report.contracts.every((contract) => contract.state === "deployed")).toBe(true);
    expect(report.recordWritten).toBe(false);
    expect(await chainActivity()).toEqual(before);
    expect(readFileSync(recordPath, "utf8")).toBe(written);

    const plan = await deployContracts(options({ plan: true }));
    expect(plan.contracts.map((contract) => contract.state)).toEqual(ORDER.map(() => "deployed"));
  });

  it("rebuilds a lost record from the chain, without the transactions it cannot know", async () => {
    const elsewhere = join(work, "rebuilt.json");
    const before = await chainActivity();
    const report = await deployContracts(options({ recordPath: elsewhere }));
    expect(report.recordWritten).toBe(true);
    expect(await chainActivity()).toEqual(before);
    const record = parseDeploymentRecord(readFileSync(elsewhere, "utf8"), elsewhere);
    expect(Object.keys(record.contracts)).toEqual(ORDER);
    expect(Object.values(record.contracts).every((contract) => contract.txid === null)).toBe(true);
  });

  it("refuses a changed source under a deployed name, naming the contract and both hashes, before sending anything", async () => {
    const changedRoot = projectCopy("changed");
    const path = join(changedRoot, "contracts", "grid-services.clar");
    const deployedSha256 = sourceSha256(readFileSync(path));
    writeFileSync(path, `${readFileSync(path, "utf8")}\n;; changed after deployment\n`);
    const before = await chainActivity();
    const error = await refusal(deployContracts(options({ root: changedRoot, plan: true })));
    expect(error.code).toBe("CONTRACT_SOURCE_MISMATCH");
    expect(error.details.mismatches).toEqual([
      {
        contract: "grid-services",
        contractId: `${deployer.address}.grid-services`,
        deployedSha256,
        localSha256: sourceSha256(readFileSync(path)),
      },
    ]);
    expect((await refusal(deployContracts(options({ root: changedRoot })))).code).toBe("CONTRACT_SOURCE_MISMATCH");
    expect(await chainActivity()).toEqual(before);
    expect(existsSync(join(changedRoot, "deployments", "devnet.json"))).toBe(false);
  });

  it("answers --json with the plan from the command line, and a refusal with its code", async () => {
    // Asynchronously: the devnet answering the CLI runs in this process.
    const cli = (args: string[]) =>
      new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
        const bin = join(REPOSITORY, "cli", "bin", "voltstack.js");
        execFile(process.execPath, [bin, "deploy", ...args, "--json"], { cwd: REPOSITORY }, (error, stdout, stderr) =>
          resolve({ status: error ? (typeof error.code === "number" ? error.code : null) : 0, stdout, stderr }),
        );
      });
    const common = ["--network", "devnet", "--api-url", devnet.url, "--record", recordPath];
    const planned = await cli([...common, "--deployer-key-file", keyFile, "--plan"]);
    expect(planned.stderr).not.toContain("Error");
    expect(planned.status).toBe(0);
    const report = JSON.parse(planned.stdout) as { plan: boolean; contracts: { state: string }[] };
    expect(report.plan).toBe(true);
    expect(report.contracts.map((contract) => contract.state)).toEqual(ORDER.map(() => "deployed"));
    expect(planned.stdout + planned.stderr).not.toContain(deployer.secretKey.slice(0, 64));

    const mnemonic = join(work, "mnemonic.key");
    writeFileSync(mnemonic, `${"abandon ".repeat(23)}art\n`, { mode: 0o600 });
    const refused = await cli([...common, "--deployer-key-file", mnemonic]);
    expect(refused.status).toBe(1);
    expect(JSON.parse(refused.stdout)).toMatchObject({ error: { code: "DEPLOYER_KEY_INVALID" } });
  });
});

describe("deployer key file", () => {
  it("takes a 64-digit key as the compressed key a wallet uses, and refuses anything else without echoing it", () => {
    const dir = mkdtempSync(join(work, "keys-"));
    const compressed = "7287ba251d44a4d3fd9276c88ce34c5c52a038955511cccaf77e61068649c17801";
    writeFileSync(join(dir, "bare"), `0x${compressed.slice(0, 64)}\n`);
    writeFileSync(join(dir, "full"), compressed);
    const bare = readDeployerKey(join(dir, "bare"), "testnet");
    expect(bare.address).toBe(readDeployerKey(join(dir, "full"), "testnet").address);
    expect(bare.privateKey).toBe(compressed);
    expect(readDeployerKey(join(dir, "full"), "mainnet").address).toMatch(/^SP/);

    writeFileSync(join(dir, "short"), "abc123");
    try {
      readDeployerKey(join(dir, "short"), "testnet");
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ code: "DEPLOYER_KEY_INVALID" });
      expect((error as Error).message).not.toContain("abc123");
    }
    expect(() => readDeployerKey(join(dir, "absent"), "testnet")).toThrow(/DEPLOYER_KEY_UNREADABLE|cannot be read/);
  });
});
