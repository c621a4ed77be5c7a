import { broadcastTransaction, Cl, makeContractCall, PostConditionMode } from "@stacks/transactions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RevenueSyncService } from "../src/chain-sync/revenue-sync.service.js";
import { RevenueSharingClient } from "@voltstack/chain";
import {
  approvedFacility,
  call,
  type Harness,
  type Received,
  startHarness,
  waitFor,
} from "./support/revenue-harness.js";

// The revenue API end to end: HTTP -> use case -> signed call on the devnet -> confirmed
// -> the follower sees the prints -> read model + outbox in one transaction -> NATS.
// Real devnet, PostgreSQL and NATS; the tests run in order on one chain.

let h: Harness;
let facilityId: number;
let walletFacilityId: number;

const split = () => [
  { stakeholder: h.accounts.wallet_5.address, shareBps: 6_000 },
  { stakeholder: h.accounts.wallet_6.address, shareBps: 4_000 },
];

beforeAll(async () => {
  h = await startHarness();
  facilityId = await approvedFacility(h);
  walletFacilityId = await approvedFacility(h, "wallet_3");
}, 60_000);

afterAll(async () => {
  await h?.close();
});

function eventOf(type: string, txid: string): Received | undefined {
  return h.received.find((r) => r.subject === type && r.event.chain?.txId === txid);
}

/** What a refusal must leave untouched: the journal, the read model, the outbox and the chain. */
async function footprint(): Promise<unknown> {
  const { rows } = await h.db.query(
    `SELECT (SELECT count(*)::int FROM chain_transactions) AS journal,
            (SELECT count(*)::int FROM stakeholder_shares) AS shares,
            (SELECT count(*)::int FROM revenue_distributions) AS distributions,
            (SELECT count(*)::int FROM outbox) AS outbox`,
  );
  const nonces = await Promise.all(
    [h.accounts.deployer, h.accounts.wallet_1, h.accounts.wallet_2].map(async (a) => {
      const response = await fetch(`${h.devnet.url}/extended/v1/address/${a.address}/nonces`);
      return ((await response.json()) as { possible_next_nonce: number }).possible_next_nonce;
    }),
  );
  return { ...rows[0], nonces };
}

async function deposit(amountUstx: bigint, source: string): Promise<string> {
  const result = await new RevenueSharingClient(h.chain, { sender: await h.sender("wallet_4") }).depositRevenue(
    BigInt(facilityId),
    amountUstx,
    source,
  );
  return `0x${result.txid.replace(/^0x/, "")}`;
}

