import { Cl } from "@stacks/transactions";
import { afterEach, describe, expect, it } from "vitest";
import {
  ChainFollower,
  ConfirmationTimeoutError,
  ContractError,
  GridServicesClient,
  PrivateKeySigner,
  TransactionFailedError,
} from "../src/index.js";
import { DEVNET_KEYS } from "./support/devnet-keys.js";
import { backgroundMiner, fakeChain } from "./support/fake-chain.js";

const miners: { stop(): void }[] = [];
afterEach(() => miners.splice(0).forEach((m) => m.stop()));

function setup() {
  const { node, chain } = fakeChain();
  const signer = new PrivateKeySigner(DEVNET_KEYS.deployer.secretKey, chain.network.stacksNetwork);
  const gridId = chain.contracts["grid-services"].id;
  return { node, chain, signer, gridId };
}

function requestedEvent(id: number) {
  return Cl.tuple({
    topic: Cl.stringAscii("service-requested"),
    "request-id": Cl.uint(id),
    "service-type": Cl.stringAscii("peak-shaving"),
    "power-kw": Cl.uint(10),
    "energy-kwh": Cl.uint(20),
    payment: Cl.uint(1_000),
    requester: Cl.principal(DEVNET_KEYS.deployer.address),
    "expires-at": Cl.uint(100),
  });
}

describe("StacksChain.execute through a typed client", () => {
  it("returns the typed ok value and the decoded print events of a successful call", async () => {
    const { node, chain, signer, gridId } = setup();
    node.outcomeFor = (tx) => ({
      result: Cl.ok(Cl.uint(7)),
      events: [
        { contractId: "ST000000000000000000002AMW42H.pox-4", value: Cl.stringAscii("foreign") },
        { contractId: gridId, value: requestedEvent(7) },
      ],
      ...(tx.functionName === "create-service-request" ? {} : { status: "abort_by_response" }),
    });
    miners.push(backgroundMiner(node));
    const grid = new GridServicesClient(chain, { sender: await chain.callSender(signer) });
    const result = await grid.createServiceRequest({
      serviceType: "peak-shaving",
      powerKw: 10n,
      energyKwh: 20n,
      paymentUstx: 1_000n,
      expiresAt: 100n,
    });
    expect(result.value).toBe(7n);
    expect(result.blockHeight).toBeGreaterThan(0);
    expect(result.events).toHaveLength(1);
    expect(result.events[0]).toMatchObject({
      contract: "grid-services",
      payload: { topic: "service-requested", requestId: 7n, paymentUstx: 1_000n },
    });
  });

  it("raises the contract's named error for abort_by_response", async () => {
    const { node, chain, signer } = setup();
    node.outcomeFor = () => ({ status: "abort_by_response", result: Cl.error(Cl.uint(4010)) });
    miners.push(backgroundMiner(node));
    const grid = new GridServicesClient(chain, { sender: await chain.callSender(signer) });
    const error = await grid.acceptRequest(1n, 1n).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContractError);
    expect(error).toMatchObject({ code: "ERR_REQUEST_NOT_OPEN", contract: "grid-services", errorNumber: 4010n });
  });

  it("reports a post-condition abort and a drop as failed transactions", async () => {
    const { node, chain, signer } = setup();
    const statuses = ["abort_by_post_condition", "dropped_replace_by_fee"];
    node.outcomeFor = () => ({ status: statuses.shift() as string, result: Cl.ok(Cl.bool(true)) });
    miners.push(backgroundMiner(node));
    const grid = new GridServicesClient(chain, { sender: await chain.callSender(signer) });
    await expect(grid.setOracle(DEVNET_KEYS.wallet_1.address, true)).rejects.toMatchObject({
      code: "POST_CONDITION_ABORT",
    });
    const dropped = await grid.setOracle(DEVNET_KEYS.wallet_1.address, true).catch((e: unknown) => e);
    expect(dropped).toBeInstanceOf(TransactionFailedError);
    expect(dropped).toMatchObject({ code: "TRANSACTION_DROPPED" });
  });

  it("times out when the transaction never becomes final", async () => {
    const { chain, signer } = setup();
    const grid = new GridServicesClient(chain, {
      sender: await chain.callSender(signer),
      confirmation: { timeoutMs: 100 },
    });
    await expect(grid.setOracle(DEVNET_KEYS.wallet_1.address, true)).rejects.toBeInstanceOf(ConfirmationTimeoutError);
  });

  it("waits for the configured number of confirmations", async () => {
    const { node, chain, signer } = setup();
    miners.push(backgroundMiner(node));
    const grid = new GridServicesClient(chain, {
      sender: await chain.callSender(signer),
      confirmation: { confirmations: 3 },
    });
    const result = await grid.setOracle(DEVNET_KEYS.wallet_1.address, true);
    expect(node.tip).toBeGreaterThanOrEqual(result.blockHeight + 2);
  });

  it("spreads 100 calls over a pool of four signers", async () => {
    const { node, chain } = setup();
    miners.push(backgroundMiner(node, 5));
    const signers = [DEVNET_KEYS.wallet_1, DEVNET_KEYS.wallet_2, DEVNET_KEYS.wallet_3, DEVNET_KEYS.wallet_4].map(
      (k) => new PrivateKeySigner(k.secretKey, chain.network.stacksNetwork),
    );
    const grid = new GridServicesClient(chain, { sender: await chain.callSender(signers) });
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => grid.reportFrequency(BigInt(50_000 + i))));
    const perSigner = new Map<string, bigint[]>();
    for (const r of results) perSigner.set(r.sender, [...(perSigner.get(r.sender) ?? []), r.nonce]);
    expect(perSigner.size).toBe(4);
    for (const nonces of perSigner.values()) {
      expect(nonces.length).toBeGreaterThanOrEqual(20);
      expect([...nonces].sort((a, b) => Number(a - b))).toEqual(nonces.map((_, i) => BigInt(i)));
    }
  });
});

