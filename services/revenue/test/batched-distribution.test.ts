import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { NatsConnection } from "@nats-io/transport-node";
import { ContractError, FacilityRegistryClient, RevenueSharingClient, type StacksChain } from "@voltstack/chain";
import type { TestService } from "@voltstack/service-kit";
import { DistributionBatcher } from "../src/distribution/distribution-batcher.js";
import { NATS_CONNECTION, STACKS_CHAIN } from "@voltstack/chain-sync";
import {
  acceptedRequest,
  approvedFacility,
  balanceOf,
  call,
  consumerAcknowledged,
  fulfilAccepted,
  fulfilRequest,
  type Harness,
  publishAsRelay,
  publishAsReplay,
  startHarness,
  waitFor,
} from "./support/revenue-harness.js";

// Batched distribution on service.fulfilled, end to end: real fulfilments on the devnet
// (grid contract driven through libs/chain), their events on NATS, the revenue service
// recording each payout as due and paying many of them in one distribute-pools, exactly
// once whatever the deliveries, deposits and restarts; balances checked to the micro-STX
// through the devnet's balance endpoint.

let h: Harness;
let facilityId: number;
const stakeholders = () => [
  { stakeholder: h.accounts.wallet_5.address, shareBps: 5_000 },
  { stakeholder: h.accounts.wallet_6.address, shareBps: 3_333 },
  { stakeholder: h.accounts.wallet_7.address, shareBps: 1_667 },
];

async function setShares(facility: number): Promise<void> {
  const shares = await call(h.service, "PUT", `/facilities/${facility}/shares`, {
    key: h.keys.owner,
    body: stakeholders(),
  });
  expect(shares.status).toBe(200);
}

beforeAll(async () => {
  h = await startHarness();
  facilityId = await approvedFacility(h);
  await setShares(facilityId);
}, 60_000);

afterAll(async () => {
  await h?.close();
});

// A test that fails while it holds blocks back must not stop the chain for the next ones.
afterEach(() => {
  h?.blocks.release();
});

type IntentRow = {
  status: string;
  attempts: number;
  batch_id: string | null;
  distribution_txid: string | null;
  distribution_id: number | null;
  error_code: string | null;
};

async function intent(requestId: number): Promise<IntentRow | undefined> {
  const { rows } = await h.db.query(
    `SELECT status, attempts, batch_id::text AS batch_id, distribution_txid, distribution_id, error_code
       FROM distribution_intents WHERE request_id = $1`,
    [requestId],
  );
  return rows[0] as IntentRow | undefined;
}

const settled = (requestId: number, timeoutMs?: number) =>
  waitFor(
    `the intent of request ${requestId} to settle`,
    async () => {
      const row = await intent(requestId);
      return row && row.status !== "due" && row.status !== "batched" ? row : undefined;
    },
    timeoutMs,
  );

/** Waits past waiting_for_shares too: shares.updated makes the payout due a moment after the shares land. */
const settledAfterShares = (requestId: number) =>
  waitFor(`the intent of request ${requestId} to settle after shares`, async () => {
    const row = await intent(requestId);
    return row && !["due", "batched", "waiting_for_shares"].includes(row.status) ? row : undefined;
  });

async function balances(): Promise<bigint[]> {
  return Promise.all(stakeholders().map((s) => balanceOf(h, s.stakeholder)));
}

const lastDistributionId = () => new RevenueSharingClient(h.chain).getLastDistributionId();

/** The journal's entries of a batch's transaction, oldest first. */
async function journaled(
  batchId: string,
): Promise<{ txid: string; nonce: string; status: string; error_code: string | null }[]> {
  const { rows } = await h.db.query(
    `SELECT txid, nonce::text AS nonce, status, error_code FROM chain_transactions
      WHERE requested_by = $1 AND txid IS NOT NULL ORDER BY created_at`,
    [`distribution-batch:${batchId}`],
  );
  return rows;
}

/** The split of one line as the contract makes it: floors, the remainder to the largest share (the first). */
function split(amountUstx: bigint): bigint[] {
  const floors = stakeholders().map((s) => (amountUstx * BigInt(s.shareBps)) / 10_000n);
  const remainder = amountUstx - floors.reduce((sum, floor) => sum + floor, 0n);
  return [floors[0]! + remainder, floors[1]!, floors[2]!];
}

