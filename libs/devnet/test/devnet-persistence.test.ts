// With a data directory the devnet keeps its chain across a restart: heights,
// contract state, balances, transaction records (an aborted one included) and
// the mempool's pending transactions.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startDevnet, type Devnet } from "@voltstack/devnet";
import { Cl } from "@stacks/transactions";
import { afterAll, describe, expect, it } from "vitest";
import { account, broadcast, contractCall, getJson, getTx, stxBalance, lastFacilityId } from "./devnet-client.js";

// Aborts rebuild the simnet, which takes seconds on a busy 2-core machine.
const REBUILD_TEST_TIMEOUT_MS = 180_000;

const dataDir = mkdtempSync(join(tmpdir(), "voltstack-devnet-"));
const running: Devnet[] = [];

async function start(): Promise<Devnet> {
  const devnet = await startDevnet({ port: 0, blockIntervalMs: 0, dataDir });
  running.push(devnet);
  return devnet;
}

afterAll(async () => {
  await Promise.all(running.map((devnet) => devnet.stop()));
  rmSync(dataDir, { recursive: true, force: true });
});

describe("persistence", () => {
  it(
    "replays the accepted transactions on restart and keeps height, state and pending transactions",
    { timeout: REBUILD_TEST_TIMEOUT_MS },
    async () => {
      const first = await start();
      const owner = account(first, "wallet_1");
      const admin = account(first, "deployer");
      const registered = await broadcast(
        first,
        await contractCall(
          first,
          owner,
          "facility-registry",
          "register-facility",
          [Cl.stringUtf8("Kept"), Cl.stringUtf8("NL"), Cl.uint(10), Cl.uint(5)],
          { nonce: 0 },
        ),
      );
      const info = await getJson<{ stacks_tip_height: number }>(first, "/v2/info");
      const aborted = await broadcast(
        first,
        await contractCall(
          first,
          admin,
          "grid-services",
          "create-service-request",
          [
            Cl.stringAscii("reserve"),
            Cl.uint(1),
            Cl.uint(1),
            Cl.uint(5_000),
            Cl.uint(info.body.stacks_tip_height + 50),
          ],
          { nonce: 0 },
        ),
      );
      const minedAt = await first.mineBlock();
      await first.mineBlock();
      const tip = await first.mineBlock();
      const waiting = await broadcast(
        first,
        await contractCall(
          first,
          owner,
          "facility-registry",
          "register-facility",
          [Cl.stringUtf8("Waits"), Cl.stringUtf8("NL"), Cl.uint(10), Cl.uint(5)],
          { nonce: 2 },
        ),
      );
      const ownerBalance = await stxBalance(first, owner.address);
      const adminBalance = await stxBalance(first, admin.address);
      expect((await getTx(first, aborted)).tx_status).toBe("abort_by_post_condition");
      await first.stop();

      const second = await start();
      expect((await getJson<{ stacks_tip_height: number }>(second, "/v2/info")).body.stacks_tip_height).toBe(tip);
      expect(await getTx(second, registered)).toMatchObject({ tx_status: "success", block_height: minedAt });
      expect((await getTx(second, registered)).events).toHaveLength(1);
      expect(await getTx(second, aborted)).toMatchObject({
        tx_status: "abort_by_post_condition",
        block_height: minedAt,
      });
      expect(await lastFacilityId(second)).toBe("u1");
      expect(await stxBalance(second, owner.address)).toBe(ownerBalance);
      expect(await stxBalance(second, admin.address)).toBe(adminBalance);
      expect((await getTx(second, waiting)).tx_status).toBe("pending");
      expect((await getJson(second, `/extended/v1/address/${owner.address}/nonces`)).body).toMatchObject({
        last_executed_tx_nonce: 0,
        detected_missing_nonces: [1],
      });

      const next = await broadcast(
        second,
        await contractCall(
          second,
          owner,
          "facility-registry",
          "register-facility",
          [Cl.stringUtf8("After"), Cl.stringUtf8("NL"), Cl.uint(10), Cl.uint(5)],
          { nonce: 1 },
        ),
      );
      const height = await second.mineBlock();
      expect(height).toBe(tip + 1);
      expect((await getTx(second, next)).tx_result!.repr).toBe("(ok u2)");
      expect((await getTx(second, waiting)).tx_result!.repr).toBe("(ok u3)");
    },
  );

  it("refuses a data directory written with other contracts instead of replaying it wrongly", async () => {
    const foreignDir = mkdtempSync(join(tmpdir(), "voltstack-devnet-foreign-"));
    try {
      writeFileSync(join(foreignDir, "genesis.json"), JSON.stringify({ contracts: "written-with-other-contracts" }));
      await expect(startDevnet({ port: 0, blockIntervalMs: 0, dataDir: foreignDir })).rejects.toThrow(
        /DEVNET_DATA_INCOMPATIBLE/,
      );
    } finally {
      rmSync(foreignDir, { recursive: true, force: true });
    }
  });
});
