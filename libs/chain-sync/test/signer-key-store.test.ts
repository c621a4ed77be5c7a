import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChainError, StacksChain } from "@voltstack/chain";
import { SignerKeyStore } from "../src/index.js";

// Clarinet's published devnet keys (settings/Devnet.toml): worthless anywhere else.
const DEPLOYER = {
  address: "ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM",
  key: "753b7cc01a1a2e86221266a154af739463fce51219d97e4f856cd7200c3bd2a601",
};
const WALLET_1 = {
  address: "ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5",
  key: "7287ba251d44a4d3fd9276c88ce34c5c52a038955511cccaf77e61068649c17801",
};

// Signers are built locally; nothing here talks to a node.
const chain = new StacksChain({
  network: "devnet",
  url: "http://127.0.0.1:9",
  contracts: { deployer: DEPLOYER.address },
});
let secrets: string;

beforeAll(async () => {
  secrets = await mkdtemp(join(tmpdir(), "signer-keys-"));
  await writeFile(join(secrets, "admin"), `${DEPLOYER.key}\n`);
});

afterAll(async () => {
  await rm(secrets, { recursive: true, force: true });
});

async function refusal(promise: Promise<unknown>): Promise<ChainError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ChainError);
  return error as ChainError;
}

describe("SignerKeyStore", () => {
  it("loads keys from mounted files and from named variables, keyed by principal", async () => {
    const store = await SignerKeyStore.load(
      chain,
      [
        { principal: DEPLOYER.address, privateKeyFile: join(secrets, "admin") },
        { principal: WALLET_1.address, privateKeyEnv: "OWNER_KEY" },
      ],
      { OWNER_KEY: WALLET_1.key },
    );
    expect(store.principals.sort()).toEqual([DEPLOYER.address, WALLET_1.address].sort());
    expect(store.has(WALLET_1.address)).toBe(true);
    expect(inspect(store)).not.toContain(WALLET_1.key.slice(0, 16));
    expect(JSON.stringify(store)).not.toContain(WALLET_1.key.slice(0, 16));
  });

  it("refuses a key listed for another principal, without showing the key", async () => {
    const error = await refusal(
      SignerKeyStore.load(chain, [{ principal: WALLET_1.address, privateKeyFile: join(secrets, "admin") }]),
    );
    expect(error.code).toBe("SIGNER_PRINCIPAL_MISMATCH");
    expect(error.message).toContain(DEPLOYER.address);
    expect(`${error.message} ${JSON.stringify(error.details)}`).not.toContain(DEPLOYER.key.slice(0, 16));
  });

  it("names a missing variable or an unreadable file", async () => {
    expect(
      (await refusal(SignerKeyStore.load(chain, [{ principal: WALLET_1.address, privateKeyEnv: "NOPE" }], {}))).code,
    ).toBe("SIGNER_KEY_MISSING");
    expect(
      (
        await refusal(
          SignerKeyStore.load(chain, [{ principal: WALLET_1.address, privateKeyFile: join(secrets, "none") }]),
        )
      ).code,
    ).toBe("SIGNER_KEY_FILE_UNREADABLE");
  });

  it("has no sender for a principal it holds no key for", async () => {
    const store = await SignerKeyStore.load(chain, []);
    expect((await refusal(store.sender(WALLET_1.address))).code).toBe("NO_SIGNER_FOR_PRINCIPAL");
  });
});
