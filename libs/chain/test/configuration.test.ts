import { describe, expect, it } from "vitest";
import { resolveContracts, resolveNetwork } from "../src/index.js";

describe("network and contract configuration", () => {
  it("defaults to the local devnet", () => {
    const network = resolveNetwork();
    expect(network.name).toBe("devnet");
    expect(network.url).toBe("http://127.0.0.1:3999");
    expect(network.stacksNetwork.client.baseUrl).toBe("http://127.0.0.1:3999");
  });

  it("uses testnet and mainnet chain ids, with any URL", () => {
    expect(resolveNetwork({ network: "mainnet" }).stacksNetwork.chainId).toBe(1);
    const testnet = resolveNetwork({ network: "testnet", url: "https://node.example.org/" });
    expect(testnet.url).toBe("https://node.example.org");
    expect(testnet.stacksNetwork.chainId).toBe(0x80000000);
  });

  it("refuses an unknown network or URL", () => {
    expect(() => resolveNetwork({ network: "regtest" as never })).toThrow(/Unknown Stacks network/);
    expect(() => resolveNetwork({ url: "ftp://x" })).toThrow(/not an http/);
  });

  it("builds contract ids from the deployer and optional names", () => {
    const contracts = resolveContracts({
      deployer: "ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM",
      names: { "grid-services": "grid-services-v2" },
    });
    expect(contracts["facility-registry"].id).toBe("ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM.facility-registry");
    expect(contracts["grid-services"].id).toBe("ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM.grid-services-v2");
    expect(() => resolveContracts({ deployer: "not-an-address" })).toThrow(/not a Stacks address/);
  });
});
