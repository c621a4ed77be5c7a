import { trace } from "@opentelemetry/api";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { afterAll, describe, expect, it } from "vitest";
import { GridServicesClient, PrivateKeySigner } from "../src/index.js";
import { DEVNET_KEYS } from "./support/devnet-keys.js";
import { backgroundMiner, fakeChain } from "./support/fake-chain.js";

const exporter = new InMemorySpanExporter();
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
afterAll(() => trace.disable());

describe("spans around chain calls", () => {
  it("records the contract, function and txid of a call and of a read", async () => {
    const { node, chain } = fakeChain();
    const miner = backgroundMiner(node);
    try {
      const signer = new PrivateKeySigner(DEVNET_KEYS.deployer.secretKey, chain.network.stacksNetwork);
      const grid = new GridServicesClient(chain, { sender: await chain.callSender(signer) });
      const { txid } = await grid.setOracle(DEVNET_KEYS.wallet_1.address, true);
      const spans = exporter.getFinishedSpans();
      const call = spans.find((s) => s.name === "chain.call grid-services::set-oracle");
      expect(call?.attributes).toMatchObject({
        "chain.contract": chain.contracts["grid-services"].id,
        "chain.function": "set-oracle",
        "chain.txid": txid,
        "chain.status": "success",
      });
      expect(
        spans.some((s) => s.name === "chain.submit grid-services::set-oracle" && s.attributes["chain.nonce"] === 0),
      ).toBe(true);
      const serialized = JSON.stringify(spans.map((s) => s.attributes));
      expect(serialized).not.toContain(DEVNET_KEYS.deployer.secretKey.slice(0, 16));
    } finally {
      miner.stop();
    }
  });
});
