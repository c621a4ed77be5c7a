import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NATS_CONNECTION, DISTRIBUTION_HOOKS, STACKS_CHAIN } from "../src/infrastructure/tokens.js";
import type { DistributionHooks } from "../src/distribution/distribution-hooks.js";
import type { NatsConnection } from "@nats-io/transport-node";
import { ContractError, FacilityRegistryClient, RevenueSharingClient, type StacksChain } from "@voltstack/chain";
import type { TestService } from "@voltstack/service-kit";
import {
  approvedFacility,
  balanceOf,
  call,
  type Fulfilled,
  fulfilRequest,
  type Harness,
  startHarness,
  waitFor,
} from "./support/revenue-harness.js";

// Distribution on service.fulfilled, end to end: a real fulfilment on the devnet (grid
// contract driven through libs/chain), its event on NATS, the revenue service paying the
// pool out on chain exactly once whatever the deliveries and restarts, balances checked
// to the micro-STX through the devnet's balance endpoint.

let h: Harness;
let facilityId: number;
const stakeholders = () => [
  { stakeholder: h.accounts.wallet_5.address, shareBps: 5_000 },
  { stakeholder: h.accounts.wallet_6.address, shareBps: 3_333 },
  { stakeholder: h.accounts.wallet_7.address, shareBps: 1_667 },
];

beforeAll(async () => {
  h = await startHarness();
  facilityId = await approvedFacility(h);
  const shares = await call(h.service, "PUT", `/facilities/${facilityId}/shares`, {
    key: h.keys.owner,
    body: stakeholders(),
  });
  expect(shares.status).toBe(200);
}, 60_000);

afterAll(async () => {
  await h?.close();
});

async function intent(requestId: number): Promise<Record<string, unknown> | undefined> {
  const { rows } = await h.db.query(
    "SELECT status, attempts, distribution_txid, distribution_id FROM distribution_intents WHERE request_id = $1",
    [requestId],
  );
  return rows[0] as Record<string, unknown> | undefined;
}

const settled = (requestId: number, timeoutMs?: number) =>
  waitFor(
    `the intent of request ${requestId} to settle`,
    async () => {
      const row = await intent(requestId);
      return row && row.status !== "sending" ? row : undefined;
    },
    timeoutMs,
  );

/** Waits past waiting_for_shares too: shares.updated reopens the intent a moment after the shares land. */
const settledAfterShares = (requestId: number) =>
  waitFor(`the intent of request ${requestId} to settle after shares`, async () => {
    const row = await intent(requestId);
    return row && row.status !== "sending" && row.status !== "waiting_for_shares" ? row : undefined;
  });

async function balances(): Promise<bigint[]> {
  return Promise.all(stakeholders().map((s) => balanceOf(h, s.stakeholder)));
}

const lastDistributionId = () => new RevenueSharingClient(h.chain).getLastDistributionId();

/** The journal's entries of a fulfilment's distribution, oldest first. */
async function journaled(
  requestId: number,
): Promise<{ txid: string; nonce: string; status: string; error_code: string | null }[]> {
  const { rows } = await h.db.query(
    `SELECT txid, nonce::text AS nonce, status, error_code FROM chain_transactions
      WHERE requested_by = $1 AND txid IS NOT NULL ORDER BY created_at`,
    [`fulfilment:request-${requestId}`],
  );
  return rows;
}

/**
 * Stops `service` at its next broadcast as a crash would: it loses NATS and never goes
 * on, `before` the node sees the transaction or right `after` the node accepted it.
 * `release` lets the frozen call return; one frozen before the node then fails, its
 * transaction never sent (a stopped process takes its signed bytes with it).
 */
function crashAtBroadcast(service: TestService, when: "before" | "after") {
  const api = service.app.get<StacksChain>(STACKS_CHAIN).api;
  const broadcast = api.broadcast.bind(api);
  let reached = false;
  let release!: () => void;
  const frozen = new Promise<void>((resolve) => {
    release = resolve;
  });
  api.broadcast = async (txHex) => {
    // A broadcast the node refuses (a nonce the tests' own transactions of the account took) is retried by the sender.
    const txid = when === "after" ? await broadcast(txHex) : undefined;
    api.broadcast = broadcast;
    reached = true;
    await service.app.get<NatsConnection>(NATS_CONNECTION).close();
    await frozen;
    if (txid === undefined) throw new Error("the process stopped before this broadcast");
    return txid;
  };
  return { reached: () => reached, release };
}

