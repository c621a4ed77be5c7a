import { Cl } from "@stacks/transactions";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  ChainError,
  type ContractCall,
  DEFAULT_FEE_POLICY,
  FeeEstimator,
  PrivateKeySigner,
  type StacksApi,
  type SubmittedTransaction,
  type TransactionSenderOptions,
} from "../src/index.js";
import { DEVNET_KEYS } from "./support/devnet-keys.js";
import { backgroundMiner, fakeChain } from "./support/fake-chain.js";
import { hashOf } from "./support/fake-stacks-node.js";
import { FeeMarket } from "./support/fee-market.js";

// Fee bumps (replace-by-fee from our side), broadcast retries and the signing permit,
// against the fake node with a replace-by-fee mempool. Time is a hand-moved clock and
// retry pauses are recorded, not slept.

const miners: { stop(): void }[] = [];
afterEach(() => miners.splice(0).forEach((m) => m.stop()));

function setup(options: Parameters<typeof fakeChain>[0] = {}) {
  const { node } = fakeChain();
  const market = new FeeMarket(node);
  const { chain } = fakeChain({ fetch: market.fetch as typeof fetch, ...options });
  const signer = new PrivateKeySigner(DEVNET_KEYS.wallet_1.secretKey, chain.network.stacksNetwork);
  const call = (n: number): ContractCall => ({
    contract: chain.contracts["charge-discharge"],
    functionName: "set-grid-demand",
    functionArgs: [Cl.uint(n)],
    postConditions: [],
  });
  const clock = { now: 1_000_000 };
  const pauses: number[] = [];
  const controls: TransactionSenderOptions = {
    now: () => clock.now,
    sleep: async (ms) => void pauses.push(ms),
    random: () => 0.5,
  };
  const sender = (options: TransactionSenderOptions = {}) => chain.sender(signer, { ...controls, ...options });
  return { node, market, chain, signer, call, clock, pauses, sender };
}

