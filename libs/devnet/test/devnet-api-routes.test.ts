// The Stacks Blockchain API routes a v9 client uses, checked against facts read
// in the API's source (stacks-blockchain-api v9): response shapes of the v2/v3
// routes, cursor paging, page limits refused with Fastify's validation body
// (src/api/pagination.ts, each route's LimitParam), error bodies, and the
// Warning header on the routes whose schema says `deprecated: true`.
import { startDevnet, type Devnet } from "@voltstack/devnet";
import { Cl } from "@stacks/transactions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { account, broadcast, contractCall, getJson, stxTransfer } from "./devnet-client.js";

let devnet: Devnet;
let registry: string;
/** Block A: wallet_1 nonce 0 (tx_index 0) and wallet_2 nonce 0 (tx_index 1); block B: wallet_1 nonce 1 and a transfer. */
let blockA: number;
let blockB: number;
const txA: string[] = [];
let txB: string;
let transfer: string;

const I32_MAX = 2147483647;
const WARNING = '299 - "Deprecated: See https://docs.hiro.so/stacks/api for more information"';
const register = (name: string) => [Cl.stringUtf8(name), Cl.stringUtf8("Utrecht"), Cl.uint(1_500), Cl.uint(300)];

async function get(path: string, init: RequestInit = {}) {
  const response = await fetch(`${devnet.url}${path}`, init);
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as unknown) : null };
}

const validation = (message: string) => ({
  statusCode: 400,
  code: "FST_ERR_VALIDATION",
  error: "Bad Request",
  message,
});

beforeAll(async () => {
  devnet = await startDevnet({ port: 0, blockIntervalMs: 0 });
  registry = `${account(devnet, "deployer").address}.facility-registry`;
  const [one, two, three] = ["wallet_1", "wallet_2", "wallet_3"].map((name) => account(devnet, name)) as [
    ReturnType<typeof account>,
    ReturnType<typeof account>,
    ReturnType<typeof account>,
  ];
  txA.push(
    await broadcast(
      devnet,
      await contractCall(devnet, one, "facility-registry", "register-facility", register("A0"), { nonce: 0 }),
    ),
  );
  txA.push(
    await broadcast(
      devnet,
      await contractCall(devnet, two, "facility-registry", "register-facility", register("A1"), { nonce: 0 }),
    ),
  );
  blockA = await devnet.mineBlock();
  txB = await broadcast(
    devnet,
    await contractCall(devnet, one, "facility-registry", "register-facility", register("B0"), { nonce: 1 }),
  );
  transfer = await broadcast(devnet, await stxTransfer(three, one.address, 5_000n, 0));
  blockB = await devnet.mineBlock();
});

afterAll(async () => {
  await devnet?.stop();
});