describe("revenue API", () => {
  it("sets an owner's shares: confirmed, in the read model, shares.updated on NATS with txid and height", async () => {
    const response = await call(h.service, "PUT", `/facilities/${facilityId}/shares`, {
      key: h.keys.owner,
      body: split(),
    });
    expect(response.status).toBe(200);
    const written = response.body as { txid: string; blockHeight: number; sharesVersion: number };
    expect(written.sharesVersion).toBe(1);
    const message = await waitFor("shares.updated", () => eventOf("shares.updated", written.txid));
    expect(message.event.chain).toEqual({ txId: written.txid, blockHeight: written.blockHeight });
    expect(message.event.payload).toEqual({ facilityId, sharesVersion: 1, shares: split() });
    const pool = await call(h.service, "GET", `/facilities/${facilityId}/pool`);
    expect(pool.body).toMatchObject({ facilityId, balanceUstx: "0", sharesVersion: 1, shares: split() });
  });

  it("shows deposits from anyone in the pool and publishes revenue.deposited", async () => {
    const first = await deposit(1_000_003n, "ppa:2026-11");
    const second = await deposit(500_000n, "ppa:2026-12");
    const message = await waitFor("revenue.deposited", () => eventOf("revenue.deposited", second));
    expect(message.event.payload).toMatchObject({
      facilityId,
      amountUstx: "500000",
      poolBalanceUstx: "1500003",
      depositor: h.accounts.wallet_4.address,
      source: "ppa:2026-12",
    });
    expect(eventOf("revenue.deposited", first)).toBeDefined();
    const pool = await waitFor("the pool", async () => {
      const { body } = await call(h.service, "GET", `/facilities/${facilityId}/pool`);
      return body.balanceUstx === "1500003" ? body : undefined;
    });
    expect(pool).toMatchObject({ depositedUstx: "1500003", distributedUstx: "0" });
  });

  it("lets an operator distribute the pool: revenue.distributed with every payment, payment history", async () => {
    const response = await call(h.service, "POST", `/facilities/${facilityId}/distribute`, {
      key: h.keys.operator,
      body: {},
    });
    expect(response.status).toBe(200);
    const { txid, distributionId } = response.body as { txid: string; distributionId: number };
    const message = await waitFor("revenue.distributed", () => eventOf("revenue.distributed", txid));
    // 1,500,003 x 60 % = 900,001.8 -> 900,001 + remainder 1; x 40 % = 600,001.2 -> 600,001.
    expect(message.event.payload).toMatchObject({
      distributionId,
      facilityId,
      amountUstx: "1500003",
      distributedBy: h.accounts.wallet_2.address,
      payments: [
        expect.objectContaining({ stakeholder: h.accounts.wallet_5.address, amountUstx: "900002" }),
        expect.objectContaining({ stakeholder: h.accounts.wallet_6.address, amountUstx: "600001" }),
      ],
    });

    const history = await call(h.service, "GET", `/facilities/${facilityId}/payments`);
    expect(history.body).toMatchObject({ count: 2, totalUstx: "1500003" });
    const mine = await call(h.service, "GET", `/stakeholders/${h.accounts.wallet_5.address}/payments`);
    expect(mine.body).toMatchObject({ count: 1, totalUstx: "900002" });
    expect((mine.body.items as { txid: string }[])[0]!.txid).toBe(txid);
  });

  it("exports the payment history as CSV for accounting, by Accept header or ?format=csv", async () => {
    const byHeader = await call(h.service, "GET", `/facilities/${facilityId}/payments`, { accept: "text/csv" });
    expect(byHeader.status).toBe(200);
    expect(byHeader.contentType).toMatch(/^text\/csv/);
    const lines = byHeader.text.trim().split("\r\n");
    expect(lines[0]).toBe(
      "paymentId,distributionId,facilityId,stakeholder,shareBps,amountUstx,txid,blockHeight,paidAt,source",
    );
    // The payments and nothing else: the total is in the headers, where no importer reads it as a payment.
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain(`,${h.accounts.wallet_5.address},6000,900002,`);
    const totals = await fetch(`${h.service.baseUrl}/facilities/${facilityId}/payments?format=csv`);
    expect(totals.headers.get("x-total-ustx")).toBe("1500003");
    expect(totals.headers.get("x-total-count")).toBe("2");
    const byQuery = await call(h.service, "GET", `/stakeholders/${h.accounts.wallet_6.address}/payments?format=csv`);
    expect(byQuery.contentType).toMatch(/^text\/csv/);
    expect(byQuery.text.trim().split("\r\n")).toHaveLength(2);
  });

  it("refuses before signing what revenue-sharing would refuse, with its code and the figures", async () => {
    const noShares = await approvedFacility(h);
    const before = await footprint();
    const pool = `${h.accounts.deployer.address}.revenue-sharing`;
    const cases: [string, string, string, unknown, number, string, unknown][] = [
      [
        "POST",
        `/facilities/${facilityId}/distribute`,
        h.keys.admin,
        {},
        409,
        "ERR_EMPTY_POOL",
        { facilityId, balanceUstx: "0", sharesVersion: 1 },
      ],
      [
        "POST",
        `/facilities/${noShares}/distribute`,
        h.keys.owner,
        {},
        409,
        "ERR_NO_SHARES",
        { facilityId: noShares, sharesVersion: 0 },
      ],
      [
        // wallet_1 owns other facilities, not wallet_3's: naming itself does not let it sign (its key is held).
        "POST",
        `/facilities/${walletFacilityId}/distribute`,
        h.keys.owner,
        { actAs: h.accounts.wallet_1.address },
        403,
        "FACILITY_NOT_AUTHORIZED",
        { facilityId: walletFacilityId, principal: h.accounts.wallet_1.address, owner: h.accounts.wallet_3.address },
      ],
      [
        "PUT",
        `/facilities/${noShares}/shares`,
        h.keys.owner,
        [{ stakeholder: pool, shareBps: 10_000 }],
        422,
        "ERR_INVALID_STAKEHOLDER",
        { facilityId: noShares, stakeholder: pool },
      ],
    ];
    for (const [method, path, key, body, status, code, details] of cases) {
      const response = await call(h.service, method, path, { key, body });
      expect([path, response.status, response.body.code, response.body.details]).toEqual([path, status, code, details]);
    }
    expect(await footprint()).toEqual(before);
  });

  it("follows shares set straight from an owner's wallet, outside the API, like its own", async () => {
    const owner = h.accounts.wallet_3;
    const transaction = await makeContractCall({
      contractAddress: h.accounts.deployer.address,
      contractName: "revenue-sharing",
      functionName: "set-stakeholder-shares",
      functionArgs: [
        Cl.uint(walletFacilityId),
        Cl.list([
          Cl.tuple({ stakeholder: Cl.principal(owner.address), "share-bps": Cl.uint(7_500) }),
          Cl.tuple({ stakeholder: Cl.principal(h.accounts.wallet_8.address), "share-bps": Cl.uint(2_500) }),
        ]),
      ],
      senderKey: owner.secretKey,
      network: "devnet",
      client: { baseUrl: h.devnet.url },
      fee: 10_000,
      postConditionMode: PostConditionMode.Deny,
    });
    const broadcast = await broadcastTransaction({ transaction, network: "devnet", client: { baseUrl: h.devnet.url } });
    expect("error" in broadcast).toBe(false);
    const txid = `0x${broadcast.txid.replace(/^0x/, "")}`;
    const message = await waitFor("shares.updated from the wallet", () => eventOf("shares.updated", txid));
    expect(message.event.payload).toMatchObject({ facilityId: walletFacilityId, sharesVersion: 1 });
    const pool = await call(h.service, "GET", `/facilities/${walletFacilityId}/pool`);
    expect(pool.body.shares).toEqual([
      { stakeholder: owner.address, shareBps: 7_500 },
      { stakeholder: h.accounts.wallet_8.address, shareBps: 2_500 },
    ]);
    expect((await call(h.service, "GET", `/transactions/${txid}`, { key: h.keys.admin })).status).toBe(404);
  });

  it("refuses callers without credentials, with the wrong role or for a foreign facility, changing nothing", async () => {
    const deposited = await deposit(10_000n, "refusals");
    await waitFor("the deposit in the read model", () => eventOf("revenue.deposited", deposited));
    const before = await footprint();
    const shares = `/facilities/${facilityId}/shares`;
    const distribute = `/facilities/${facilityId}/distribute`;
    const cases: [string, string, string | undefined, unknown, number, string][] = [
      ["PUT", shares, undefined, split(), 401, "UNAUTHENTICATED"],
      ["PUT", shares, "nope", split(), 401, "INVALID_CREDENTIALS"],
      ["PUT", shares, h.keys.operator, split(), 403, "ROLE_NOT_ALLOWED"],
      ["PUT", shares, h.keys.admin, split(), 403, "ROLE_NOT_ALLOWED"],
      // wallet_3's key for wallet_1's facility, and wallet_1's key for wallet_3's.
      ["PUT", shares, h.keys.otherOwner, split(), 403, "FACILITY_NOT_AUTHORIZED"],
      ["PUT", `/facilities/${walletFacilityId}/shares`, h.keys.owner, split(), 403, "FACILITY_NOT_AUTHORIZED"],
      ["POST", distribute, undefined, {}, 401, "UNAUTHENTICATED"],
      ["POST", `/facilities/${walletFacilityId}/distribute`, h.keys.owner, {}, 403, "FACILITY_NOT_AUTHORIZED"],
      ["POST", distribute, h.keys.admin, { actAs: h.accounts.wallet_1.address }, 403, "PRINCIPAL_NOT_ALLOWED"],
    ];
    for (const [method, path, key, body, status, code] of cases) {
      const response = await call(h.service, method, path, { ...(key ? { key } : {}), body });
      expect([method, path, response.status, response.body.code]).toEqual([method, path, status, code]);
    }
    const height = await h.devnet.mineBlock();
    // The follower has read the chain up to that block.
    expect(await h.service.app.get(RevenueSyncService).sync.syncToTip()).toBeGreaterThanOrEqual(height);
    expect(await footprint()).toEqual(before);
  });

  it("answers malformed bodies, wrong types, huge numbers, bad splits and unknown ids with a 4xx and a clear code", async () => {
    const before = await footprint();
    const path = `/facilities/${facilityId}/shares`;
    const five = h.accounts.wallet_5.address;
    const six = h.accounts.wallet_6.address;
    const cases: [string, { body?: unknown; rawBody?: string }, number, string][] = [
      [path, { rawBody: '[{"stakeholder": ' }, 400, "MALFORMED_JSON"],
      [path, { body: { stakeholder: five, shareBps: 10_000 } }, 400, "VALIDATION_FAILED"],
      [path, { body: [{ stakeholder: five, shareBps: "all" }] }, 400, "VALIDATION_FAILED"],
      [path, { body: [{ stakeholder: five, shareBps: 1e30 }] }, 400, "VALIDATION_FAILED"],
      [
        path,
        {
          body: [
            { stakeholder: five, shareBps: 12_000 },
            { stakeholder: six, shareBps: -2_000 },
          ],
        },
        400,
        "VALIDATION_FAILED",
      ],
      [path, { body: [{ stakeholder: five, shareBps: 9_999 }] }, 400, "VALIDATION_FAILED"],
      [
        path,
        {
          body: [
            { stakeholder: five, shareBps: 10_000 },
            { stakeholder: six, shareBps: 0 },
          ],
        },
        400,
        "VALIDATION_FAILED",
      ],
      [
        path,
        {
          body: [
            { stakeholder: five, shareBps: 5_000 },
            { stakeholder: five, shareBps: 5_000 },
          ],
        },
        400,
        "VALIDATION_FAILED",
      ],
      [path, { body: [{ stakeholder: "not-a-principal", shareBps: 10_000 }] }, 400, "VALIDATION_FAILED"],
      [path, { body: [] }, 400, "VALIDATION_FAILED"],
      ["/facilities/abc/shares", { body: split() }, 400, "VALIDATION_FAILED"],
      ["/facilities/99999999999/shares", { body: split() }, 400, "VALIDATION_FAILED"],
      ["/facilities/424242/shares", { body: split() }, 404, "FACILITY_NOT_FOUND"],
    ];
    for (const [target, options, status, code] of cases) {
      const response = await call(h.service, "PUT", target, { key: h.keys.owner, ...options });
      expect([target, JSON.stringify(options), response.status, response.body.code]).toEqual([
        target,
        JSON.stringify(options),
        status,
        code,
      ]);
      expect(typeof response.body.message).toBe("string");
    }
    const unknown = await call(h.service, "POST", "/facilities/424242/distribute", { key: h.keys.admin, body: {} });
    expect([unknown.status, unknown.body.code]).toEqual([404, "FACILITY_NOT_FOUND"]);
    expect((await call(h.service, "GET", "/facilities/424242/pool")).body.code).toBe("POOL_NOT_FOUND");
    expect((await call(h.service, "GET", "/stakeholders/nobody/payments")).status).toBe(400);
    expect((await call(h.service, "GET", `/facilities/${facilityId}/payments?format=xml`)).status).toBe(400);
    expect(await footprint()).toEqual(before);
  });

  it("rebuilds the same read model from height 0 without publishing anything again", async () => {
    const snapshot = async () => ({
      pool: (await call(h.service, "GET", `/facilities/${facilityId}/pool`)).body,
      walletPool: (await call(h.service, "GET", `/facilities/${walletFacilityId}/pool`)).body,
      payments: (await call(h.service, "GET", `/facilities/${facilityId}/payments`)).body,
    });
    const before = await snapshot();
    const { rows: outboxBefore } = await h.db.query("SELECT count(*)::int AS n FROM outbox");
    // Damage the read model, so only a real rebuild from the chain gives the snapshot back.
    await h.db.query("UPDATE revenue_pools SET balance_ustx = 42, deposited_ustx = 0, shares_version = 0");
    await h.db.query("DELETE FROM revenue_payments");
    expect(await snapshot()).not.toEqual(before);

    const response = await call(h.service, "POST", "/admin/resync", { key: h.keys.admin, body: { fromHeight: 0 } });
    expect(response.status).toBe(200);
    expect(await snapshot()).toEqual(before);
    const { rows: outboxAfter } = await h.db.query("SELECT count(*)::int AS n FROM outbox");
    expect(outboxAfter).toEqual(outboxBefore);
    expect(
      (await call(h.service, "POST", "/admin/resync", { key: h.keys.owner, body: { fromHeight: 0 } })).status,
    ).toBe(403);
  });

  it("serves its OpenAPI document with every operation", async () => {
    const { status, body } = await call(h.service, "GET", "/docs/json");
    expect(status).toBe(200);
    expect(Object.keys(body.paths as object)).toEqual(
      expect.arrayContaining([
        "/facilities/{id}/shares",
        "/facilities/{id}/pool",
        "/facilities/{id}/distribute",
        "/facilities/{id}/payments",
        "/stakeholders/{principal}/payments",
        "/fulfilments/{requestId}/distribution",
        "/transactions",
        "/transactions/{txid}",
        "/admin/resync",
        "/dead-letters",
        "/dead-letters/{id}/replay",
      ]),
    );
  });
});