describe("fee bumps", () => {
  it("re-signs a transaction still pending after feeBumpAfterMs at its nonce with 25 % more, and follows the replacement", async () => {
    const { node, market, call, clock, sender: start } = setup();
    const sender = await start({ feeBumpAfterMs: 60_000 });
    const first = await sender.submit(call(1));
    clock.now += 59_999;
    expect(await sender.recover(first.txid)).toBe(first.txid);
    expect(node.broadcasts).toEqual([first.txid]);

    clock.now += 1;
    const bumped = await sender.recover(first.txid);
    expect(bumped).not.toBe(first.txid);
    expect(market.feeOf(bumped)).toBe(6_250n);
    expect([...node.mempool.values()].map((tx) => [tx.txid, tx.nonce])).toEqual([[bumped, 0n]]);
    expect(market.dropped.get(first.txid)?.replacedBy).toBe(bumped);
    expect(sender.currentTxid(first.txid)).toBe(bumped);
    node.mineAll();
    expect(node.txs.get(bumped)?.tx_status).toBe("success");
  });

  it("bumps to the node's current estimate when that is higher than 25 % more", async () => {
    const {
      node,
      market,
      call,
      clock,
      sender: start,
    } = setup({
      fees: { ...DEFAULT_FEE_POLICY, cacheMs: 0 },
    });
    const sender = await start({ feeBumpAfterMs: 1_000 });
    const first = await sender.submit(call(1));
    node.feeEstimate = 40_000;
    clock.now += 1_000;
    expect(market.feeOf(await sender.recover(first.txid))).toBe(40_000n);
  });

  it("never pays more than the ceiling, and stops bumping once there", async () => {
    const {
      node,
      market,
      call,
      clock,
      sender: start,
    } = setup({
      fees: { floorUstx: 1_000n, ceilingUstx: 6_000n, cacheMs: 0 },
    });
    const sender = await start({ feeBumpAfterMs: 1_000 });
    const first = await sender.submit(call(1));
    clock.now += 1_000;
    const bumped = await sender.recover(first.txid);
    expect(market.feeOf(bumped)).toBe(6_000n);
    clock.now += 10_000;
    expect(await sender.recover(bumped)).toBe(bumped);
    expect(node.broadcasts).toEqual([first.txid, bumped]);
  });

  it("hands the bump to beforeBroadcast with the txid it replaces, before the node has it", async () => {
    const { node, call, clock, sender: start } = setup();
    const sender = await start({ feeBumpAfterMs: 1_000 });
    const seen: { transaction: SubmittedTransaction; onNode: boolean }[] = [];
    const first = await sender.submit(call(1), {
      beforeBroadcast: async (transaction) =>
        void seen.push({ transaction, onNode: node.broadcasts.includes(transaction.txid) }),
    });
    clock.now += 1_000;
    const bumped = await sender.recover(first.txid);
    expect(seen.map(({ transaction, onNode }) => [transaction.txid, transaction.replaces, onNode])).toEqual([
      [first.txid, undefined, false],
      [bumped, first.txid, false],
    ]);
    expect(seen[1]?.transaction).toMatchObject({ nonce: 0n, feeUstx: 6_250n });
  });

  it("follows the replaced transaction when a miner included it instead of the bump", async () => {
    const { node, market, call, clock, sender: start } = setup();
    const sender = await start({ feeBumpAfterMs: 1_000 });
    const first = await sender.submit(call(1));
    clock.now += 1_000;
    const bumped = await sender.recover(first.txid);
    await market.restore(first.txid);
    node.mine();
    expect(node.txs.get(first.txid)?.tx_status).toBe("success");

    expect(await sender.recover(bumped)).toBe(first.txid);
    expect(node.broadcasts).toEqual([first.txid, bumped, first.txid]);
    sender.markFinal(first.txid);
    expect(sender.inFlightCount).toBe(0);
  });

  it("keeps following the pending transaction when the node refuses the bump", async () => {
    const { node, call, clock, sender: start } = setup();
    const sender = await start({ feeBumpAfterMs: 1_000 });
    const first = await sender.submit(call(1));
    clock.now += 1_000;
    node.rejectNext.push("ConflictingNonceInMempool");
    expect(await sender.recover(first.txid)).toBe(first.txid);
    expect(sender.currentTxid(first.txid)).toBe(first.txid);
  });

  it("does not bump a call whose fee the caller fixed", async () => {
    const { node, call, clock, sender: start } = setup();
    const sender = await start({ feeBumpAfterMs: 1_000 });
    const first = await sender.submit({ ...call(1), feeUstx: 2_000n });
    clock.now += 1_000;
    expect(await sender.recover(first.txid)).toBe(first.txid);
    expect(node.broadcasts).toEqual([first.txid]);
  });

  it("through execute: a call stuck at a low fee confirms as its bump", async () => {
    const { node, market, chain, signer, call } = setup();
    const sender = await chain.callSender(signer, { feeBumpAfterMs: 1 });
    const execution = chain.execute(sender, call(1));
    await vi.waitFor(() => expect(market.dropped.size).toBe(1), { timeout: 5_000, interval: 10 });
    miners.push(backgroundMiner(node, 10));
    const outcome = await execution;
    const [replaced, dropped] = [...market.dropped.entries()][0]!;
    expect(outcome.txid).toBe(dropped.replacedBy);
    expect(outcome.txid).not.toBe(replaced);
    expect(node.confirmed.get(hashOf(signer.address))).toBe(1n);
  });
});