describe("ChainFollower", () => {
  it("reads our print events in chain order through the contract log, down to the newest applied one", async () => {
    const { node, chain, signer, gridId } = setup();
    let next = 1;
    node.outcomeFor = () => ({
      events: [
        { contractId: gridId, value: requestedEvent(next++) },
        { contractId: gridId, value: requestedEvent(next++) },
      ],
    });
    const sender = await chain.sender(signer);
    const call = {
      contract: chain.contracts["grid-services"],
      functionName: "report-frequency",
      functionArgs: [Cl.uint(1)],
      postConditions: [],
    };
    await sender.submit(call);
    await sender.submit(call);
    node.mine();
    await sender.submit(call);
    node.mine();
    // A page of two events: the reading walks three pages.
    const follower = new ChainFollower(chain, { contract: "grid-services", fromHeight: 1, pageSize: 2 });
    const applied = new Set<string>();
    const first = await follower.unappliedEvents(async (txid, index) => applied.has(`${txid}:${index}`));
    expect(first.newestApplied).toBeNull();
    expect(first.events.map((e) => (e.payload as { requestId: bigint }).requestId)).toEqual([1n, 2n, 3n, 4n, 5n, 6n]);
    expect(first.events.map((e) => [e.blockHeight, e.txIndex, e.eventIndex])).toEqual([
      [1, 0, 0],
      [1, 0, 1],
      [1, 1, 0],
      [1, 1, 1],
      [2, 0, 0],
      [2, 0, 1],
    ]);
    for (const e of first.events) applied.add(`${e.txid}:${e.eventIndex}`);
    await sender.submit(call);
    node.mine();
    const resumed = await follower.unappliedEvents(async (txid, index) => applied.has(`${txid}:${index}`));
    expect(resumed.events.map((e) => e.blockHeight)).toEqual([3, 3]);
    expect(resumed.newestApplied).toEqual({ txid: first.events[5]!.txid, eventIndex: 1 });
  });

  it("sees an unchanged log in one request", async () => {
    const { node, chain } = setup();
    const follower = new ChainFollower(chain, { contract: "grid-services", fromHeight: 1 });
    const before = node.requests.length;
    expect(await follower.head()).toMatchObject({ cursor: null, total: 0 });
    expect(node.requests.slice(before)).toEqual([
      `GET /extended/v2/smart-contracts/${chain.contracts["grid-services"].id}/logs`,
    ]);
  });
});
