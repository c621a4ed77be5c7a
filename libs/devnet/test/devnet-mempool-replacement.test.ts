// The mempool's replace-by-fee rule (stacks-core MemPoolDB::try_add_tx: a
// transaction with the same sender and nonce replaces the pending one when its
// fee is strictly higher) and eviction on demand, seen through the API as a
// real node and API report them.
import { startDevnet, devnetControl, type Devnet } from "@voltstack/devnet";
import { Cl } from "@stacks/transactions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { account, broadcast, contractCall, getJson, getTx, postTransaction } from "./devnet-client.js";

let devnet: Devnet;

beforeAll(async () => {
  devnet = await startDevnet({ port: 0, blockIntervalMs: 0 });
});

afterAll(async () => {
  await devnet?.stop();
});

const register = (name: string) => [Cl.stringUtf8(name), Cl.stringUtf8("Delft"), Cl.uint(1_000), Cl.uint(100)];

describe("replace-by-fee", () => {
  it("replaces a pending transaction by one with the same nonce and a higher fee, and refuses an equal fee", async () => {
    const signer = account(devnet, "wallet_1");
    const call = (name: string, fee: number) =>
      contractCall(devnet, signer, "facility-registry", "register-facility", register(name), { nonce: 0, fee });
    const original = await broadcast(devnet, await call("First", 1_000));

    const equal = await postTransaction(devnet, await call("Same fee", 1_000));
    expect(equal.status).toBe(400);
    expect(equal.body).toMatchObject({ error: "transaction rejected", reason: "ConflictingNonceInMempool" });

    const replacement = await broadcast(devnet, await call("Higher fee", 1_001));
    const replaced = await getTx(devnet, original);
    expect(replaced).toMatchObject({ tx_status: "dropped_replace_by_fee", replaced_by_tx_id: `0x${replacement}` });
    // v3 reads the API's mempool table with pruned = false; a dropped transaction is pruned.
    const v3 = await getJson(devnet, `/extended/v3/transactions/0x${original}`);
    expect(v3).toEqual({
      status: 404,
      body: { statusCode: 404, error: "Not Found", message: "Transaction not found" },
    });
    expect((await getJson(devnet, `/extended/v3/transactions/0x${replacement}`)).body).toMatchObject({
      status: "pending",
      replaced_by_tx_id: null,
      fee_rate: "1001",
    });
    // The replaced transaction cannot come back while its replacement pays more.
    expect((await postTransaction(devnet, await call("First", 1_000))).body).toMatchObject({
      reason: "ConflictingNonceInMempool",
    });

    const height = await devnet.mineBlock();
    expect(await getTx(devnet, replacement)).toMatchObject({ tx_status: "success", block_height: height });
    expect((await getTx(devnet, original)).tx_status).toBe("dropped_replace_by_fee");
    expect((await getJson(devnet, `/extended/v3/principals/${signer.address}/nonces`)).body).toEqual({
      next_nonce: 1,
      last_confirmed_nonce: 0,
      mempool: { last_nonce: null, pending_nonces: [], missing_nonces: [] },
    });
  });
});

describe("dropping a pending transaction", () => {
  it("evicts it as stale garbage, leaves it unmined, and mines it once broadcast again", async () => {
    const signer = account(devnet, "wallet_2");
    const tx = await contractCall(devnet, signer, "facility-registry", "register-facility", register("Dropped"), {
      nonce: 0,
    });
    const txid = await broadcast(devnet, tx);
    expect(await devnetControl(devnet.url).dropTransaction(txid)).toBe(true);
    expect(await devnetControl(devnet.url).dropTransaction(txid)).toBe(false);
    expect((await getTx(devnet, txid)).tx_status).toBe("dropped_stale_garbage_collect");
    expect((await getJson(devnet, `/extended/v3/principals/${signer.address}/nonces`)).body).toMatchObject({
      next_nonce: 0,
      mempool: { last_nonce: null },
    });

    await devnet.mineBlock();
    expect((await getTx(devnet, txid)).tx_status).toBe("dropped_stale_garbage_collect");

    expect(await broadcast(devnet, tx)).toBe(txid);
    expect((await getTx(devnet, txid)).tx_status).toBe("pending");
    const height = await devnet.mineBlock();
    expect(await getTx(devnet, txid)).toMatchObject({ tx_status: "success", block_height: height });
  });

  it("is also available on the devnet handle", async () => {
    const signer = account(devnet, "wallet_3");
    const txid = await broadcast(
      devnet,
      await contractCall(devnet, signer, "facility-registry", "register-facility", register("Handle"), { nonce: 0 }),
    );
    expect(devnet.dropTransaction(`0x${txid}`)).toBe(true);
    expect((await getTx(devnet, txid)).tx_status).toBe("dropped_stale_garbage_collect");
  });
});
