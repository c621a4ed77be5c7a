// With a block interval the devnet mines on its own, as a chain does: heights
// advance while idle and a broadcast transaction confirms without mineBlock().
import { startDevnet, type Devnet } from "@voltstack/devnet";
import { Cl } from "@stacks/transactions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { account, broadcast, contractCall, getJson, getTx, type ApiTx } from "./devnet-client.js";

let devnet: Devnet;

beforeAll(async () => {
  devnet = await startDevnet({ port: 0, blockIntervalMs: 50 });
});

afterAll(async () => {
  await devnet?.stop();
});

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const tipHeight = async () => (await getJson<{ stacks_tip_height: number }>(devnet, "/v2/info")).body.stacks_tip_height;

describe("block interval", () => {
  it("mines empty blocks while idle and confirms a broadcast transaction on its own", async () => {
    const start = await tipHeight();
    await waitFor(tipHeight, (height) => height >= start + 3);

    const owner = account(devnet, "wallet_1");
    const txid = await broadcast(
      devnet,
      await contractCall(
        devnet,
        owner,
        "facility-registry",
        "register-facility",
        [Cl.stringUtf8("Timed"), Cl.stringUtf8("NL"), Cl.uint(1), Cl.uint(1)],
        { nonce: 0 },
      ),
    );
    const mined = await waitFor<ApiTx>(
      () => getTx(devnet, txid),
      (tx) => tx.tx_status !== "pending",
    );
    expect(mined.tx_status).toBe("success");
    expect(mined.block_height).toBeGreaterThan(start);
  });
});
