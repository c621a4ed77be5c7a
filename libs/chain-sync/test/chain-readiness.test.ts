import { describe, expect, it, vi } from "vitest";
import { ChainError, type StacksChain } from "@voltstack/chain";
import { chainReadiness } from "../src/chain-readiness.js";

type Contact = StacksChain["api"]["contact"];

function chainWith(contact: Contact, mismatch?: ChainError) {
  const assertNetwork = vi.fn(async () => undefined);
  const chain = {
    network: { url: "https://api.example" },
    networkMismatch: mismatch,
    api: { contact },
    assertNetwork,
  } as unknown as StacksChain;
  return { chain, assertNetwork };
}

const signal = new AbortController().signal;

describe("chain readiness", () => {
  it("is ready from the service's own recent answer, asking the API nothing", async () => {
    const { chain, assertNetwork } = chainWith({ lastAnswerAt: 1_000, failure: undefined });
    await expect(chainReadiness(chain, () => 60_000)(signal)).resolves.toBeUndefined();
    expect(assertNetwork).not.toHaveBeenCalled();
  });

  it("asks once, through the network check, before the service made any request", async () => {
    const { chain, assertNetwork } = chainWith({ lastAnswerAt: undefined, failure: undefined });
    await chainReadiness(chain)(signal);
    expect(assertNetwork).toHaveBeenCalledTimes(1);
  });

  it("is not ready after a request that got no usable answer, naming it", async () => {
    const { chain } = chainWith({ lastAnswerAt: 1_000, failure: { at: 2_000, message: "HTTP 503 to GET /extended" } });
    await expect(chainReadiness(chain, () => 3_000)(signal)).rejects.toThrow(/HTTP 503 to GET \/extended/);
  });

  it("is not ready when the API has not answered for two minutes", async () => {
    const { chain } = chainWith({ lastAnswerAt: 1_000, failure: undefined });
    await expect(chainReadiness(chain, () => 1_000 + 120_001)(signal)).rejects.toThrow(/has not answered for 120 s/);
  });

  it("stays down while the node serves another network", async () => {
    const mismatch = new ChainError("NETWORK_MISMATCH", "The node serves network id 1, but STACKS_NETWORK is testnet.");
    const { chain } = chainWith({ lastAnswerAt: 1_000, failure: undefined }, mismatch);
    await expect(chainReadiness(chain, () => 2_000)(signal)).rejects.toThrow(/network id 1/);
  });
});
