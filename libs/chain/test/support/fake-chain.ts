import { StacksChain, type ChainConfig } from "../../src/index.js";
import { DEVNET_KEYS } from "./devnet-keys.js";
import { FakeStacksNode } from "./fake-stacks-node.js";

export function fakeChain(overrides: Partial<ChainConfig> = {}): { node: FakeStacksNode; chain: StacksChain } {
  const node = new FakeStacksNode();
  const chain = new StacksChain({
    network: "devnet",
    url: "http://fake-node.invalid",
    contracts: { deployer: DEVNET_KEYS.deployer.address },
    fetch: node.fetch as typeof fetch,
    confirmation: { pollIntervalMs: 5, stuckAfterMs: 200, timeoutMs: 10_000 },
    sender: { pollIntervalMs: 5 },
    // The fake node answers in microseconds; the budget has its own tests.
    requestBudget: { requestsPerMinute: 0, maxConcurrent: 64 },
    ...overrides,
  });
  return { node, chain };
}

/** Mines a block every `ms` until stopped, as a node's miner would. */
export function backgroundMiner(node: FakeStacksNode, ms = 10): { stop(): void } {
  const timer = setInterval(() => node.mine(), ms);
  return { stop: () => clearInterval(timer) };
}