/** Each stakeholder's gain, their sum the whole payout, split as the contract does. */
function expectSplit(before: bigint[], after: bigint[], poolUstx: bigint): void {
  const gains = after.map((balance, index) => balance - before[index]!);
  const floors = stakeholders().map((s) => (poolUstx * BigInt(s.shareBps)) / 10_000n);
  const remainder = poolUstx - floors.reduce((sum, floor) => sum + floor, 0n);
  expect(gains).toEqual([floors[0]! + remainder, floors[1]!, floors[2]!]);
  expect(gains.reduce((sum, gain) => sum + gain, 0n)).toBe(poolUstx);
}

describe("distribution on service.fulfilled", () => {
  it("distributes once when the event is delivered twice (and once more under another id)", async () => {
    const before = await balances();
    const distributionsBefore = await lastDistributionId();
    const fulfilled: Fulfilled = await fulfilRequest(h, facilityId, 12_345_679n, 9_000n);
    expect(fulfilled.payoutUstx).toBe(11_111_111n);

    await h.publish(fulfilled.event);
    // The same event again under another message id, past JetStream's de-duplication.
    await h.publish(fulfilled.event, { msgId: `${fulfilled.event.eventId}-again` });
    const row = await settled(fulfilled.requestId);
    expect(row.status).toBe("distributed");
    // The same fulfilment under a new event id (a producer that lost its ledger).
    await h.publish({ ...fulfilled.event, eventId: crypto.randomUUID() });

    const message = await waitFor("revenue.distributed", () =>
      h.received.find((r) => r.subject === "revenue.distributed" && r.event.chain?.txId === row.distribution_txid),
    );
    await waitFor("all three deliveries handled", async () => {
      const { rows } = await h.db.query("SELECT count(*)::int AS n FROM inbox WHERE subject = 'service.fulfilled'");
      return rows[0].n === 2;
    });
    expect(await lastDistributionId()).toBe(distributionsBefore + 1n);
    expect(await intent(fulfilled.requestId)).toMatchObject({ status: "distributed", attempts: 1 });
    const shown = await call(h.service, "GET", `/fulfilments/${fulfilled.requestId}/distribution`, {
      key: h.keys.operator,
    });
    expect(shown.body).toMatchObject({ status: "distributed", distributionTxid: row.distribution_txid, facilityId });
    expect((await call(h.service, "GET", "/fulfilments/999999/distribution", { key: h.keys.admin })).body.code).toBe(
      "FULFILMENT_NOT_SEEN",
    );
    expect((await call(h.service, "GET", `/fulfilments/${fulfilled.requestId}/distribution`)).status).toBe(401);

    // Sent only once the fulfilment's block had DISTRIBUTION_FINALITY_BLOCKS blocks on the chain.
    expect(h.config.DISTRIBUTION_FINALITY_BLOCKS).toBe(3);
    expect(message.event.chain!.blockHeight).toBeGreaterThanOrEqual(fulfilled.event.chain!.blockHeight + 3);

    const after = await balances();
    expectSplit(before, after, 11_111_111n);
    expect(message.event.payload).toMatchObject({
      facilityId,
      amountUstx: "11111111",
      paymentCount: 3,
      distributedBy: h.accounts.deployer.address,
    });
    const payments = (message.event.payload as { payments: { stakeholder: string; amountUstx: string }[] }).payments;
    expect(payments.map((p) => BigInt(p.amountUstx))).toEqual(after.map((balance, i) => balance - before[i]!));
    expect(h.received.some((r) => r.subject === "revenue.deposited" && r.event.chain?.txId === fulfilled.txid)).toBe(
      true,
    );
    const pool = await call(h.service, "GET", `/facilities/${facilityId}/pool`);
    expect(pool.body).toMatchObject({ balanceUstx: "0", distributedUstx: "11111111" });
  });

  it("distributes once when the service stops between the broadcast and the ack and a new instance starts", async () => {
    const before = await balances();
    const distributionsBefore = await lastDistributionId();
    const fulfilled = await fulfilRequest(h, facilityId, 7_000_001n);

    // Instance 1 broadcasts, then freezes before it records the txid or acks, and loses NATS (a crash).
    const first = h.service;
    const hooks = first.app.get<DistributionHooks>(DISTRIBUTION_HOOKS);
    let broadcast: string | undefined;
    let release!: () => void;
    const frozen = new Promise<void>((resolve) => {
      release = resolve;
    });
    hooks.afterBroadcast = async (txid) => {
      broadcast = txid;
      await first.app.get<NatsConnection>(NATS_CONNECTION).close();
      await frozen;
    };
    await h.publish(fulfilled.event);
    const txid = await waitFor("the broadcast of instance 1", () => broadcast);
    expect((await intent(fulfilled.requestId))?.distribution_txid).toBeNull();

    // A new instance on the same database and consumer gets the delivery again after the ack wait.
    const second = await h.startInstance();
    const row = await settled(fulfilled.requestId, 30_000);
    expect(row).toMatchObject({ status: "distributed", distribution_txid: txid });
    expect(await lastDistributionId()).toBe(distributionsBefore + 1n);
    expectSplit(before, await balances(), 7_000_001n);
    await waitFor("the event acknowledged by instance 2", async () => {
      const { rows } = await h.db.query("SELECT 1 FROM inbox WHERE event_id = $1", [fulfilled.event.eventId]);
      return rows.length === 1;
    });
    const journal = await call(second, "GET", `/transactions?status=confirmed`, { key: h.keys.admin });
    expect(
      (journal.body.items as { functionName: string; txid: string }[]).filter(
        (entry) => entry.functionName === "distribute-revenue" && entry.txid === txid,
      ),
    ).toHaveLength(1);

    release();
    await first.close();
    h.service = second;
  }, 60_000);

  it("distributes once when the service stops right after the node accepted the transaction", async () => {
    const before = await balances();
    const distributionsBefore = await lastDistributionId();
    const fulfilled = await fulfilRequest(h, facilityId, 5_000_003n);

    // Instance 1 stops the moment the node accepts the distribution: nothing after the broadcast runs.
    const first = h.service;
    const crash = crashAtBroadcast(first, "after");
    await h.publish(fulfilled.event);
    await waitFor("the broadcast of instance 1", () => crash.reached());
    const [entry] = await journaled(fulfilled.requestId);
    expect(entry).toMatchObject({ status: "pending" });
    expect(await h.chain.api.getTransaction(entry!.txid)).not.toBeNull();
    expect((await intent(fulfilled.requestId))?.distribution_txid).toBeNull();

    const second = await h.startInstance();
    const row = await settled(fulfilled.requestId, 30_000);
    expect(row).toMatchObject({ status: "distributed", distribution_txid: entry!.txid });
    expect(await lastDistributionId()).toBe(distributionsBefore + 1n);
    expectSplit(before, await balances(), 5_000_003n);
    expect(await journaled(fulfilled.requestId)).toEqual([
      expect.objectContaining({ txid: entry!.txid, status: "confirmed" }),
    ]);

    crash.release();
    await first.close();
    h.service = second;
  }, 60_000);

  it("distributes once when the service stops after journaling the transaction and before broadcasting it", async () => {
    const before = await balances();
    const distributionsBefore = await lastDistributionId();
    const fulfilled = await fulfilRequest(h, facilityId, 4_000_007n);

    const first = h.service;
    const crash = crashAtBroadcast(first, "before");
    await h.publish(fulfilled.event);
    await waitFor("the broadcast of instance 1", () => crash.reached());
    const [signed] = await journaled(fulfilled.requestId);
    expect(signed).toMatchObject({ status: "pending" });
    expect(await h.chain.api.getTransaction(signed!.txid)).toBeNull();
    expect((await h.chain.api.getNonces(h.accounts.deployer.address)).possibleNextNonce).toBe(BigInt(signed!.nonce));

    // Instance 2 finds a distribution the node never saw and sends one in its place, at its nonce.
    const second = await h.startInstance();
    const row = await settled(fulfilled.requestId, 30_000);
    expect(row).toMatchObject({ status: "distributed" });
    expect(await lastDistributionId()).toBe(distributionsBefore + 1n);
    expectSplit(before, await balances(), 4_000_007n);
    // Signed unchanged (same nonce and fee), the replacement is the very transaction journaled first.
    const entries = await journaled(fulfilled.requestId);
    expect(entries.filter((e) => e.status === "confirmed")).toEqual([
      expect.objectContaining({ txid: row.distribution_txid, nonce: signed!.nonce }),
    ]);
    expect(entries.filter((e) => e.status !== "confirmed")).toEqual(
      entries
        .filter((e) => e.status !== "confirmed")
        .map(() => expect.objectContaining({ status: "failed", error_code: "TRANSACTION_SUPERSEDED" })),
    );

    crash.release();
    await first.close();
    h.service = second;
    expect(await lastDistributionId()).toBe(distributionsBefore + 1n);
  }, 60_000);

  it("distributes at a new nonce once another transaction took the nonce of one journaled and never broadcast", async () => {
    const before = await balances();
    const distributionsBefore = await lastDistributionId();
    const fulfilled = await fulfilRequest(h, facilityId, 2_000_009n);

    const first = h.service;
    const crash = crashAtBroadcast(first, "before");
    await h.publish(fulfilled.event);
    await waitFor("the broadcast of instance 1", () => crash.reached());
    const [signed] = await journaled(fulfilled.requestId);
    // The distributor's next transaction (a call that fails and changes nothing) executes that
    // nonce, unless another transaction did already.
    const registry = new FacilityRegistryClient(h.chain, { sender: await h.sender("deployer") });
    await expect(registry.approveFacility(0n)).rejects.toBeInstanceOf(ContractError);
    const { lastExecutedTxNonce } = await h.chain.api.getNonces(h.accounts.deployer.address);
    expect(lastExecutedTxNonce).toBeGreaterThanOrEqual(BigInt(signed!.nonce));

    const second = await h.startInstance();
    const row = await settled(fulfilled.requestId, 30_000);
    expect(row).toMatchObject({ status: "distributed" });
    expect(row.distribution_txid).not.toBe(signed!.txid);
    expect(await lastDistributionId()).toBe(distributionsBefore + 1n);
    expectSplit(before, await balances(), 2_000_009n);
    const entries = await journaled(fulfilled.requestId);
    expect(entries).toEqual([
      expect.objectContaining({ txid: signed!.txid, status: "failed", error_code: "TRANSACTION_SUPERSEDED" }),
      expect.objectContaining({ txid: row.distribution_txid, status: "confirmed" }),
    ]);
    expect(BigInt(entries[1]!.nonce)).toBeGreaterThan(lastExecutedTxNonce!);

    crash.release();
    await first.close();
    h.service = second;
  }, 60_000);

  it("settles as covered, without an error, when someone else distributed the payout first", async () => {
    const fulfilled = await fulfilRequest(h, facilityId, 3_000_000n);
    // The operator pays the pool out through the API before the event arrives.
    const manual = await call(h.service, "POST", `/facilities/${facilityId}/distribute`, {
      key: h.keys.operator,
      body: {},
    });
    expect(manual.status).toBe(200);
    const distributions = await lastDistributionId();

    await h.publish(fulfilled.event);
    const row = await settled(fulfilled.requestId);
    expect(row).toMatchObject({ status: "covered", distribution_txid: manual.body.txid });
    expect(await lastDistributionId()).toBe(distributions);
    const dead = await h.db.query("SELECT count(*)::int AS n FROM dead_letters");
    expect(dead.rows[0].n).toBe(0);
  });

  it("acknowledges a fulfilment of a facility without shares as waiting, not as a failure", async () => {
    const unshared = await approvedFacility(h);
    const fulfilled = await fulfilRequest(h, unshared, 1_000_000n);
    const distributions = await lastDistributionId();
    await h.publish(fulfilled.event);
    expect(await settled(fulfilled.requestId)).toMatchObject({ status: "waiting_for_shares", attempts: 0 });
    expect(await lastDistributionId()).toBe(distributions);
    const pool = await call(h.service, "GET", `/facilities/${unshared}/pool`);
    expect(pool.body).toMatchObject({ balanceUstx: "1000000", sharesVersion: 0 });
    const dead = await h.db.query("SELECT count(*)::int AS n FROM dead_letters");
    expect(dead.rows[0].n).toBe(0);
  });
});