describe("GET /extended/v2/smart-contracts/{contract_id}/logs", () => {
  const logs = (query = "") => get(`/extended/v2/smart-contracts/${registry}/logs${query}`);
  const cursor = (height: number, txIndex: number) => `${height}:${I32_MAX}:${txIndex}:0`;

  it("lists print events newest first with cursors to the older (prev) and newer (next) pages", async () => {
    const first = await logs("?limit=2");
    expect(first.status).toBe(200);
    expect(first.headers.get("warning")).toBeNull();
    expect(first.body).toMatchObject({
      limit: 2,
      offset: 0,
      total: 3,
      cursor: cursor(blockB, 0),
      next_cursor: null,
      prev_cursor: cursor(blockA, 0),
    });
    const results = (first.body as { results: Record<string, unknown>[] }).results;
    expect(results).toHaveLength(2);
    expect(results[0]).toEqual({
      event_index: 0,
      event_type: "smart_contract_log",
      tx_id: `0x${txB}`,
      contract_log: {
        contract_id: registry,
        topic: "print",
        value: { hex: expect.stringMatching(/^0x[0-9a-f]+$/), repr: expect.stringContaining('"facility-registered"') },
      },
    });
    expect(results[1]).toMatchObject({ tx_id: `0x${txA[1]}` });

    const older = await logs(`?limit=2&cursor=${cursor(blockA, 0)}`);
    expect(older.body).toMatchObject({
      total: 3,
      cursor: cursor(blockA, 0),
      prev_cursor: null,
      next_cursor: cursor(blockB, 0),
      results: [{ tx_id: `0x${txA[0]}` }],
    });
  });

  it("refuses a limit over 100 and a malformed cursor, and answers 404 for a cursor below every event", async () => {
    expect(await logs("?limit=101")).toMatchObject({
      status: 400,
      body: validation("querystring/limit must be <= 100"),
    });
    expect((await logs("?limit=100")).status).toBe(200);
    expect((await logs("?cursor=1:2:3")).body).toEqual(
      validation('querystring/cursor must match pattern "^[0-9]+:[0-9]+:[0-9]+:[0-9]+$"'),
    );
    expect(await logs("?cursor=0:0:0:0")).toMatchObject({
      status: 404,
      body: { statusCode: 404, error: "Not Found", message: "Cursor not found" },
    });
  });

  it("answers an empty page with total 0 for a contract without logs", async () => {
    const other = await get(`/extended/v2/smart-contracts/${account(devnet, "deployer").address}.nothing/logs`);
    expect(other.body).toEqual({
      limit: 20,
      offset: 0,
      total: 0,
      next_cursor: null,
      prev_cursor: null,
      cursor: null,
      results: [],
    });
  });
});

describe("GET /extended/v3/transactions/{tx_id}", () => {
  it("shows a mined contract call, with heavy fields only when included", async () => {
    const lean = await get(`/extended/v3/transactions/0x${txA[1]}`);
    expect(lean.status).toBe(200);
    expect(lean.headers.get("warning")).toBeNull();
    const block = (
      await getJson<{ hash: string; parent_block_hash: string; block_time: number; burn_block_height: number }>(
        devnet,
        `/extended/v2/blocks/${blockA}`,
      )
    ).body;
    expect(lean.body).toEqual({
      tx_id: `0x${txA[1]}`,
      sender: { address: account(devnet, "wallet_2").address, nonce: 0 },
      sponsor: null,
      fee_rate: "1000",
      block: { height: blockA, hash: block.hash, index_hash: block.hash, time: block.block_time, tx_index: 1 },
      bitcoin_block: { height: block.burn_block_height, time: block.block_time },
      status: "success",
      parent_block: { hash: block.parent_block_hash, index_hash: block.parent_block_hash },
      event_count: 1,
      execution_cost: { read_count: 0, read_length: 0, runtime: 0, write_count: 0, write_length: 0 },
      vm_error: null,
      type: "contract_call",
      contract_call: { contract_id: registry, function_name: "register-facility" },
    });
    const full = await get(
      `/extended/v3/transactions/0x${txA[1]}?include=result,function_args&include=post_conditions`,
    );
    expect(full.body).toMatchObject({
      result: { hex: expect.stringMatching(/^0x07/), repr: expect.stringMatching(/^\(ok u\d+\)$/) },
      post_conditions: [],
      contract_call: {
        function_args: [{ repr: 'u"A1"' }, { repr: 'u"Utrecht"' }, { repr: "u1500" }, { repr: "u300" }],
      },
    });
  });

  it("shows a token transfer with its memo", async () => {
    expect((await get(`/extended/v3/transactions/${transfer}`)).body).toMatchObject({
      type: "token_transfer",
      token_transfer: {
        recipient: account(devnet, "wallet_1").address,
        amount: "5000",
        memo: { hex: `0x${"00".repeat(34)}`, repr: "" },
      },
    });
  });

  it("shows a pending transaction in the mempool shape", async () => {
    const signer = account(devnet, "wallet_5");
    const pending = await broadcast(
      devnet,
      await contractCall(devnet, signer, "facility-registry", "register-facility", register("P"), { nonce: 1 }),
    );
    const body = (await get(`/extended/v3/transactions/0x${pending}`)).body as Record<string, unknown>;
    expect(body).toEqual({
      tx_id: `0x${pending}`,
      sender: { address: signer.address, nonce: 1 },
      sponsor: null,
      fee_rate: "1000",
      receipt_time: expect.any(Number),
      receipt_block_height: blockB,
      status: "pending",
      replaced_by_tx_id: null,
      type: "contract_call",
      contract_call: { contract_id: registry, function_name: "register-facility" },
    });
    // A mempool transaction has no events in the API: its datastore answers InvalidRequestError.
    expect((await get(`/extended/v3/transactions/0x${pending}/events`)).body).toEqual({
      statusCode: 400,
      error: "Bad Request",
      message: "Transaction not found",
    });
  });

  it("refuses a malformed id or include value, and answers 404 for an unknown id", async () => {
    expect((await get("/extended/v3/transactions/0x1234")).body).toEqual(
      validation('params/tx_id must match pattern "^(0x)?[a-fA-F0-9]{64}$"'),
    );
    expect((await get(`/extended/v3/transactions/0x${txB}?include=events`)).body).toMatchObject({
      statusCode: 400,
      code: "FST_ERR_VALIDATION",
      message: expect.stringContaining("querystring/include/0 must match a schema in anyOf"),
    });
    expect(await get(`/extended/v3/transactions/0x${"ab".repeat(32)}`)).toMatchObject({
      status: 404,
      body: { statusCode: 404, error: "Not Found", message: "Transaction not found" },
    });
  });
});

