import { Cl, deserializeTransaction, makeContractCall } from "@stacks/transactions";
import { afterEach, describe, expect, it } from "vitest";
import { type ContractCall, InMemoryNonceStore, PrivateKeySigner, type SubmittedTransaction } from "../src/index.js";
import { DEVNET_KEYS } from "./support/devnet-keys.js";
import { backgroundMiner, fakeChain } from "./support/fake-chain.js";
import { hashOf } from "./support/fake-stacks-node.js";

const miners: { stop(): void }[] = [];
afterEach(() => miners.splice(0).forEach((m) => m.stop()));

function setup(options: Parameters<typeof fakeChain>[0] = {}) {
  const { node, chain } = fakeChain(options);
  const signer = new PrivateKeySigner(DEVNET_KEYS.wallet_1.secretKey, chain.network.stacksNetwork);
  const call = (n: number): ContractCall => ({
    contract: chain.contracts["charge-discharge"],
    functionName: "set-grid-demand",
    functionArgs: [Cl.uint(n)],
    postConditions: [],
  });
  return { node, chain, signer, call };
}

describe("TransactionSender", () => {
  it("hands out consecutive nonces to concurrent calls and keeps at most 25 chained", async () => {
    const { node, chain, signer, call } = setup();
    const sender = await chain.sender(signer);
    let deepest = 0;
    const watch = setInterval(() => (deepest = Math.max(deepest, node.mempool.size)), 1);
    miners.push(backgroundMiner(node, 15), { stop: () => clearInterval(watch) });
    const submitted = await Promise.all(Array.from({ length: 40 }, (_, i) => sender.submit(call(i))));
    expect(submitted.map((s) => s.nonce)).toEqual(Array.from({ length: 40 }, (_, i) => BigInt(i)));
    expect(new Set(submitted.map((s) => s.txid)).size).toBe(40);
    expect(deepest).toBeLessThanOrEqual(25);
    expect(node.broadcasts.length).toBe(40);
  });

  it("fails a call with CHAIN_FULL when no slot frees up in time", async () => {
    const { chain, signer, call } = setup();
    const sender = await chain.sender(signer, { maxChainedTransactions: 2, capacityTimeoutMs: 50 });
    await sender.submit(call(1));
    await sender.submit(call(2));
    await expect(sender.submit(call(3))).rejects.toMatchObject({ code: "CHAIN_FULL" });
    expect(sender.nextNonce).toBe(2n);
  });

  it("moves past a nonce another process used (BadNonce) and re-signs", async () => {
    const { node, chain, signer, call } = setup();
    const sender = await chain.sender(signer);
    node.confirmed.set(hashOf(signer.address), 3n);
    const submitted = await sender.submit(call(1));
    expect(submitted.nonce).toBe(3n);
    expect(node.broadcasts.length).toBe(2);
  });

  it("moves past a nonce held in the mempool by another transaction (ConflictingNonceInMempool)", async () => {
    const { chain, signer, call } = setup();
    const sender = await chain.sender(signer);
    const foreign = await makeContractCall({
      contractAddress: DEVNET_KEYS.deployer.address,
      contractName: "charge-discharge",
      functionName: "set-grid-demand",
      functionArgs: [Cl.uint(99)],
      senderKey: DEVNET_KEYS.wallet_1.secretKey,
      nonce: 0n,
      fee: 1000n,
      network: chain.network.stacksNetwork,
      validateWithAbi: false,
    });
    await chain.api.broadcast(foreign.serialize());
    const submitted = await sender.submit(call(1));
    expect(submitted.nonce).toBe(1n);
  });

  it("never reuses a nonce after a restart, even when the node lost the earlier transactions", async () => {
    const { node, chain, signer, call } = setup();
    const store = new InMemoryNonceStore();
    const first = await chain.sender(signer, { nonceStore: store });
    for (let i = 0; i < 3; i += 1) await first.submit(call(i));
    node.mempool.clear();
    const restarted = await chain.sender(signer, { nonceStore: store });
    expect(restarted.nextNonce).toBe(3n);
    const withoutStore = await chain.sender(signer);
    expect(withoutStore.nextNonce).toBe(0n);
  });

  it("holds the fee within the configured floor and ceiling", async () => {
    const { node, chain, signer, call } = setup({ fees: { floorUstx: 2_000n, ceilingUstx: 3_000n, cacheMs: 0 } });
    const sender = await chain.sender(signer);
    node.feeEstimate = 50_000;
    const high = await sender.submit(call(1));
    node.feeEstimate = undefined;
    const low = await sender.submit(call(2));
    expect(high.feeUstx).toBe(3_000n);
    expect(low.feeUstx).toBe(2_000n);
    const stored = [...node.mempool.values()].find((m) => m.txid === high.txid);
    expect(deserializeTransaction(stored!.hex).auth.spendingCondition.fee).toBe(3_000n);
  });

  it("reuses a fee estimate per contract function within the cache window", async () => {
    const { node, chain, signer, call } = setup({
      fees: { floorUstx: 1_000n, ceilingUstx: 100_000n, cacheMs: 60_000 },
    });
    const sender = await chain.sender(signer);
    const first = await sender.submit(call(1));
    node.feeEstimate = 9_000;
    const second = await sender.submit(call(2));
    expect(node.feeRequests).toBe(1);
    expect(second.feeUstx).toBe(first.feeUstx);
  });

  it("re-broadcasts a transaction that never reached the node, unblocking the ones behind it", async () => {
    const { node, chain, signer, call } = setup();
    const sender = await chain.callSender(signer);
    miners.push(backgroundMiner(node, 10));
    node.loseNext = 1;
    const outcomes = await Promise.all([0, 1, 2].map((i) => chain.execute(sender, call(i))));
    expect(outcomes.map((o) => o.nonce)).toEqual([0n, 1n, 2n]);
    expect(node.confirmed.get(hashOf(signer.address))).toBe(3n);
    expect(node.broadcasts.filter((txid) => txid === outcomes[0]!.txid).length).toBe(2);
  });

  it("fills a gap it holds no transaction for (lost before a restart) with a call that changes nothing", async () => {
    const { node, chain, signer, call } = setup();
    const store = new InMemoryNonceStore();
    await store.save(signer.address, 0n);
    const sender = await chain.callSender(signer, { nonceStore: store });
    miners.push(backgroundMiner(node, 10));
    const outcome = await chain.execute(sender, call(1));
    expect(outcome.nonce).toBe(1n);
    const filler = [...node.txs.values()].find((tx) => tx.nonce === 0);
    expect(filler).toBeDefined();
    expect(node.confirmed.get(hashOf(signer.address))).toBe(2n);
  });

  it("keeps the nonce when the node is unreachable at broadcast, and re-broadcasts once it answers", async () => {
    const { node, chain, signer, call } = setup();
    const sender = await chain.callSender(signer);
    miners.push(backgroundMiner(node, 10));
    node.nodeUnreachable = true;
    const execution = chain.execute(sender, call(1));
    setTimeout(() => (node.nodeUnreachable = false), 50);
    const outcome = await execution;
    expect(outcome.nonce).toBe(0n);
  });

  it("hands each signed transaction to beforeBroadcast before the node has it", async () => {
    const { node, chain, signer, call } = setup();
    const sender = await chain.sender(signer);
    const seen: { transaction: SubmittedTransaction; onNode: boolean }[] = [];
    const submitted = await sender.submit(call(1), {
      beforeBroadcast: async (transaction) => {
        seen.push({ transaction, onNode: node.broadcasts.includes(transaction.txid) });
      },
    });
    expect(seen).toEqual([{ transaction: submitted, onNode: false }]);
    expect(node.mempool.has(submitted.txid)).toBe(true);
  });

  it("does not broadcast when beforeBroadcast fails, and gives the nonce back", async () => {
    const { node, chain, signer, call } = setup();
    const sender = await chain.sender(signer);
    const refusal = new Error("journal unavailable");
    await expect(sender.submit(call(1), { beforeBroadcast: () => Promise.reject(refusal) })).rejects.toBe(refusal);
    expect(node.broadcasts).toEqual([]);
    expect(sender.nextNonce).toBe(0n);
    expect((await sender.submit(call(2))).nonce).toBe(0n);
  });

  it("tells beforeBroadcast of every re-signed attempt, the last being the one sent", async () => {
    const { node, chain, signer, call } = setup();
    const sender = await chain.sender(signer);
    node.confirmed.set(hashOf(signer.address), 3n);
    const seen: SubmittedTransaction[] = [];
    const submitted = await sender.submit(call(1), { beforeBroadcast: async (tx) => void seen.push(tx) });
    expect(seen.map((tx) => tx.nonce)).toEqual([0n, 3n]);
    expect(seen.at(-1)).toEqual(submitted);
    expect(node.broadcasts).toEqual(seen.map((tx) => tx.txid));
  });

  describe("replace", () => {
    /** A transaction signed at `nonce` by a process that stopped before broadcasting it. */
    async function signedOnly(chain: ReturnType<typeof setup>["chain"], n: number, nonce: bigint) {
      const transaction = await makeContractCall({
        contractAddress: DEVNET_KEYS.deployer.address,
        contractName: "charge-discharge",
        functionName: "set-grid-demand",
        functionArgs: [Cl.uint(n)],
        senderKey: DEVNET_KEYS.wallet_1.secretKey,
        nonce,
        fee: 1_000n,
        network: chain.network.stacksNetwork,
        validateWithAbi: false,
      });
      return { txid: transaction.txid(), nonce, hex: transaction.serialize() };
    }

    it("follows the earlier transaction when the node knows it, signing nothing", async () => {
      const { node, chain, signer, call } = setup();
      const earlier = await signedOnly(chain, 1, 0n);
      await chain.api.broadcast(earlier.hex);
      const sender = await chain.sender(signer);
      const followed = await sender.replace(earlier, call(1));
      expect(followed).toMatchObject({ txid: earlier.txid, nonce: 0n });
      expect(node.broadcasts).toEqual([earlier.txid]);
    });

    it("follows a transaction it still holds, whichever way its txid is written", async () => {
      const { node, chain, signer, call } = setup();
      const sender = await chain.sender(signer);
      node.nodeUnreachable = true;
      const held = await sender.submit(call(1));
      node.nodeUnreachable = false;
      const followed = await sender.replace({ txid: `0x${held.txid.toUpperCase()}`, nonce: held.nonce }, call(1));
      expect(followed).toEqual(held);
      expect(node.broadcasts).toEqual([]);
    });

    it("signs the call at the nonce of a transaction the node never saw, which can then never confirm", async () => {
      const { node, chain, signer, call } = setup();
      const earlier = await signedOnly(chain, 1, 0n);
      const sender = await chain.sender(signer);
      const seen: SubmittedTransaction[] = [];
      const replacement = await sender.replace(earlier, call(2), {
        beforeBroadcast: async (tx) => void seen.push(tx),
      });
      expect(replacement.nonce).toBe(0n);
      expect(replacement.txid).not.toBe(earlier.txid);
      expect(seen).toEqual([replacement]);
      await expect(chain.api.broadcast(earlier.hex)).rejects.toMatchObject({ reason: "ConflictingNonceInMempool" });
      node.mineAll();
      await expect(chain.api.broadcast(earlier.hex)).rejects.toMatchObject({ reason: "BadNonce" });
      expect(node.txs.has(earlier.txid)).toBe(false);
      expect(sender.nextNonce).toBe(1n);
    });

    it("takes the next nonce when another transaction executed the earlier one's", async () => {
      const { node, chain, signer, call } = setup();
      const earlier = await signedOnly(chain, 1, 0n);
      const other = await signedOnly(chain, 9, 0n);
      await chain.api.broadcast(other.hex);
      node.mineAll();
      const sender = await chain.sender(signer);
      const replacement = await sender.replace(earlier, call(1));
      expect(replacement.nonce).toBe(1n);
      expect(node.mempool.has(replacement.txid)).toBe(true);
    });

    it("answers NONCE_BUSY, sending nothing, while another transaction waits at the earlier one's nonce", async () => {
      const { node, chain, signer, call } = setup();
      const earlier = await signedOnly(chain, 1, 0n);
      const other = await signedOnly(chain, 9, 0n);
      await chain.api.broadcast(other.hex);
      const sender = await chain.sender(signer);
      await expect(sender.replace(earlier, call(1))).rejects.toMatchObject({ code: "NONCE_BUSY" });
      expect(node.broadcasts).toEqual([other.txid]);
      expect(sender.nextNonce).toBe(1n);
    });

    it("answers NONCE_BUSY when the nonce is taken between the check and the broadcast", async () => {
      const { node, chain, signer, call } = setup();
      const earlier = await signedOnly(chain, 1, 0n);
      const sender = await chain.sender(signer);
      node.rejectNext.push("ConflictingNonceInMempool");
      await expect(sender.replace(earlier, call(2))).rejects.toMatchObject({ code: "NONCE_BUSY" });
      expect(sender.nextNonce).toBe(0n);
    });
  });
});
