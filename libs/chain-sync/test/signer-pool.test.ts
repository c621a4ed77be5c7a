import { Cl } from "@stacks/transactions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChainError, type ContractCall, FacilityRegistryClient, StacksChain } from "@voltstack/chain";
import {
  ADMIN_KEY_FUNDING_USTX,
  defaultManifestPath,
  type Devnet,
  type DevnetAccount,
  registerDevnetAdmins,
  startDevnet,
} from "@voltstack/devnet";
import { SignerKeyStore } from "../src/index.js";

// A pool of admin keys on a real devnet: registered as admins by signed transactions, then
// signing as one principal, each key with its own chain of unconfirmed transactions.
// Blocks are mined only on demand, so the test decides what is in flight.

let devnet: Devnet;
let chain: StacksChain;
let admins: DevnetAccount[];

beforeAll(async () => {
  devnet = await startDevnet({ port: 0, blockIntervalMs: 0, onError: () => undefined });
  const deployer = devnet.accounts.get("deployer")!.address;
  chain = new StacksChain({ network: "devnet", url: devnet.url, contracts: { deployer } });
  admins = await registerDevnetAdmins(devnet, 3, { manifestPath: defaultManifestPath() });
});

afterAll(async () => {
  await devnet?.stop();
});

async function nextNonce(principal: string): Promise<number> {
  const response = await fetch(`${devnet.url}/extended/v3/principals/${principal}/nonces`);
  return ((await response.json()) as { next_nonce: number }).next_nonce;
}

describe("registerDevnetAdmins", () => {
  it("makes the deployer's further accounts admins of the registry, each funded", async () => {
    const registry = new FacilityRegistryClient(chain);
    expect(admins).toHaveLength(3);
    expect(admins[0]!.address).toBe(devnet.accounts.get("deployer")!.address);
    expect(new Set(admins.map((key) => key.address)).size).toBe(3);
    for (const key of admins) expect(await registry.isAdmin(key.address)).toBe(true);
    for (const key of admins.slice(1)) {
      expect((await chain.api.getAccount(key.address)).balanceUstx).toBe(ADMIN_KEY_FUNDING_USTX);
    }
    expect(await registry.getAdminCount()).toBe(3n);
  });

  it("sends nothing for keys that are admins already, and only the missing ones when the pool grows", async () => {
    const deployer = admins[0]!.address;
    const before = await nextNonce(deployer);
    const again = await registerDevnetAdmins(devnet, 3, { manifestPath: defaultManifestPath() });
    expect(again.map((key) => key.address)).toEqual(admins.map((key) => key.address));
    expect(await nextNonce(deployer)).toBe(before);

    const grown = await registerDevnetAdmins(devnet, 4, { manifestPath: defaultManifestPath() });
    expect(grown.slice(0, 3).map((key) => key.address)).toEqual(admins.map((key) => key.address));
    // One transfer and one add-admin, for the fourth key only.
    expect(await nextNonce(deployer)).toBe(before + 2);
    admins = grown;
  });
});