describe("GET /extended/v3/transactions/{tx_id}/events", () => {
  it("lists v3 events with an event_index cursor and refuses limits outside 1..100", async () => {
    expect((await get(`/extended/v3/transactions/0x${txB}/events`)).body).toEqual({
      total: 1,
      limit: 20,
      cursor: { next: null, previous: null, current: "0" },
      results: [
        {
          event_index: 0,
          type: "contract_log",
          contract_log: {
            contract_id: registry,
            topic: "print",
            value: { hex: expect.any(String), repr: expect.any(String) },
          },
        },
      ],
    });
    expect((await get(`/extended/v3/transactions/0x${transfer}/events`)).body).toMatchObject({
      results: [
        {
          event_index: 0,
          type: "stx_asset",
          stx_asset: {
            type: "transfer",
            sender: account(devnet, "wallet_3").address,
            recipient: account(devnet, "wallet_1").address,
            amount: "5000",
          },
        },
      ],
    });
    expect((await get(`/extended/v3/transactions/0x${txB}/events?cursor=1`)).body).toMatchObject({
      results: [],
      cursor: { current: null, next: null },
    });
    expect((await get(`/extended/v3/transactions/0x${txB}/events?limit=101`)).body).toEqual(
      validation("querystring/limit must be <= 100"),
    );
    expect((await get(`/extended/v3/transactions/0x${txB}/events?limit=0`)).body).toEqual(
      validation("querystring/limit must be >= 1"),
    );
  });
});

describe("GET /extended/v3/principals/{principal}/nonces", () => {
  it("computes next, confirmed, pending and missing nonces as the API does", async () => {
    const signer = account(devnet, "wallet_4");
    const nonces = async () => (await get(`/extended/v3/principals/${signer.address}/nonces`)).body;
    expect(await nonces()).toEqual({
      next_nonce: 0,
      last_confirmed_nonce: null,
      mempool: { last_nonce: null, pending_nonces: [], missing_nonces: [] },
    });
    const call = async (nonce: number) =>
      broadcast(
        devnet,
        await contractCall(devnet, signer, "facility-registry", "register-facility", register(`N${nonce}`), { nonce }),
      );
    await call(0);
    await devnet.mineBlock();
    await call(2);
    await call(3);
    expect(await nonces()).toEqual({
      next_nonce: 4,
      last_confirmed_nonce: 0,
      mempool: { last_nonce: 3, pending_nonces: [2], missing_nonces: [1] },
    });
    expect((await get(`/extended/v3/principals/${registry}/nonces`)).body).toEqual(
      validation('params/principal must match pattern "^[0123456789ABCDEFGHJKMNPQRSTVWXYZ]{28,41}$"'),
    );
  });
});

