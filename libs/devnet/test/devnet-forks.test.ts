// Forks: the top blocks are orphaned and a longer branch replaces them, as a
// Bitcoin reorganisation does on the real chain. What the node routes and the
// API routes show afterwards, with the orphaned transactions mined again or
// back in the mempool, across a restart, and through the HTTP control route.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { devnetControl, startDevnet, type Devnet } from "@voltstack/devnet";
import { Cl } from "@stacks/transactions";
import { afterAll, describe, expect, it } from "vitest";
import { account, broadcast, contractCall, getJson, stxBalance, type Signer, lastFacilityId } from "./devnet-client.js";

// Every fork builds a fresh simnet (seconds on a busy 2-core machine) and replays the chain.
const FORK_TEST_TIMEOUT_MS = 180_000;

const running: Devnet[] = [];
const dirs: string[] = [];

async function start(dataDir?: string): Promise<Devnet> {
  const devnet = await startDevnet({ port: 0, blockIntervalMs: 0, ...(dataDir ? { dataDir } : {}) });
  running.push(devnet);
  return devnet;
}

afterAll(async () => {
  await Promise.all(running.map((devnet) => devnet.stop()));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

interface ContractLogs {
  total: number;
  cursor: string | null;
  results: { tx_id: string }[];
}

interface V3Transaction {
  tx_id: string;
  status: string;
  block?: { height: number; hash: string };
}

interface V2Block {
  height: number;
  hash: string;
  canonical: boolean;
}

const registryLogs = (devnet: Devnet) =>
  getJson<ContractLogs>(
    devnet,
    `/extended/v2/smart-contracts/${account(devnet, "deployer").address}.facility-registry/logs`,
  );

async function register(devnet: Devnet, owner: Signer, name: string, nonce: number): Promise<string> {
  const tx = await contractCall(
    devnet,
    owner,
    "facility-registry",
    "register-facility",
    [Cl.stringUtf8(name), Cl.stringUtf8("NL"), Cl.uint(10), Cl.uint(5)],
    { nonce },
  );
  return `0x${await broadcast(devnet, tx)}`;
}

const block = async (devnet: Devnet, id: number | string) =>
  (await getJson<V2Block>(devnet, `/extended/v2/blocks/${id}`)).body;
const v3Tx = (devnet: Devnet, txid: string) => getJson<V3Transaction>(devnet, `/extended/v3/transactions/${txid}`);
const tipHeight = async (devnet: Devnet) =>
  (await getJson<{ stacks_tip_height: number }>(devnet, "/v2/info")).body.stacks_tip_height;

describe("forks", () => {
  it(
    "keep none: the orphaned call's logs, state, fee and nonce are gone and it is pending again",
    { timeout: FORK_TEST_TIMEOUT_MS },
    async () => {
      const devnet = await start();
      const owner = account(devnet, "wallet_1");
      await devnet.mineBlock();
      const idBefore = await lastFacilityId(devnet);
      const balanceBefore = await stxBalance(devnet, owner.address);
      const logsBefore = (await registryLogs(devnet)).body.total;

      const txid = await register(devnet, owner, "Orphaned", 0);
      const minedAt = await devnet.mineBlock();
      const orphanedHash = (await block(devnet, minedAt)).hash;
      const parentHash = (await block(devnet, minedAt - 1)).hash;
      expect((await v3Tx(devnet, txid)).body).toMatchObject({ status: "success", block: { height: minedAt } });
      expect((await registryLogs(devnet)).body.total).toBe(logsBefore + 1);
      expect(await lastFacilityId(devnet)).not.toBe(idBefore);

      const result = await devnet.fork({ depth: 2, keep: "none" });
      expect(result).toEqual({
        orphaned: [
          { height: minedAt - 1, hash: parentHash, txids: [] },
          { height: minedAt, hash: orphanedHash, txids: [txid] },
        ],
        newTip: { height: minedAt + 1, hash: expect.stringMatching(/^0x[0-9a-f]{64}$/) },
        reincluded: [],
        returnedToMempool: [txid],
        dropped: [],
      });
      expect(await tipHeight(devnet)).toBe(minedAt + 1);
      // Heights are reused by the new branch with new hashes.
      const replacement = await block(devnet, minedAt);
      expect(replacement.hash).not.toBe(orphanedHash);
      expect((await block(devnet, minedAt - 1)).hash).not.toBe(parentHash);
      expect((await block(devnet, minedAt + 1)).hash).toBe(result.newTip.hash);
      // The v2 block route reads canonical blocks only; the deprecated v1 one still finds the orphan.
      expect((await getJson(devnet, `/extended/v2/blocks/${orphanedHash}`)).status).toBe(404);
      expect((await getJson(devnet, `/extended/v3/blocks/${orphanedHash}/transactions`)).status).toBe(404);
      expect((await getJson(devnet, `/extended/v1/block/${orphanedHash}`)).body).toMatchObject({
        canonical: false,
        height: minedAt,
        hash: orphanedHash,
        txs: [],
      });

      expect((await registryLogs(devnet)).body.total).toBe(logsBefore);
      expect((await v3Tx(devnet, txid)).body).toMatchObject({ tx_id: txid, status: "pending" });
      expect(await lastFacilityId(devnet)).toBe(idBefore);
      expect(await stxBalance(devnet, owner.address)).toBe(balanceBefore);
      const accountJson = (await getJson<{ nonce: number }>(devnet, `/v2/accounts/${owner.address}`)).body;
      expect(accountJson.nonce).toBe(0);
      expect((await getJson(devnet, `/extended/v3/principals/${owner.address}/nonces`)).body).toMatchObject({
        next_nonce: 1,
        last_confirmed_nonce: null,
        mempool: { last_nonce: 0 },
      });

      // Back in the mempool, the next block mines it again.
      const remined = await devnet.mineBlock();
      expect((await v3Tx(devnet, txid)).body).toMatchObject({ status: "success", block: { height: remined } });
      const logs = (await registryLogs(devnet)).body;
      expect(logs.total).toBe(logsBefore + 1);
      expect(logs.results[0]!.tx_id).toBe(txid);
      expect(logs.cursor).toMatch(new RegExp(`^${remined}:`));
    },
  );

  it(
    "keep all: the call is mined again at a new height in a block with a new hash",
    { timeout: FORK_TEST_TIMEOUT_MS },
    async () => {
      const devnet = await start();
      const owner = account(devnet, "wallet_1");
      await devnet.mineBlock();
      const txid = await register(devnet, owner, "Kept", 0);
      const minedAt = await devnet.mineBlock();
      const oldBlock = await block(devnet, minedAt);
      const idAfter = await lastFacilityId(devnet);
      const balanceAfter = await stxBalance(devnet, owner.address);

      const result = await devnet.fork({ depth: 2, keep: "all" });
      expect(result).toMatchObject({
        newTip: { height: minedAt + 1 },
        reincluded: [txid],
        returnedToMempool: [],
        dropped: [],
      });
      // The branch's first block, one below where the transaction was.
      const newHeight = minedAt - 1;
      const mined = (await v3Tx(devnet, txid)).body;
      expect(mined).toMatchObject({ status: "success", block: { height: newHeight } });
      expect(mined.block!.hash).not.toBe(oldBlock.hash);
      expect(mined.block!.hash).toBe((await block(devnet, newHeight)).hash);
      const logs = (await registryLogs(devnet)).body;
      expect(logs.results[0]!.tx_id).toBe(txid);
      expect(logs.cursor).toMatch(new RegExp(`^${newHeight}:2147483647:0:`));
      expect(await lastFacilityId(devnet)).toBe(idAfter);
      expect(await stxBalance(devnet, owner.address)).toBe(balanceAfter);
      expect((await getJson(devnet, `/extended/v3/principals/${owner.address}/nonces`)).body).toMatchObject({
        next_nonce: 1,
        last_confirmed_nonce: 0,
      });
      // The orphaned block is no longer at its height.
      expect((await block(devnet, minedAt)).hash).not.toBe(oldBlock.hash);
      expect((await block(devnet, minedAt)).canonical).toBe(true);
    },
  );

  it(
    "a devnet restarted from its data directory comes back on the new branch",
    { timeout: FORK_TEST_TIMEOUT_MS },
    async () => {
      const dataDir = mkdtempSync(join(tmpdir(), "voltstack-devnet-fork-"));
      dirs.push(dataDir);
      const first = await start(dataDir);
      const walletA = account(first, "wallet_1");
      const walletB = account(first, "wallet_2");
      const returned = await register(first, walletA, "Returned", 0);
      await first.mineBlock();
      const kept = await register(first, walletB, "Kept", 0);
      const keptAt = await first.mineBlock();
      const result = await first.fork({ depth: 2, keep: [kept] });
      expect(result).toMatchObject({ reincluded: [kept], returnedToMempool: [returned], dropped: [] });
      const orphanedHashes = result.orphaned.map((orphan) => orphan.hash);
      const hashes = await Promise.all(
        Array.from({ length: result.newTip.height + 1 }, async (_, height) => (await block(first, height)).hash),
      );
      const keptTx = (await v3Tx(first, kept)).body;
      expect(keptTx.block!.height).toBe(keptAt - 1);
      await first.stop();

      const second = await start(dataDir);
      expect(await tipHeight(second)).toBe(result.newTip.height);
      for (const [height, hash] of hashes.entries()) expect((await block(second, height)).hash).toBe(hash);
      expect((await v3Tx(second, kept)).body).toMatchObject({
        status: "success",
        block: { height: keptTx.block!.height, hash: keptTx.block!.hash },
      });
      expect((await v3Tx(second, returned)).body).toMatchObject({ status: "pending" });
      expect(await lastFacilityId(second)).toBe("u1");
      for (const hash of orphanedHashes) {
        expect((await getJson(second, `/extended/v2/blocks/${hash}`)).status).toBe(404);
        expect((await getJson(second, `/extended/v1/block/${hash}`)).body).toMatchObject({ canonical: false });
      }

      const height = await second.mineBlock();
      expect((await v3Tx(second, returned)).body).toMatchObject({ status: "success", block: { height: height } });
      expect(await lastFacilityId(second)).toBe("u2");
    },
  );

  it(
    "forks over the HTTP control route and refuses requests it cannot honour",
    { timeout: FORK_TEST_TIMEOUT_MS },
    async () => {
      const devnet = await start();
      const control = devnetControl(devnet.url);
      const owner = account(devnet, "wallet_3");
      const first = await register(devnet, owner, "First", 0);
      const second = await register(devnet, owner, "Second", 1);
      const minedAt = await control.mineBlock();

      const post = async (body: unknown) => {
        const response = await fetch(`${devnet.url}/devnet/fork`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
        });
        return { status: response.status, body: (await response.json()) as { message?: string } };
      };
      expect((await post({ depth: 0 })).status).toBe(400);
      expect((await post({ depth: 1, blocks: 1 })).body.message).toMatch(/blocks must be/);
      expect((await post({ depth: 1, keep: ["0x" + "ab".repeat(32)] })).body.message).toMatch(/not in the orphaned/);
      // A sender's transactions run in nonce order: nonce 1 cannot be kept without nonce 0.
      expect((await post({ depth: 1, keep: [second] })).body.message).toMatch(/but not/);
      expect((await post({ depth: minedAt + 5 })).body.message).toMatch(/genesis/);
      expect((await post({ depth: 1, extra: true })).status).toBe(400);
      expect(await tipHeight(devnet)).toBe(minedAt);

      const result = await control.fork({ depth: 1, keep: [first], blocks: 3 });
      expect(result).toMatchObject({
        orphaned: [{ height: minedAt, txids: [first, second] }],
        newTip: { height: minedAt + 2 },
        reincluded: [first],
        returnedToMempool: [second],
        dropped: [],
      });
      expect((await v3Tx(devnet, first)).body).toMatchObject({ status: "success", block: { height: minedAt } });
      expect((await v3Tx(devnet, second)).body).toMatchObject({ status: "pending" });
      expect((await getJson(devnet, `/extended/v3/principals/${owner.address}/nonces`)).body).toMatchObject({
        last_confirmed_nonce: 0,
        next_nonce: 2,
      });
    },
  );
});