describe("SignerKeyStore with a signer pool", () => {
  const setTarget = (): ContractCall => ({
    contract: chain.contracts["grid-services"],
    functionName: "set-frequency-target",
    functionArgs: [Cl.uint(50_000), Cl.uint(200)],
    postConditions: [],
  });

  async function poolStore(): Promise<SignerKeyStore> {
    const [lead, ...further] = admins;
    const env = Object.fromEntries(admins.map((key, index) => [`KEY_${index}`, key.secretKey]));
    return SignerKeyStore.load(chain, [{ principal: lead!.address, privateKeyEnv: "KEY_0" }], env, {
      pools: [
        {
          principal: lead!.address,
          keys: further.map((key, index) => ({ principal: key.address, privateKeyEnv: `KEY_${index + 1}` })),
        },
      ],
    });
  }

  it("spreads a principal's calls over its pool, past one key's 25 unconfirmed transactions, and all confirm", async () => {
    const store = await poolStore();
    const lead = admins[0]!.address;
    expect(store.poolOf(lead)).toEqual(admins.map((key) => key.address));
    const sender = await store.sender(lead);
    expect(await store.sender(lead)).toBe(sender);

    // 80 calls with no block mined: one key would stop at 25 in flight, four keys take 20 each.
    const submitted = await Promise.all(Array.from({ length: 80 }, () => sender.submit(setTarget())));
    const perKey = new Map<string, number>();
    for (const tx of submitted) perKey.set(tx.sender, (perKey.get(tx.sender) ?? 0) + 1);
    expect([...perKey.keys()].sort()).toEqual(admins.map((key) => key.address).sort());
    for (const count of perKey.values()) expect(count).toBe(20);

    await devnet.mineBlock();
    const outcomes = await Promise.all(
      submitted.map((tx) => chain.tracker.waitFor(tx.txid, { timeoutMs: 30_000 }, undefined)),
    );
    expect(outcomes.map((final) => final.status)).toEqual(submitted.map(() => "success"));
  });

  it("signs only with the keys a call allows, and refuses when it allows none of the pool's", async () => {
    const store = await poolStore();
    const lead = admins[0]!.address;
    const last = admins[admins.length - 1]!.address;
    const only = await store.sender(lead, [last]);
    const submitted = await Promise.all(Array.from({ length: 3 }, () => only.submit(setTarget())));
    expect(submitted.map((tx) => tx.sender)).toEqual([last, last, last]);
    await devnet.mineBlock();

    const error = await store.sender(lead, [devnet.accounts.get("wallet_1")!.address]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChainError);
    expect((error as ChainError).code).toBe("NO_SIGNER_FOR_PRINCIPAL");
  });

  it("leaves the principal's own key out when its pool says so (a key other processes sign with)", async () => {
    const [lead, ...further] = admins;
    const env = Object.fromEntries(admins.map((key, index) => [`KEY_${index}`, key.secretKey]));
    const store = await SignerKeyStore.load(chain, [{ principal: lead!.address, privateKeyEnv: "KEY_0" }], env, {
      pools: [
        {
          principal: lead!.address,
          keys: further.map((key, index) => ({ principal: key.address, privateKeyEnv: `KEY_${index + 1}` })),
          principalSigns: false,
        },
      ],
    });
    expect(store.poolOf(lead!.address)).toEqual(further.map((key) => key.address));
    expect(store.has(lead!.address)).toBe(true);
    // A pool's keys sign as its principal only, never as themselves.
    expect(store.has(further[0]!.address)).toBe(false);
    expect(store.principals).toContain(further[0]!.address);
    const asMember = await store.sender(further[0]!.address).catch((e: unknown) => e);
    expect((asMember as ChainError).code).toBe("NO_SIGNER_FOR_PRINCIPAL");
    const leadNonce = await nextNonce(lead!.address);
    const sender = await store.sender(lead!.address);
    const submitted = await Promise.all(Array.from({ length: 6 }, () => sender.submit(setTarget())));
    expect(new Set(submitted.map((tx) => tx.sender))).toEqual(new Set(further.map((key) => key.address)));
    expect(await nextNonce(lead!.address)).toBe(leadNonce);
    await devnet.mineBlock();
  });

  it("refuses a pool for a principal SIGNER_KEYS does not list, and a key listed twice", async () => {
    const [lead, other] = admins;
    const env = { A: lead!.secretKey, B: other!.secretKey };
    const unknown = await SignerKeyStore.load(chain, [{ principal: lead!.address, privateKeyEnv: "A" }], env, {
      pools: [{ principal: other!.address, keys: [{ principal: lead!.address, privateKeyEnv: "A" }] }],
    }).catch((e: unknown) => e);
    expect((unknown as ChainError).code).toBe("SIGNER_POOL_UNKNOWN_PRINCIPAL");
    const twice = await SignerKeyStore.load(chain, [{ principal: lead!.address, privateKeyEnv: "A" }], env, {
      pools: [
        {
          principal: lead!.address,
          keys: [
            { principal: other!.address, privateKeyEnv: "B" },
            { principal: other!.address, privateKeyEnv: "B" },
          ],
        },
      ],
    }).catch((e: unknown) => e);
    expect((twice as ChainError).code).toBe("SIGNER_POOL_DUPLICATE");
  });
});