/** Each stakeholder's gain is the sum of their part of every line (one line per facility). */
function expectPaid(before: bigint[], after: bigint[], lines: bigint[]): void {
  const expected = lines.map(split).reduce((sum, parts) => sum.map((value, i) => value + parts[i]!), [0n, 0n, 0n]);
  expect(after.map((balance, i) => balance - before[i]!)).toEqual(expected);
}

/**
 * Stops `service` at its next broadcast as a crash would: its batcher stops (no more holds
 * renewed), it loses NATS and never goes on, `before` the node sees the transaction or right
 * `after` the node accepted it. `release` lets the frozen call return; one frozen before the
 * node then fails, its transaction never sent.
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
    const txid = when === "after" ? await broadcast(txHex) : undefined;
    api.broadcast = broadcast;
    reached = true;
    service.app.get(DistributionBatcher).stop();
    await service.app.get<NatsConnection>(NATS_CONNECTION).close();
    await frozen;
    if (txid === undefined) throw new Error("the process stopped before this broadcast");
    return txid;
  };
  return { reached: () => reached, release };
}

describe("batched distribution on service.fulfilled", () => {
  it("pays many fulfilments of many facilities in one transaction, each stakeholder to the micro-STX", async () => {
    const facilities = [facilityId];
    for (let i = 0; i < 3; i += 1) {
      const facility = await approvedFacility(h);
      await setShares(facility);
      facilities.push(facility);
    }
    const amounts = [3_000_001n, 1_234_567n, 999_999n, 7_777_777n];
    const accepted: { facility: number; requestId: number; performanceBps: bigint }[] = [];
    for (const [index, facility] of facilities.entries()) {
      accepted.push({
        facility,
        requestId: await acceptedRequest(h, facility, amounts[index]!),
        performanceBps: 10_000n,
      });
      accepted.push({
        facility,
        requestId: await acceptedRequest(h, facility, amounts[index]! + 11n),
        performanceBps: 9_000n,
      });
    }

    // The 8 fulfilments go into one block, and no block follows it until every delivery is
    // handled: none becomes final before all are due, however slowly the events come in.
    await h.blocks.hold();
    const admin = h.accounts.deployer.address;
    const { possibleNextNonce: firstNonce } = await h.chain.api.getNonces(admin);
    const fulfilling = accepted.map((entry) => fulfilAccepted(h, entry.requestId, entry.performanceBps));
    await waitFor("the 8 fulfilments in the mempool", async () => {
      const { possibleNextNonce } = await h.chain.api.getNonces(admin);
      return possibleNextNonce >= firstNonce + BigInt(accepted.length);
    });
    const fulfilmentHeight = await h.devnet.mineBlock();
    const fulfilled = (await Promise.all(fulfilling)).map((f, i) => ({ facility: accepted[i]!.facility, f }));
    expect(fulfilled.map((entry) => entry.f.blockHeight)).toEqual(accepted.map(() => fulfilmentHeight));

    const before = await balances();
    const distributionsBefore = await lastDistributionId();
    const { rows: txBefore } = await h.db.query("SELECT count(*)::int AS n FROM chain_transactions");

    for (const { f } of fulfilled) await publishAsRelay(h, f.event);
    // One delivery twice (past JetStream's de-duplication) and the same fulfilment under another event id.
    await publishAsReplay(h, fulfilled[0]!.f.event);
    const last = await publishAsRelay(h, { ...fulfilled[1]!.f.event, eventId: crypto.randomUUID() });
    await consumerAcknowledged(h, "revenue", "service.fulfilled", last);
    for (const { f } of fulfilled) expect(await intent(f.requestId)).toMatchObject({ status: "due", batch_id: null });
    const { rows: formed } = await h.db.query("SELECT count(*)::int AS n FROM distribution_batches");
    expect(formed[0].n).toBe(0);
    expect(await h.chain.api.getTipHeight()).toBe(fulfilmentHeight);
    h.blocks.release();

    const rows = [];
    for (const { f } of fulfilled) rows.push(await settled(f.requestId));

    // 8 fulfilments of 4 facilities: one distribute-pools, one line per facility.
    expect(rows.every((row) => row.status === "distributed" && row.attempts === 0)).toBe(true);
    const txids = new Set(rows.map((row) => row.distribution_txid));
    expect(txids.size).toBe(1);
    expect(new Set(rows.map((row) => row.batch_id)).size).toBe(1);
    expect(await lastDistributionId()).toBe(distributionsBefore + 4n);
    const { rows: txAfter } = await h.db.query("SELECT count(*)::int AS n FROM chain_transactions");
    expect(txAfter[0].n - txBefore[0].n).toBe(1);
    const [txid] = [...txids];
    // The batch runs in the trace of the first payout it pays, linked to the others': its
    // transaction's journal row and the events it caused carry that trace id.
    const traceId = (traceparent: string) => traceparent.split("-")[1];
    const {
      rows: [formedBatch],
    } = await h.db.query("SELECT traceparents FROM distribution_batches WHERE id = $1", [rows[0]!.batch_id]);
    expect(new Set(formedBatch.traceparents)).toEqual(
      new Set(fulfilled.map(({ f }) => f.event.traceContext.traceparent)),
    );
    const {
      rows: [sent],
    } = await h.db.query("SELECT traceparent FROM chain_transactions WHERE txid = $1", [txid]);
    expect(traceId(sent.traceparent)).toBe(traceId(formedBatch.traceparents[0]));
    const journal = await call(h.service, "GET", "/transactions?status=confirmed", { key: h.keys.admin });
    expect(
      (journal.body.items as { functionName: string; txid: string }[]).filter((entry) => entry.txid === txid),
    ).toEqual([expect.objectContaining({ functionName: "distribute-pools" })]);

    const lines = facilities.map((facility) =>
      fulfilled.filter((entry) => entry.facility === facility).reduce((sum, entry) => sum + entry.f.payoutUstx, 0n),
    );
    expectPaid(before, await balances(), lines);

    // Each facility: its own revenue.distributed, with source pool and every payment, and the read model.
    for (const [index, facility] of facilities.entries()) {
      const message = await waitFor(`revenue.distributed of facility ${facility}`, () =>
        h.received.find(
          (r) => r.subject === "revenue.distributed" && r.event.chain?.txId === txid && r.event.facilityId === facility,
        ),
      );
      expect(message.event.payload).toMatchObject({
        facilityId: facility,
        amountUstx: lines[index]!.toString(),
        source: "pool",
        paymentCount: 3,
        distributedBy: h.accounts.deployer.address,
      });
      expect(traceId(message.event.traceContext.traceparent)).toBe(traceId(formedBatch.traceparents[0]));
      expect(message.event.deployment).toEqual({ network: "devnet", deployer: h.accounts.deployer.address });
      const payments = (message.event.payload as { payments: { amountUstx: string }[] }).payments;
      expect(payments.map((p) => BigInt(p.amountUstx))).toEqual(split(lines[index]!));
      const pool = await call(h.service, "GET", `/facilities/${facility}/pool`);
      expect(pool.body).toMatchObject({ balanceUstx: "0" });
      const history = await call(h.service, "GET", `/facilities/${facility}/payments`);
      const items = history.body.items as { txid: string; source: string; amountUstx: string }[];
      expect(items.filter((item) => item.txid === txid).map((item) => [item.source, BigInt(item.amountUstx)])).toEqual(
        split(lines[index]!).map((amount) => ["pool", amount]),
      );
    }
    const shown = await call(h.service, "GET", `/fulfilments/${fulfilled[0]!.f.requestId}/distribution`, {
      key: h.keys.operator,
    });
    expect(shown.body).toMatchObject({ status: "distributed", distributionTxid: txid, facilityId });
    expect(shown.body.distributionId).toEqual(expect.any(Number));

    // Paid only once the fulfilments' blocks had DISTRIBUTION_FINALITY_BLOCKS blocks on the chain.
    const { rows: batch } = await h.db.query("SELECT block_height FROM distribution_batches WHERE txid = $1", [txid]);
    const lastFulfilment = Math.max(...fulfilled.map((entry) => entry.f.blockHeight));
    expect(batch[0].block_height).toBeGreaterThanOrEqual(lastFulfilment + h.config.DISTRIBUTION_FINALITY_BLOCKS);
    const dead = await h.db.query("SELECT count(*)::int AS n FROM dead_letters");
    expect(dead.rows[0].n).toBe(0);
  }, 180_000);

  it("pays the stated amount when a deposit lands between signing and mining: no abort, the deposit stays in the pool", async () => {
    const before = await balances();
    const fulfilled = await fulfilRequest(h, facilityId, 6_000_013n);
    const depositor = new RevenueSharingClient(h.chain, { sender: await h.sender("wallet_8") });

    // The batch is signed; before the node gets it, someone else's deposit confirms.
    const api = h.service.app.get<StacksChain>(STACKS_CHAIN).api;
    const broadcast = api.broadcast.bind(api);
    let deposited: string | undefined;
    api.broadcast = async (txHex) => {
      api.broadcast = broadcast;
      deposited = (await depositor.depositRevenue(BigInt(facilityId), 424_242n, "ppa:meanwhile")).txid;
      return broadcast(txHex);
    };
    await publishAsRelay(h, fulfilled.event);
    const row = await settled(fulfilled.requestId);
    expect(deposited).toBeDefined();
    expect(row).toMatchObject({ status: "distributed", attempts: 0, error_code: null });
    const { rows: failed } = await h.db.query(
      "SELECT count(*)::int AS n FROM chain_transactions WHERE function_name = 'distribute-pools' AND status = 'failed'",
    );
    expect(failed[0].n).toBe(0);
    expectPaid(before, await balances(), [6_000_013n]);
    expect(await new RevenueSharingClient(h.chain).getPoolBalance(BigInt(facilityId))).toBe(424_242n);
    await waitFor("the pool in the read model", async () => {
      const pool = await call(h.service, "GET", `/facilities/${facilityId}/pool`);
      return pool.body.balanceUstx === "424242" ? pool : undefined;
    });
  }, 60_000);

  it("pays a batch once when the service stops right after the node accepted it and a new instance takes over", async () => {
    const before = await balances();
    const distributionsBefore = await lastDistributionId();
    const fulfilled = await fulfilRequest(h, facilityId, 5_000_003n);

    const first = h.service;
    const crash = crashAtBroadcast(first, "after");
    await publishAsRelay(h, fulfilled.event);
    await waitFor("the broadcast of instance 1", () => crash.reached());
    const { batch_id: batchId } = (await intent(fulfilled.requestId))!;
    const [entry] = await journaled(batchId!);
    expect(entry).toMatchObject({ status: "pending" });
    expect(await h.chain.api.getTransaction(entry!.txid)).not.toBeNull();

    const second = await h.startInstance();
    const row = await settled(fulfilled.requestId, 30_000);
    expect(row).toMatchObject({ status: "distributed", distribution_txid: entry!.txid, batch_id: batchId });
    expect(await lastDistributionId()).toBe(distributionsBefore + 1n);
    expectPaid(before, await balances(), [5_000_003n]);
    expect(await journaled(batchId!)).toEqual([expect.objectContaining({ txid: entry!.txid, status: "confirmed" })]);

    crash.release();
    await first.close();
    h.service = second;
  }, 60_000);

  it("pays a batch once when the service stops after journaling it and before broadcasting it", async () => {
    const before = await balances();
    const distributionsBefore = await lastDistributionId();
    const fulfilled = await fulfilRequest(h, facilityId, 4_000_007n);

    const first = h.service;
    const crash = crashAtBroadcast(first, "before");
    await publishAsRelay(h, fulfilled.event);
    await waitFor("the broadcast of instance 1", () => crash.reached());
    const { batch_id: batchId } = (await intent(fulfilled.requestId))!;
    const [signed] = await journaled(batchId!);
    expect(signed).toMatchObject({ status: "pending" });
    expect(await h.chain.api.getTransaction(signed!.txid)).toBeNull();

    // Instance 2 finds a batch the node never saw and sends it in its place, at its nonce.
    const second = await h.startInstance();
    const row = await settled(fulfilled.requestId, 30_000);
    expect(row).toMatchObject({ status: "distributed", batch_id: batchId });
    expect(await lastDistributionId()).toBe(distributionsBefore + 1n);
    expectPaid(before, await balances(), [4_000_007n]);
    const entries = await journaled(batchId!);
    expect(entries.filter((e) => e.status === "confirmed")).toEqual([
      expect.objectContaining({ txid: row.distribution_txid, nonce: signed!.nonce }),
    ]);

    crash.release();
    await first.close();
    h.service = second;
    expect(await lastDistributionId()).toBe(distributionsBefore + 1n);
  }, 60_000);

  it("pays a batch at a new nonce once another transaction took the nonce of one journaled and never broadcast", async () => {
    const before = await balances();
    const distributionsBefore = await lastDistributionId();
    const fulfilled = await fulfilRequest(h, facilityId, 2_000_009n);

    const first = h.service;
    const crash = crashAtBroadcast(first, "before");
    await publishAsRelay(h, fulfilled.event);
    await waitFor("the broadcast of instance 1", () => crash.reached());
    const { batch_id: batchId } = (await intent(fulfilled.requestId))!;
    const [signed] = await journaled(batchId!);
    // The signer's next transaction (a call that fails and changes nothing) executes that nonce.
    const registry = new FacilityRegistryClient(h.chain, { sender: await h.sender("deployer") });
    await expect(registry.approveFacility(0n)).rejects.toBeInstanceOf(ContractError);
    const { lastExecutedTxNonce } = await h.chain.api.getNonces(h.accounts.deployer.address);
    expect(lastExecutedTxNonce).toBeGreaterThanOrEqual(BigInt(signed!.nonce));

    // Instance 2 finds, from the node, that the batch's transaction can never confirm: the batch
    // fails without counting against its payouts, and they go into a new batch.
    const second = await h.startInstance();
    const row = await settled(fulfilled.requestId, 30_000);
    expect(row).toMatchObject({ status: "distributed", attempts: 0 });
    expect(row.batch_id).not.toBe(batchId);
    expect(row.distribution_txid).not.toBe(signed!.txid);
    expect(await lastDistributionId()).toBe(distributionsBefore + 1n);
    expectPaid(before, await balances(), [2_000_009n]);
    expect(await journaled(batchId!)).toEqual([
      expect.objectContaining({ txid: signed!.txid, status: "failed", error_code: "TRANSACTION_SUPERSEDED" }),
    ]);
    const { rows: batches } = await h.db.query(
      "SELECT status, error_code FROM distribution_batches WHERE id = $1::uuid",
      [batchId],
    );
    expect(batches).toEqual([{ status: "failed", error_code: "TRANSACTION_SUPERSEDED" }]);
    const [paid] = await journaled(row.batch_id!);
    expect(paid).toMatchObject({ txid: row.distribution_txid, status: "confirmed" });
    expect(BigInt(paid!.nonce)).toBeGreaterThan(lastExecutedTxNonce!);

    crash.release();
    await first.close();
    h.service = second;
  }, 60_000);

  it("settles as covered, without a transaction, when someone else paid the whole pool out first", async () => {
    const fulfilled = await fulfilRequest(h, facilityId, 3_000_000n);
    const manual = await call(h.service, "POST", `/facilities/${facilityId}/distribute`, {
      key: h.keys.operator,
      body: {},
    });
    expect(manual.status).toBe(200);
    const distributions = await lastDistributionId();

    await publishAsRelay(h, fulfilled.event);
    const row = await settled(fulfilled.requestId);
    expect(row).toMatchObject({ status: "covered", distribution_txid: manual.body.txid, batch_id: null });
    expect(await lastDistributionId()).toBe(distributions);
  });

  it("counts payouts as paid by someone else's stated-amount distribution that left the pool short of them", async () => {
    const facility = await approvedFacility(h);
    await setShares(facility);
    const fulfilled = await fulfilRequest(h, facility, 1_000_000n);
    // The operator pays 600,000 of the pool out from their wallet, in a batch of their own.
    const operator = new RevenueSharingClient(h.chain, { sender: await h.sender("wallet_2") });
    const own = await operator.distributePools([{ facilityId: BigInt(facility), amountUstx: 600_000n }]);
    const txid = `0x${own.txid.replace(/^0x/, "")}`;
    const distributions = await lastDistributionId();

    await publishAsRelay(h, fulfilled.event);
    const row = await settled(fulfilled.requestId);
    expect(row).toMatchObject({ status: "covered", distribution_txid: txid, batch_id: null });
    expect(await lastDistributionId()).toBe(distributions);
    const pool = await call(h.service, "GET", `/facilities/${facility}/pool`);
    expect(pool.body).toMatchObject({ balanceUstx: "400000", depositedUstx: "1000000", distributedUstx: "600000" });
  }, 60_000);

  it("records why the chain refused a batch and does not send it again: its payout, due again, is found covered", async () => {
    const fulfilled = await fulfilRequest(h, facilityId, 1_500_001n);
    const distributionsBefore = await lastDistributionId();
    // Before the batch reaches the node, the operator pays the whole pool out from their wallet.
    const api = h.service.app.get<StacksChain>(STACKS_CHAIN).api;
    const broadcast = api.broadcast.bind(api);
    let manual: string | undefined;
    api.broadcast = async (txHex) => {
      api.broadcast = broadcast;
      const operator = new RevenueSharingClient(h.chain, { sender: await h.sender("wallet_2") });
      manual = `0x${(await operator.distributeRevenue(BigInt(facilityId))).txid.replace(/^0x/, "")}`;
      return broadcast(txHex);
    };
    await publishAsRelay(h, fulfilled.event);
    const row = await settled(fulfilled.requestId, 40_000);
    expect(row).toMatchObject({ status: "covered", attempts: 1, distribution_txid: manual, error_code: null });
    const { rows: batches } = await h.db.query(
      `SELECT b.status, b.error_code, t.status AS journal_status, t.error_code AS journal_error
         FROM distribution_batches b JOIN chain_transactions t ON t.requested_by = 'distribution-batch:' || b.id::text
        WHERE b.lines @> $1::jsonb`,
      [JSON.stringify([{ facilityId, amountUstx: "1500001" }])],
    );
    // The contract refuses with ERR_INSUFFICIENT_POOL; the devnet reports such a transaction as
    // aborted by its post-condition (nothing moved, not the stated sum), a node by its response.
    expect(batches).toHaveLength(1);
    expect(batches[0]).toMatchObject({ status: "failed", journal_status: "failed" });
    expect(["ERR_INSUFFICIENT_POOL", "POST_CONDITION_ABORT"]).toContain(batches[0].error_code);
    expect(batches[0].journal_error).toBe(batches[0].error_code);
    expect(await lastDistributionId()).toBe(distributionsBefore + 1n);
  }, 60_000);

  it("records a payout of a facility without shares as waiting, and pays it once when the owner sets them", async () => {
    const unshared = await approvedFacility(h);
    const early = await fulfilRequest(h, unshared, 2_500_001n);
    const late = await fulfilRequest(h, unshared, 1_200_007n);
    for (const fulfilled of [early, late]) await publishAsRelay(h, fulfilled.event);
    for (const fulfilled of [early, late]) {
      expect(await settled(fulfilled.requestId)).toMatchObject({ status: "waiting_for_shares", attempts: 0 });
    }
    const before = await balances();
    const distributionsBefore = await lastDistributionId();

    // The owner sets the split from their own wallet: the follower sees it all the same.
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
    expect(first).toMatchObject({ status: "distributed", attempts: 0 });
    expect(second).toMatchObject({ status: "distributed", distribution_txid: first.distribution_txid });
    expect(await lastDistributionId()).toBe(distributionsBefore + 1n);
    expectPaid(before, await balances(), [3_700_008n]);

    // shares.updated again changes nothing.
    const again = { ...sharesUpdated.event, eventId: crypto.randomUUID() };
    await publishAsRelay(h, again);
    await waitFor("the repeated shares.updated handled", async () => {
      const { rows } = await h.db.query("SELECT 1 FROM inbox WHERE event_id = $1", [again.eventId]);
      return rows.length === 1;
    });
    expect(await intent(early.requestId)).toEqual(first);
    expect(await lastDistributionId()).toBe(distributionsBefore + 1n);
    const dead = await h.db.query("SELECT count(*)::int AS n FROM dead_letters");
    expect(dead.rows[0].n).toBe(0);
  }, 60_000);
});
