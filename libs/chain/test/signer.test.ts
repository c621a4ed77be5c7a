import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { STACKS_DEVNET } from "@stacks/network";
import { Cl, deserializeTransaction, makeUnsignedContractCall } from "@stacks/transactions";
import { afterAll, describe, expect, it } from "vitest";
import { PrivateKeySigner, signerFromConfig } from "../src/index.js";
import { DEVNET_KEYS } from "./support/devnet-keys.js";

const { secretKey, address } = DEVNET_KEYS.wallet_1;
const dir = mkdtempSync(join(tmpdir(), "chain-signer-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("PrivateKeySigner", () => {
  it("derives the address and signs a transaction whose signature verifies", async () => {
    const signer = new PrivateKeySigner(secretKey, STACKS_DEVNET);
    expect(signer.address).toBe(address);
    const tx = await makeUnsignedContractCall({
      contractAddress: DEVNET_KEYS.deployer.address,
      contractName: "facility-registry",
      functionName: "approve-facility",
      functionArgs: [Cl.uint(1)],
      publicKey: signer.publicKey,
      nonce: 3n,
      fee: 1000n,
      network: STACKS_DEVNET,
      validateWithAbi: false,
    });
    await signer.signTransaction(tx);
    const decoded = deserializeTransaction(tx.serialize());
    expect(() => decoded.verifyOrigin()).not.toThrow();
    expect(decoded.auth.spendingCondition.nonce).toBe(3n);
  });

  it("never shows the key in its string, JSON or inspected form", () => {
    const signer = new PrivateKeySigner(secretKey, STACKS_DEVNET);
    const renderings = [
      String(signer),
      JSON.stringify(signer),
      inspect(signer),
      inspect({ signer }, { depth: 5 }),
      `${signer}`,
    ];
    for (const text of renderings) {
      expect(text).not.toContain(secretKey.slice(0, 20));
      expect(text).toContain(address);
    }
  });

  it("refuses a malformed key without echoing it", () => {
    const bad = "zz" + secretKey.slice(2);
    expect(() => new PrivateKeySigner(bad, STACKS_DEVNET)).toThrow(/not a 32-byte hex key/);
    try {
      new PrivateKeySigner(bad, STACKS_DEVNET);
    } catch (error) {
      expect(JSON.stringify(error) + String(error) + inspect(error)).not.toContain(bad.slice(2, 30));
    }
  });

  it("reads a key from a mounted secret file, ignoring a trailing newline", async () => {
    const file = join(dir, "key");
    writeFileSync(file, `${secretKey}\n`);
    const signer = await signerFromConfig({ privateKeyFile: file }, STACKS_DEVNET);
    expect(signer.address).toBe(address);
    await expect(signerFromConfig({ privateKeyFile: join(dir, "missing") }, STACKS_DEVNET)).rejects.toMatchObject({
      code: "SIGNER_KEY_FILE_UNREADABLE",
    });
  });
});
