import { STACKS_DEVNET, STACKS_MAINNET, STACKS_TESTNET, type StacksNetwork } from "@stacks/network";
import { ChainError } from "./chain-error.js";

export type NetworkName = "devnet" | "testnet" | "mainnet";

/**
 * Which chain to talk to: a named network (with its usual API URL unless `url`
 * overrides it) or any Stacks API URL, whose addresses are then those of `kind`.
 */
export interface NetworkConfig {
  network?: NetworkName;
  url?: string;
}

export const DEFAULT_URLS: Record<NetworkName, string> = {
  devnet: "http://127.0.0.1:3999",
  testnet: "https://api.testnet.hiro.so",
  mainnet: "https://api.mainnet.hiro.so",
};

const NETWORKS: Record<NetworkName, StacksNetwork> = {
  devnet: STACKS_DEVNET,
  testnet: STACKS_TESTNET,
  mainnet: STACKS_MAINNET,
};

export interface ResolvedNetwork {
  name: NetworkName;
  url: string;
  stacksNetwork: StacksNetwork;
}

export function resolveNetwork(config: NetworkConfig = {}): ResolvedNetwork {
  const name = config.network ?? "devnet";
  if (!(name in NETWORKS)) {
    throw new ChainError("UNKNOWN_NETWORK", `Unknown Stacks network "${name}": use devnet, testnet or mainnet.`, {
      network: name,
    });
  }
  const url = (config.url ?? DEFAULT_URLS[name]).replace(/\/+$/, "");
  if (!/^https?:\/\//.test(url)) {
    throw new ChainError("INVALID_NODE_URL", `The Stacks API URL "${url}" is not an http(s) URL.`, { url });
  }
  return { name, url, stacksNetwork: { ...NETWORKS[name], client: { baseUrl: url } } };
}
