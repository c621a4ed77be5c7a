import { readFile } from "node:fs/promises";
import { inspect } from "node:util";
import type { StacksNetwork } from "@stacks/network";
import {
  privateKeyToAddress,
  privateKeyToPublic,
  type StacksTransactionWire,
  TransactionSigner,
} from "@stacks/transactions";
import { ChainError } from "./chain-error.js";

/**
 * Who signs a service's transactions. Callers see only the address and public key,
 * so a signer backed by a KMS can replace the key-held one without touching them.
 */
export interface Signer {
  readonly address: string;
  /** Compressed public key, hex. */
  readonly publicKey: string;
  /** Signs the origin of an unsigned single-signature transaction built for `publicKey`; returns the same, now signed, transaction. */
  signTransaction(transaction: StacksTransactionWire): Promise<StacksTransactionWire>;
}

const PRIVATE_KEY = /^[0-9a-fA-F]{64}(01)?$/;

/** Signs with a private key held in memory. The key never appears in its string, JSON or inspected form. */
export class PrivateKeySigner implements Signer {
  readonly #privateKey: string;
  readonly address: string;
  readonly publicKey: string;

  constructor(privateKey: string, network: StacksNetwork) {
    const key = privateKey.trim().replace(/^0x/, "");
    if (!PRIVATE_KEY.test(key)) {
      throw new ChainError(
        "INVALID_PRIVATE_KEY",
        "The signer's private key is not a 32-byte hex key (optionally suffixed 01).",
      );
    }
    this.#privateKey = key;
    this.publicKey = privateKeyToPublic(key) as string;
    this.address = privateKeyToAddress(key, network);
  }

  async signTransaction(transaction: StacksTransactionWire): Promise<StacksTransactionWire> {
    new TransactionSigner(transaction).signOrigin(this.#privateKey);
    return transaction;
  }

  toString(): string {
    return `PrivateKeySigner(${this.address}, key [redacted])`;
  }

  toJSON(): Record<string, string> {
    return { type: "private-key", address: this.address, privateKey: "[redacted]" };
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/** A private key given inline, or the path of a mounted secret file holding it (trailing whitespace ignored). */
export type SignerConfig = { privateKey: string } | { privateKeyFile: string };

export async function signerFromConfig(config: SignerConfig, network: StacksNetwork): Promise<Signer> {
  if ("privateKey" in config) return new PrivateKeySigner(config.privateKey, network);
  let contents: string;
  try {
    contents = await readFile(config.privateKeyFile, "utf8");
  } catch (cause) {
    throw new ChainError(
      "SIGNER_KEY_FILE_UNREADABLE",
      `The signer key file ${config.privateKeyFile} could not be read.`,
      {
        path: config.privateKeyFile,
        reason: (cause as NodeJS.ErrnoException).code,
      },
    );
  }
  return new PrivateKeySigner(contents, network);
}