describe("blocks", () => {
  it("GET /extended/v2/blocks/{height_or_hash} by height, hash and latest", async () => {
    const byHeight = await get(`/extended/v2/blocks/${blockA}`);
    const block = byHeight.body as { hash: string; block_time: number; block_time_iso: string };
    expect(byHeight.body).toMatchObject({ canonical: true, height: blockA, tx_count: 2, index_block_hash: block.hash });
    expect(block.block_time_iso).toBe(new Date(block.block_time * 1000).toISOString());
    expect((await get(`/extended/v2/blocks/${block.hash.slice(2)}`)).body).toMatchObject({ height: blockA });
    const tip = (await getJson<{ stacks_tip_height: number }>(devnet, "/v2/info")).body.stacks_tip_height;
    expect((await get("/extended/v2/blocks/latest")).body).toMatchObject({ height: tip });
    expect(await get("/extended/v2/blocks/999999")).toMatchObject({
      status: 404,
      body: { statusCode: 404, error: "Not Found", message: "Block not found" },
    });
    expect((await get("/extended/v2/blocks/not-a-block")).body).toMatchObject({
      statusCode: 400,
      code: "FST_ERR_VALIDATION",
      message: expect.stringContaining("params/height_or_hash must match a schema in anyOf"),
    });
  });

  it("GET /extended/v2/blocks pages newest first with block-hash cursors and refuses limit 31", async () => {
    const tip = (await getJson<{ stacks_tip_height: number }>(devnet, "/v2/info")).body.stacks_tip_height;
    const hash = async (height: number) => ((await get(`/extended/v2/blocks/${height}`)).body as { hash: string }).hash;
    const page = await get("/extended/v2/blocks?limit=2");
    expect(page.body).toMatchObject({
      limit: 2,
      offset: 0,
      total: tip + 1,
      cursor: await hash(tip),
      next_cursor: null,
      prev_cursor: await hash(tip - 2),
      results: [{ height: tip }, { height: tip - 1 }],
    });
    expect((await get("/extended/v2/blocks?limit=31")).body).toEqual(validation("querystring/limit must be <= 30"));
  });

  it("GET /extended/v3/blocks/{height_or_hash}/transactions lists summaries newest first with cursors", async () => {
    const all = await get(`/extended/v3/blocks/${blockA}/transactions`);
    expect(all.body).toMatchObject({
      limit: 20,
      total: 2,
      cursor: { next: null, previous: null, current: `${blockA}:${I32_MAX}:1` },
      results: [
        { tx_id: `0x${txA[1]}`, block: { height: blockA, tx_index: 1 }, status: "success", type: "contract_call" },
        { tx_id: `0x${txA[0]}`, block: { tx_index: 0 } },
      ],
    });
    expect((all.body as { results: object[] }).results[0]).not.toHaveProperty("event_count");
    const first = await get(`/extended/v3/blocks/${blockA}/transactions?limit=1`);
    expect(first.body).toMatchObject({ cursor: { next: `${blockA}:${I32_MAX}:0`, previous: null } });
    const second = await get(`/extended/v3/blocks/${blockA}/transactions?limit=1&cursor=${blockA}:${I32_MAX}:0`);
    expect(second.body).toMatchObject({
      cursor: { current: `${blockA}:${I32_MAX}:0`, next: null, previous: `${blockA}:${I32_MAX}:1` },
      results: [{ tx_id: `0x${txA[0]}` }],
    });
    expect((await get(`/extended/v3/blocks/${blockA}/transactions?limit=51`)).body).toEqual(
      validation("querystring/limit must be <= 50"),
    );
    expect((await get("/extended/v3/blocks/999999/transactions")).body).toEqual({
      statusCode: 404,
      error: "Not Found",
      message: "Block not found",
    });
  });
});