describe("distribution once the owner sets shares", () => {
  it("pays the fulfilments that waited for shares once, automatically, and nothing more on shares.updated again", async () => {
    const unshared = await approvedFacility(h);
    const early = await fulfilRequest(h, unshared, 2_500_001n);
    const late = await fulfilRequest(h, unshared, 1_200_007n);
    for (const fulfilled of [early, late]) {
      await h.publish(fulfilled.event);
      expect(await settled(fulfilled.requestId)).toMatchObject({ status: "waiting_for_shares", attempts: 0 });
    }
    const before = await balances();
    const distributionsBefore = await lastDistributionId();

    // The owner sets the split from their own wallet, not through the API: the follower sees it all the same.
    const owner = new RevenueSharingClient(h.chain, { sender: await h.sender("wallet_1") });
    const set = await owner.setStakeholderShares(
      BigInt(unshared),
      stakeholders().map((s) => ({ stakeholder: s.stakeholder, shareBps: BigInt(s.shareBps) })),
    );
    const sharesUpdated = await waitFor("shares.updated", () =>
      h.received.find(
        (r) => r.subject === "shares.updated" && r.event.chain?.txId === `0x${set.txid.replace(/^0x/, "")}`,
      ),
    );

    const first = await settledAfterShares(early.requestId);
    const second = await settledAfterShares(late.requestId);
    // One distribution paid the whole pool: the intent after it is covered by it.
    expect(first).toMatchObject({ status: "distributed", attempts: 1 });
    expect(second).toMatchObject({ status: "covered", attempts: 0, distribution_txid: first.distribution_txid });
    expect(await lastDistributionId()).toBe(distributionsBefore + 1n);
    expectSplit(before, await balances(), 3_700_008n);
    const shown = await call(h.service, "GET", `/fulfilments/${early.requestId}/distribution`, { key: h.keys.admin });
    expect(shown.body).toMatchObject({ status: "distributed", errorCode: null });
    const pool = await call(h.service, "GET", `/facilities/${unshared}/pool`);
    expect(pool.body).toMatchObject({ balanceUstx: "0", distributedUstx: "3700008" });

    // shares.updated again: past JetStream's de-duplication, and under a new event id.
    await h.publish(sharesUpdated.event, { msgId: `${sharesUpdated.event.eventId}-again` });
    const again = { ...sharesUpdated.event, eventId: crypto.randomUUID() };
    await h.publish(again);
    await waitFor("the repeated shares.updated handled", async () => {
      const { rows } = await h.db.query("SELECT 1 FROM inbox WHERE event_id = $1", [again.eventId]);
      return rows.length === 1;
    });
    expect(await intent(early.requestId)).toEqual(first);
    expect(await intent(late.requestId)).toEqual(second);
    expect(await lastDistributionId()).toBe(distributionsBefore + 1n);
    expectSplit(before, await balances(), 3_700_008n);
    const dead = await h.db.query("SELECT count(*)::int AS n FROM dead_letters");
    expect(dead.rows[0].n).toBe(0);
  }, 60_000);

  it("distributes a reopened fulfilment once when the service stops at its broadcast and a new instance starts", async () => {
    const unshared = await approvedFacility(h);
    const fulfilled = await fulfilRequest(h, unshared, 3_300_001n);
    await h.publish(fulfilled.event);
    expect(await settled(fulfilled.requestId)).toMatchObject({ status: "waiting_for_shares" });
    const before = await balances();
    const distributionsBefore = await lastDistributionId();

    // Instance 1 stops the moment the node accepts the distribution that shares.updated started.
    const first = h.service;
    const crash = crashAtBroadcast(first, "after");
    const owner = new RevenueSharingClient(h.chain, { sender: await h.sender("wallet_1") });
    await owner.setStakeholderShares(
      BigInt(unshared),
      stakeholders().map((s) => ({ stakeholder: s.stakeholder, shareBps: BigInt(s.shareBps) })),
    );
    await waitFor("the broadcast of instance 1", () => crash.reached());
    const [entry] = await journaled(fulfilled.requestId);
    expect(await intent(fulfilled.requestId)).toMatchObject({ status: "sending", distribution_txid: null });

    // The new instance gets shares.updated again after the ack wait and finds the reopened intent.
    const second = await h.startInstance();
    const row = await settled(fulfilled.requestId, 30_000);
    expect(row).toMatchObject({ status: "distributed", distribution_txid: entry!.txid });
    expect(await lastDistributionId()).toBe(distributionsBefore + 1n);
    expectSplit(before, await balances(), 3_300_001n);
    expect(await journaled(fulfilled.requestId)).toEqual([
      expect.objectContaining({ txid: entry!.txid, status: "confirmed" }),
    ]);

    crash.release();
    await first.close();
    h.service = second;
  }, 60_000);
});
