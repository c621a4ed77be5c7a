// Fault modes: the hosted API's rate limit (429 with retry-after), deprecated
// routes switched off (the deprecation plugin's 410 Gone), and an API index
// that lags the node. Switched through startDevnet's option, the devnet handle
// and the /devnet/faults control route.
import { devnetControl, startDevnet, type Devnet } from "@voltstack/devnet";
import { Cl } from "@stacks/transactions";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { account, broadcast, contractCall, getJson } from "./devnet-client.js";

let devnet: Devnet;

beforeAll(async () => {
  devnet = await startDevnet({ port: 0, blockIntervalMs: 0, faults: { rateLimit: { limit: 1_000 } } });
});

afterEach(async () => {
  await devnetControl(devnet.url).resetFaults();
});

afterAll(async () => {
  await devnet?.stop();
});

const register = (name: string) => [Cl.stringUtf8(name), Cl.stringUtf8("Breda"), Cl.uint(900), Cl.uint(90)];

async function get(path: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${devnet.url}${path}`, { headers });
  return { status: response.status, headers: response.headers, body: (await response.json()) as unknown };
}

describe("rate limit", () => {
  it("is on from startDevnet's faults option", async () => {
    expect(devnet.faults.get().rateLimit).toEqual({
      limit: 1_000,
      windowMs: 60_000,
      limitWithApiKey: 1_000,
      scope: "all",
    });
    expect((await get("/extended")).headers.get("ratelimit-limit")).toBe("1000");
  });

  it("answers the request past the limit with 429 and retry-after, per client, until reset", async () => {
    devnet.faults.set({ rateLimit: { limit: 2, limitWithApiKey: 3 } });
    const first = await get("/v2/info");
    expect(first.status).toBe(200);
    expect(first.headers.get("ratelimit-remaining")).toBe("1");
    expect(first.headers.get("x-ratelimit-remaining-stacks-minute")).toBe("1");
    expect((await get("/extended")).status).toBe(200);

    const limited = await get("/extended");
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({ error: "Too Many Requests", message: "API rate limit exceeded", statusCode: 429 });
    const retryAfter = Number(limited.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(limited.headers.get("ratelimit-remaining")).toBe("0");

    // A client with an API key has its own, larger budget.
    const keyed = { "x-api-key": "test-key" };
    for (let i = 0; i < 3; i += 1) expect((await get("/extended", keyed)).status).toBe(200);
    expect((await get("/extended", keyed)).status).toBe(429);

    // The control routes are never limited.
    expect((await devnetControl(devnet.url).faults()).rateLimit?.limit).toBe(2);
    await devnetControl(devnet.url).resetFaults();
    expect((await get("/extended")).status).toBe(200);
  });

  it("can count /extended routes only", async () => {
    devnet.faults.set({ rateLimit: { limit: 1, scope: "extended" } });
    expect((await get("/extended")).status).toBe(200);
    expect((await get("/extended")).status).toBe(429);
    expect((await get("/v2/info")).status).toBe(200);
  });
});

describe("deprecated routes gone", () => {
  it("answers every deprecated route 410 with the deprecation plugin's body, and leaves the others", async () => {
    const signer = account(devnet, "wallet_1");
    const txid = await broadcast(
      devnet,
      await contractCall(devnet, signer, "facility-registry", "register-facility", register("Gone"), { nonce: 0 }),
    );
    await devnet.mineBlock();
    expect(await devnetControl(devnet.url).setFaults({ deprecatedGone: true })).toMatchObject({ deprecatedGone: true });
    for (const path of [
      `/extended/v1/tx/0x${txid}`,
      `/extended/v1/address/${signer.address}/nonces`,
      "/extended/v1/block/by_height/1",
      "/extended/v1/tx/mempool",
    ]) {
      const response = await get(path);
      expect([path, response.status, response.body]).toEqual([
        path,
        410,
        {
          error: "Gone",
          message: "This endpoint has been disabled. See https://docs.hiro.so/stacks/api for more information",
        },
      ]);
      expect(response.headers.get("warning")).toContain("299 - ");
    }
    expect((await get(`/extended/v3/transactions/0x${txid}`)).status).toBe(200);
    expect((await get(`/extended/v3/principals/${signer.address}/nonces`)).status).toBe(200);
    expect((await get("/extended/v2/blocks/latest")).status).toBe(200);
    expect((await get("/v2/info")).status).toBe(200);
  });
});

describe("API index lag", () => {
  it("hides the newest blocks from /extended while /v2 sees the tip", async () => {
    const signer = account(devnet, "wallet_2");
    const registry = `${account(devnet, "deployer").address}.facility-registry`;
    const logsTotal = async () =>
      ((await get(`/extended/v2/smart-contracts/${registry}/logs`)).body as { total: number }).total;
    const before = await logsTotal();
    const txid = await broadcast(
      devnet,
      await contractCall(devnet, signer, "facility-registry", "register-facility", register("Lag"), { nonce: 0 }),
    );
    const height = await devnet.mineBlock();
    expect(await logsTotal()).toBe(before + 1);

    devnet.faults.set({ indexLagBlocks: 1 });
    expect((await getJson<{ stacks_tip_height: number }>(devnet, "/v2/info")).body.stacks_tip_height).toBe(height);
    expect((await get("/extended")).body).toMatchObject({ chain_tip: { block_height: height - 1 } });
    expect((await get(`/extended/v2/blocks/${height}`)).status).toBe(404);
    expect((await get("/extended/v2/blocks/latest")).body).toMatchObject({ height: height - 1 });
    expect((await get(`/extended/v3/blocks/${height}/transactions`)).status).toBe(404);
    // The API has not ingested the block, so the transaction is still in its mempool.
    expect((await get(`/extended/v3/transactions/0x${txid}`)).body).toMatchObject({ status: "pending" });
    expect((await get(`/extended/v1/tx/0x${txid}`)).body).toMatchObject({ tx_status: "pending" });
    expect((await get(`/extended/v3/transactions/0x${txid}/events`)).status).toBe(400);
    expect(await logsTotal()).toBe(before);
    expect((await get(`/extended/v3/principals/${signer.address}/nonces`)).body).toEqual({
      next_nonce: 1,
      last_confirmed_nonce: null,
      mempool: { last_nonce: 0, pending_nonces: [], missing_nonces: [] },
    });

    // One more block and the lagging index reaches the transaction's block.
    await devnet.mineBlock();
    expect((await get(`/extended/v3/transactions/0x${txid}`)).body).toMatchObject({
      status: "success",
      block: { height },
    });
    expect((await get(`/extended/v3/principals/${signer.address}/nonces`)).body).toMatchObject({
      next_nonce: 1,
      last_confirmed_nonce: 0,
    });
  });
});

describe("control route", () => {
  it("refuses unknown faults and bad values without changing anything", async () => {
    const post = async (body: unknown) =>
      fetch(`${devnet.url}/devnet/faults`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    expect((await post({ lagBlocks: 2 })).status).toBe(400);
    expect((await post({ rateLimit: { limit: -1 } })).status).toBe(400);
    expect((await post({ indexLagBlocks: 2, deprecatedGone: "yes" })).status).toBe(400);
    expect(devnet.faults.get()).toEqual({ rateLimit: null, deprecatedGone: false, indexLagBlocks: 0 });
    expect(() => devnet.faults.set({ indexLagBlocks: 1.5 })).toThrow(/non-negative integer/);
  });
});