describe("status", () => {
  it("GET /extended reports the indexed chain tip; /extended/v1/status redirects to it", async () => {
    const tip = (await getJson<{ stacks_tip_height: number }>(devnet, "/v2/info")).body.stacks_tip_height;
    expect((await get("/extended")).body).toEqual({
      server_version: expect.any(String),
      status: "ready",
      chain_tip: {
        block_height: tip,
        block_hash: expect.stringMatching(/^0x[0-9a-f]{64}$/),
        index_block_hash: expect.stringMatching(/^0x[0-9a-f]{64}$/),
        burn_block_height: expect.any(Number),
      },
    });
    const redirected = await fetch(`${devnet.url}/extended/v1/status`, { redirect: "manual" });
    expect(redirected.status).toBe(301);
    expect(redirected.headers.get("location")).toBe("/extended");
  });
});

describe("deprecated v1 routes", () => {
  const limits: [string, string][] = [
    ["/extended/v1/tx/0x{tx}?event_limit=101", "querystring/event_limit must be <= 100"],
    ["/extended/v1/tx/events?tx_id=0x{tx}&limit=101", "querystring/limit must be <= 100"],
    ["/extended/v1/tx/mempool?limit=51", "querystring/limit must be <= 50"],
    ["/extended/v1/tx/mempool?limit=ten", "querystring/limit must be integer"],
    ["/extended/v1/tx/mempool?offset=-1", "querystring/offset must be >= 0"],
    ["/extended/v1/address/{address}/mempool?limit=51", "querystring/limit must be <= 50"],
    ["/extended/v1/block?limit=31", "querystring/limit must be <= 30"],
    ["/extended/v2/blocks/{block}/transactions?limit=51", "querystring/limit must be <= 50"],
    ["/extended/v1/contract/{contract}/events?limit=51", "querystring/limit must be <= 50"],
  ];
  const fill = (path: string) =>
    path
      .replace("{tx}", txB)
      .replace("{address}", account(devnet, "wallet_1").address)
      .replace("{block}", String(blockA))
      .replace("{contract}", registry);

  it.each(limits)("%s answers 400 %s, with the deprecation warning", async (path, message) => {
    const response = await get(fill(path));
    expect(response.status).toBe(400);
    expect(response.body).toEqual(validation(message));
    expect(response.headers.get("warning")).toBe(WARNING);
  });

  it("serve their maximum page, warn, and keep the v1 shapes", async () => {
    const tx = await get(`/extended/v1/tx/0x${txB}?event_limit=100`);
    expect(tx.status).toBe(200);
    expect(tx.headers.get("warning")).toBe(WARNING);
    expect(tx.body).toMatchObject({ tx_status: "success", canonical: true, block_height: blockB });
    for (const path of [
      `/extended/v1/address/${account(devnet, "wallet_1").address}/nonces`,
      `/extended/v1/block/by_height/${blockA}`,
      "/extended/v1/block?limit=30",
      "/extended/v1/tx/mempool?limit=50",
      `/extended/v1/contract/${registry}/events?limit=50`,
    ]) {
      const response = await get(path);
      expect([path, response.status, response.headers.get("warning")]).toEqual([path, 200, WARNING]);
    }
    expect(await get(`/extended/v1/tx/0x${"cd".repeat(32)}`)).toMatchObject({
      status: 404,
      body: { statusCode: 404, error: "Not Found", message: "could not find transaction by ID" },
    });
  });

  it("redirect a transaction id without 0x to its 0x form", async () => {
    const response = await fetch(`${devnet.url}/extended/v1/tx/${txB}?event_limit=5`, { redirect: "manual" });
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe(`/extended/v1/tx/0x${txB}?event_limit=5`);
  });

  it("leave unknown routes to Fastify's 404", async () => {
    expect((await get("/extended/v9/nothing")).body).toEqual({
      statusCode: 404,
      error: "Not Found",
      message: "Route GET:/extended/v9/nothing not found",
    });
  });
});