describe("broadcast retries", () => {
  it("sends again a broadcast refused as TemporarilyBlacklisted, pausing longer each time with jitter", async () => {
    const { node, call, pauses, sender: start } = setup();
    const sender = await start();
    node.rejectNext.push("TemporarilyBlacklisted", "TemporarilyBlacklisted", "TemporarilyBlacklisted");
    const submitted = await sender.submit(call(1));
    expect(pauses).toEqual([375, 750, 1_500]);
    expect(node.broadcasts).toEqual([submitted.txid, submitted.txid, submitted.txid, submitted.txid]);
    expect(node.mempool.has(submitted.txid)).toBe(true);
  });

  it("caps the pause at maxDelayMs and gives up after `attempts` tries, giving the nonce back", async () => {
    const { node, call, pauses, sender: start } = setup();
    const sender = await start({ broadcastRetry: { attempts: 4, baseDelayMs: 1_000, maxDelayMs: 2_000 } });
    node.rejectNext.push(...Array<string>(4).fill("TemporarilyBlacklisted"));
    await expect(sender.submit(call(1))).rejects.toMatchObject({ reason: "TemporarilyBlacklisted" });
    expect(pauses).toEqual([750, 1_500, 1_500]);
    expect(node.broadcasts.length).toBe(4);
    expect(sender.nextNonce).toBe(0n);
  });

  it("sends again after HTTP 5xx answers", async () => {
    const { node, market, call, pauses, sender: start } = setup();
    const sender = await start();
    market.failNext.push(503, 502);
    const submitted = await sender.submit(call(1));
    expect(pauses.length).toBe(2);
    expect(node.mempool.has(submitted.txid)).toBe(true);
  });

  it("keeps the nonce when 5xx answers outlast the retries (the node may have it), and recovery re-broadcasts it", async () => {
    const { node, market, call, sender: start } = setup();
    const sender = await start({ broadcastRetry: { attempts: 2 } });
    market.failNext.push(503, 503);
    const submitted = await sender.submit(call(1));
    expect(sender.nextNonce).toBe(1n);
    expect(node.mempool.size).toBe(0);
    expect(await sender.recover(submitted.txid)).toBe(submitted.txid);
    expect(node.mempool.has(submitted.txid)).toBe(true);
  });

  it("does not retry any other refusal", async () => {
    const { node, call, pauses, sender: start } = setup();
    const sender = await start();
    node.rejectNext.push("NotEnoughFunds");
    await expect(sender.submit(call(1))).rejects.toMatchObject({ reason: "NotEnoughFunds" });
    expect(pauses).toEqual([]);
    expect(node.broadcasts.length).toBe(1);
  });
});

describe("signing permit", () => {
  it("signs nothing without the permit, leaving the nonce unused", async () => {
    const { node, call, sender: start } = setup();
    let held = true;
    const sender = await start({
      permit: {
        assertHeld: () => {
          if (!held) throw new ChainError("SIGNING_LEASE_LOST", "lapsed");
        },
      },
    });
    await sender.submit(call(1));
    held = false;
    await expect(sender.submit(call(2))).rejects.toMatchObject({ code: "SIGNING_LEASE_LOST" });
    expect(node.broadcasts.length).toBe(1);
    expect(sender.nextNonce).toBe(1n);
  });
});

describe("FeeEstimator.bumped", () => {
  const estimator = (ceilingUstx = 1_000_000n) =>
    new FeeEstimator({} as StacksApi, { floorUstx: 1n, ceilingUstx, cacheMs: 0, bumpPercent: 25 });

  it("adds 25 %, rounded up, and at least one micro-STX (the node takes any strictly higher fee)", () => {
    expect(estimator().bumped(1_000n)).toBe(1_250n);
    expect(estimator().bumped(1_001n)).toBe(1_252n);
    expect(estimator().bumped(1n)).toBe(2n);
  });

  it("takes a higher estimate, and answers undefined when the ceiling leaves no room", () => {
    expect(estimator().bumped(1_000n, 9_000n)).toBe(9_000n);
    expect(estimator(1_100n).bumped(1_000n)).toBe(1_100n);
    expect(estimator(1_000n).bumped(1_000n)).toBeUndefined();
  });
});
