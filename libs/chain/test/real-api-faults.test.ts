import { getAddressFromPrivateKey } from "@stacks/transactions";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Devnet, startDevnet } from "@voltstack/devnet";
import {
  ChainFollower,
  ChargeDischargeClient,
  PrivateKeySigner,
  RequestBudget,
  StacksApi,
  StacksChain,
} from "@voltstack/chain";

// The client against the devnet behaving as the hosted API and a real node do: a rate
// limit answered 429 with retry-after, deprecated routes switched off (410), an index
// that lags the node, a wrong network.

let devnet: Devnet;

function chainOn(url: string, extra: Partial<ConstructorParameters<typeof StacksChain>[0]> = {}): StacksChain {
  return new StacksChain({
    network: "devnet",
    url,
    contracts: { deployer: devnet.accounts.get("deployer")!.address },
    confirmation: { pollIntervalMs: 20, stuckAfterMs: 2_000, timeoutMs: 20_000 },
    sender: { pollIntervalMs: 20 },
    ...extra,
  });
}

function operator(chain: StacksChain): PrivateKeySigner {
  return new PrivateKeySigner(devnet.accounts.get("deployer")!.secretKey, chain.network.stacksNetwork);
}

beforeAll(async () => {
  devnet = await startDevnet({ port: 0, blockIntervalMs: 50 });
});

afterEach(() => {
  devnet.faults.reset();
});

afterAll(async () => {
  await devnet?.stop();
});

describe("the Stacks API client on a rate-limited API", () => {
  it("waits out 429s with their retry-after, process-wide, and loses no answer", async () => {
    devnet.faults.set({ rateLimit: { limit: 5, windowMs: 1_000 } });
    const api = new StacksApi({
      url: devnet.url,
      budget: new RequestBudget({ requestsPerMinute: 0, maxConcurrent: 4 }),
    });
    const answers = await Promise.all(Array.from({ length: 20 }, () => api.getChainTip()));
    expect(answers.every((tip) => tip.height >= 0)).toBe(true);
    expect(api.budget.throttled).toBeGreaterThan(0);
    expect(api.contact.failure).toBeUndefined();
  });

  it("sends the API key on every request, so a keyed limit applies", async () => {
    devnet.faults.set({ rateLimit: { limit: 0, limitWithApiKey: 100, windowMs: 60_000 } });
    const keyless = new StacksApi({ url: devnet.url, maxRetries: 0 });
    await expect(keyless.getChainTip()).rejects.toMatchObject({ code: "API_RATE_LIMITED" });
    const keyed = new StacksApi({ url: devnet.url, apiKey: "test-key", maxRetries: 0 });
    await expect(keyed.getChainTip()).resolves.toMatchObject({ height: expect.any(Number) });
  });
});

describe("the chain layer on the API's current routes", () => {
  it("confirms a call and reads its events with every deprecated route answering 410", async () => {
    devnet.faults.set({ deprecatedGone: true });
    const chain = chainOn(devnet.url);
    const from = (await chain.api.getTipHeight()) + 1;
    const client = new ChargeDischargeClient(chain, { sender: await chain.callSender(operator(chain)) });
    const result = await client.setGridDemand(55n);
    expect(result.events.map((event) => event.payload.topic)).toEqual(["grid-demand-updated"]);
    const follower = new ChainFollower(chain, { contract: "charge-discharge", fromHeight: from });
    const { events } = await follower.unappliedEvents(async () => false);
    expect(events.map((event) => event.txid)).toContain(result.txid);
  });

  it("answers a confirmed call only once the API's index shows it, when the index lags the node", async () => {
    devnet.faults.set({ indexLagBlocks: 3 });
    const chain = chainOn(devnet.url);
    const client = new ChargeDischargeClient(chain, { sender: await chain.callSender(operator(chain)) });
    const result = await client.setGridDemand(60n);
    const tx = await chain.api.getTransaction(result.txid);
    expect(tx).toMatchObject({ tx_status: "success", block_height: result.blockHeight });
  });

  it("refuses to sign for a network the node does not serve", async () => {
    const chain = new StacksChain({
      network: "mainnet",
      url: devnet.url,
      contracts: { deployer: getAddressFromPrivateKey(devnet.accounts.get("deployer")!.secretKey, "mainnet") },
    });
    await expect(chain.assertNetwork()).rejects.toMatchObject({ code: "NETWORK_MISMATCH" });
    expect(chain.networkMismatch?.details).toMatchObject({ nodeNetworkId: 0x80000000, expectedChainId: 1 });
  });
});
