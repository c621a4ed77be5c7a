// An empty devnet takes the project's contracts as signed contract-deploy
// transactions: Clarity 4 at the project's epoch, served by the source route,
// callable once mined, refused a second time, and kept across a restart.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Cl, ClarityVersion, PostConditionMode, makeContractDeploy } from "@stacks/transactions";
import { startDevnet, type Devnet } from "@voltstack/devnet";
import { afterAll, describe, expect, it } from "vitest";
import {
  account,
  broadcast,
  contractCall,
  getJson,
  getTx,
  postTransaction,
  type Signer,
  lastFacilityId,
} from "./devnet-client.js";

const CONTRACTS_DIR = new URL("../../../contracts/", import.meta.url);
const source = (name: string) => readFileSync(new URL(`${name}.clar`, CONTRACTS_DIR), "utf8");

const dataDir = mkdtempSync(join(tmpdir(), "voltstack-devnet-deploy-"));
const running: Devnet[] = [];

async function start(): Promise<Devnet> {
  const devnet = await startDevnet({ port: 0, blockIntervalMs: 0, dataDir, empty: true });
  running.push(devnet);
  return devnet;
}

afterAll(async () => {
  await Promise.all(running.map((devnet) => devnet.stop()));
  rmSync(dataDir, { recursive: true, force: true });
});

function deploy(signer: Signer, name: string, nonce: number, codeBody = source(name)) {
  return makeContractDeploy({
    contractName: name,
    codeBody,
    clarityVersion: ClarityVersion.Clarity4,
    senderKey: signer.secretKey,
    network: "devnet",
    nonce,
    fee: 50_000,
    postConditionMode: PostConditionMode.Deny,
  });
}

describe("contract deployment on an empty devnet", () => {
  it("starts with the accounts funded and no contract, deploys Clarity 4 contracts in order, and keeps them across a restart", async () => {
    const first = await start();
    const deployer = account(first, "deployer");
    const missing = await getJson(first, `/v2/contracts/source/${deployer.address}/facility-registry?proof=0`);
    expect(missing.status).toBe(404);
    const funded = await getJson<{ balance: string; nonce: number }>(first, `/v2/accounts/${deployer.address}?proof=0`);
    expect(BigInt(funded.body.balance)).toBeGreaterThan(0n);
    expect(funded.body.nonce).toBe(0);

    // capacity-tracking calls facility-registry: in one block, in nonce order, both deploy.
    const registry = await broadcast(first, await deploy(deployer, "facility-registry", 0));
    const capacity = await broadcast(first, await deploy(deployer, "capacity-tracking", 1));
    const height = await first.mineBlock();
    for (const txid of [registry, capacity]) {
      const tx = await getTx(first, txid);
      expect(tx).toMatchObject({ tx_status: "success", block_height: height });
    }
    const served = await getJson<{ source: string; publish_height: number }>(
      first,
      `/v2/contracts/source/${deployer.address}/capacity-tracking?proof=0`,
    );
    expect(served.status).toBe(200);
    expect(served.body.source).toBe(source("capacity-tracking"));

    const again = await postTransaction(first, await deploy(deployer, "facility-registry", 2));
    expect(again.status).toBe(400);
    expect(again.body).toMatchObject({ reason: "ContractAlreadyExists" });

    const owner = account(first, "wallet_1");
    const registered = await broadcast(
      first,
      await contractCall(
        first,
        owner,
        "facility-registry",
        "register-facility",
        [Cl.stringUtf8("Deployed"), Cl.stringUtf8("NL"), Cl.uint(10), Cl.uint(5)],
        { nonce: 0 },
      ),
    );
    await first.mineBlock();
    expect((await getTx(first, registered)).tx_status).toBe("success");
    expect(await lastFacilityId(first)).toBe("u1");
    await first.stop();

    const second = await start();
    expect((await getTx(second, capacity)).tx_status).toBe("success");
    expect(await lastFacilityId(second)).toBe("u1");
    const kept = await getJson<{ source: string }>(
      second,
      `/v2/contracts/source/${deployer.address}/facility-registry?proof=0`,
    );
    expect(kept.body.source).toBe(source("facility-registry"));
  });

  it("mines a contract that does not type-check as aborted, charging only its fee", async () => {
    const devnet = await startDevnet({ port: 0, blockIntervalMs: 0, empty: true });
    running.push(devnet);
    const deployer = account(devnet, "deployer");
    const balance = async () =>
      BigInt((await getJson<{ balance: string }>(devnet, `/v2/accounts/${deployer.address}?proof=0`)).body.balance);
    const before = await balance();
    const txid = await broadcast(devnet, await deploy(deployer, "broken", 0, "(define-public (f) (ok (+ u1 1)))"));
    await devnet.mineBlock();
    const tx = await getTx(devnet, txid);
    expect(tx.tx_status).toBe("abort_by_response");
    expect(before - (await balance())).toBe(50_000n);
    const served = await getJson(devnet, `/v2/contracts/source/${deployer.address}/broken?proof=0`);
    expect(served.status).toBe(404);
  });
});
