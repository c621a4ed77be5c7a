// Test doubles of the chain for other libraries' unit tests, as `@voltstack/chain/testing`
// (resolved from sources only: it is not part of the built library).
export { DEVNET_KEYS } from "./devnet-keys.js";
export { backgroundMiner, fakeChain } from "./fake-chain.js";
export { FakeStacksNode, type MinedOutcome } from "./fake-stacks-node.js";
export { FeeMarket } from "./fee-market.js";
