// The deployer's key, read from a file so it never sits in a shell's history or
// a process list. Only a hex private key is accepted: a mnemonic would need a
// derivation path and account index chosen for the operator, silently.
import { readFileSync, statSync } from "node:fs";
import { privateKeyToAddress } from "@stacks/transactions";
import type { NetworkName } from "@voltstack/chain";
import { DeployError } from "./deploy-error.js";

export interface DeployerKey {
  /** 66 hex digits, compressed (`01` suffix): what @stacks/transactions signs with. Never printed. */
  privateKey: string;
  address: string;
  /** Set when others than the owner may read the file. */
  readableByOthers: boolean;
}

export function readDeployerKey(path: string, network: NetworkName): DeployerKey {
  let text: string;
  let mode: number;
  try {
    text = readFileSync(path, "utf8");
    mode = statSync(path).mode;
  } catch (error) {
    throw new DeployError(
      "DEPLOYER_KEY_UNREADABLE",
      `The deployer key file ${path} cannot be read: ${(error as NodeJS.ErrnoException).code ?? "unknown error"}.`,
      { path },
    );
  }
  const hex = text.trim().replace(/^0x/i, "");
  if (!/^[0-9a-fA-F]{64}(01)?$/.test(hex)) {
    const looksLikeMnemonic = text.trim().split(/\s+/).length >= 12;
    throw new DeployError(
      "DEPLOYER_KEY_INVALID",
      `The deployer key file ${path} must hold one hex private key (64 hex digits, or 66 ending in 01)` +
        (looksLikeMnemonic ? "; a mnemonic is not accepted: export the account's private key from the wallet." : "."),
      { path },
    );
  }
  // Stacks wallets use compressed keys; a bare 32-byte key is taken as one, so the
  // address is the one the wallet shows.
  const privateKey = (hex.length === 64 ? `${hex}01` : hex).toLowerCase();
  return {
    privateKey,
    address: privateKeyToAddress(privateKey, network === "mainnet" ? "mainnet" : "testnet"),
    readableByOthers: (mode & 0o077) !== 0,
  };
}
