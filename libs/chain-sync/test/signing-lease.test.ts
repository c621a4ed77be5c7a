import { randomBytes } from "node:crypto";
import { Cl } from "@stacks/transactions";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { ChainError, type ContractCall } from "@voltstack/chain";
import { fakeChain } from "@voltstack/chain/testing";
import { ApiError } from "@voltstack/service-kit";
import { chainWriteError } from "../src/chain-write-errors.js";
import { SignerKeyStore, SigningLeaseHeldError, SigningLeases, signingLeaseScope } from "../src/index.js";

// Two processes competing for one key's signing lease, against the real PostgreSQL. Each
// holder has its own pool (its own connections); the lease table lives in a schema of this
// run. Expiry is the database's clock: a test "lets time pass" by moving expires_at back.

const databaseUrl = process.env.DATABASE_URL || "postgresql://postgres@127.0.0.1:5432/postgres";
const schema = `signing_lease_test_${randomBytes(4).toString("hex")}`;
const KEY = "7287ba251d44a4d3fd9276c88ce34c5c52a038955511cccaf77e61068649c17801";
const ADDRESS = "ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5";
const OTHER = "ST2CY5V39NHDPWSXMW9QDT3HC3GD6Q6XX4CFRK9AG";
const SCOPE = "testnet";

const pools: pg.Pool[] = [];
const leases: SigningLeases[] = [];
let admin: pg.Pool;

function holder(name: string, options: { scope?: string; now?: () => number } = {}): SigningLeases {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  pools.push(pool);
  const lease = new SigningLeases(pool, { scope: options.scope ?? SCOPE, schema, holderId: name, now: options.now });
  leases.push(lease);
  return lease;
}

async function expire(address: string): Promise<void> {
  await admin.query(
    `UPDATE "${schema}".signing_leases SET expires_at = now() - interval '1 second' WHERE address = $1`,
    [address],
  );
}

async function rows(): Promise<{ address: string; holder: string }[]> {
  return (await admin.query(`SELECT address, holder FROM "${schema}".signing_leases ORDER BY address`)).rows;
}

async function refusal(promise: Promise<unknown>): Promise<ChainError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ChainError);
  return error as ChainError;
}

beforeAll(async () => {
  admin = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  await Promise.all([holder("first").prepare(), holder("second").prepare()]);
});

afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(leases.splice(0).map((lease) => lease.stop().catch(() => undefined)));
  await admin.query(`DELETE FROM "${schema}".signing_leases`);
});

afterAll(async () => {
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await Promise.all([admin, ...pools].map((pool) => pool.end()));
});

describe("SigningLeases", () => {
  it("lets one holder at a time sign for an address; the other is told who holds it and until when", async () => {
    const a = holder("host-a:101:aaaa");
    const b = holder("host-b:202:bbbb");
    await a.acquireAll([ADDRESS]);
    const held = await refusal(b.acquireAll([ADDRESS]));
    expect(held.code).toBe("SIGNING_LEASE_HELD");
    expect(held.details).toMatchObject({ address: ADDRESS, holder: "host-a:101:aaaa" });
    expect(new Date(held.details.expiresAt as string).getTime()).toBeGreaterThan(Date.now());
    expect(held.message).toContain("host-a:101:aaaa");
    expect((await refusal(b.assertReady())).code).toBe("SIGNING_LEASE_HELD");
    await expect(a.assertReady()).resolves.toBeUndefined();
    expect(() => a.permit(ADDRESS).assertHeld()).not.toThrow();
    expect(() => b.permit(ADDRESS).assertHeld()).toThrow(expect.objectContaining({ code: "SIGNING_LEASE_LOST" }));
  });

  it("takes over a lease that expired unrenewed; the old holder finds it lost at its next renewal", async () => {
    const a = holder("a");
    const b = holder("b");
    await a.acquireAll([ADDRESS]);
    const permit = a.permit(ADDRESS);
    await expire(ADDRESS);
    await b.acquireAll([ADDRESS]);
    expect(await rows()).toEqual([{ address: ADDRESS, holder: "b" }]);
    await a.renew();
    expect(a.holdsAll([ADDRESS])).toBe(false);
    expect(() => permit.assertHeld()).toThrow(expect.objectContaining({ code: "SIGNING_LEASE_LOST" }));
  });

  it("a renewed lease is not taken over", async () => {
    const a = holder("a");
    const b = holder("b");
    await a.acquireAll([ADDRESS]);
    await admin.query(`UPDATE "${schema}".signing_leases SET expires_at = now() + interval '1 second'`);
    await a.renew();
    const { rows: after } = await admin.query(
      `SELECT expires_at > now() + interval '20 seconds' AS renewed FROM "${schema}".signing_leases`,
    );
    expect(after).toEqual([{ renewed: true }]);
    expect((await refusal(b.acquireAll([ADDRESS]))).code).toBe("SIGNING_LEASE_HELD");
  });

  it("holds every address or none: one held elsewhere gives back those just taken", async () => {
    const a = holder("a");
    const b = holder("b");
    await a.acquireAll([OTHER]);
    expect([ADDRESS, OTHER].sort()[0]).toBe(ADDRESS);
    expect((await refusal(b.acquireAll([OTHER, ADDRESS]))).details).toMatchObject({ address: OTHER, holder: "a" });
    expect(await rows()).toEqual([{ address: OTHER, holder: "a" }]);
    expect(b.holdsAll([ADDRESS])).toBe(false);
  });

  it("stop lapses the permits, then gives the leases back for another to take at once", async () => {
    const a = holder("a");
    const b = holder("b");
    await a.acquireAll([ADDRESS]);
    const permit = a.permit(ADDRESS);
    await a.stop();
    expect(() => permit.assertHeld()).toThrow(expect.objectContaining({ code: "SIGNING_LEASE_LOST" }));
    expect(await rows()).toEqual([]);
    await b.acquireAll([ADDRESS]);
  });

  it("stops signing a third of the lease before it expires, by its own clock, when it cannot renew", async () => {
    const clock = { now: 0 };
    const a = holder("a", { now: () => clock.now });
    await a.acquireAll([ADDRESS]);
    const permit = a.permit(ADDRESS);
    clock.now = 19_999;
    expect(() => permit.assertHeld()).not.toThrow();
    clock.now = 20_000;
    expect(() => permit.assertHeld()).toThrow(expect.objectContaining({ code: "SIGNING_LEASE_LOST" }));
    expect(a.holdsAll([ADDRESS])).toBe(false);
  });

  it("renews on a timer every third of the lease, and takes a lease once its holder gives it back", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    const a = holder("a");
    const b = holder("b");
    await a.start([ADDRESS]);
    await b.start([ADDRESS]);
    expect(b.holdsAll()).toBe(false);
    const ticks = vi.spyOn(b, "tick");
    await a.stop();
    await vi.advanceTimersByTimeAsync(9_999);
    expect(ticks).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(ticks).toHaveBeenCalledTimes(1);
    await vi.waitFor(() => expect(b.holdsAll()).toBe(true));
    expect(await rows()).toEqual([{ address: ADDRESS, holder: "b" }]);
  });

  it("excludes signers per chain: the same address may hold a lease on another network", async () => {
    await holder("a", { scope: signingLeaseScope("testnet", "https://api.testnet.hiro.so") }).acquireAll([ADDRESS]);
    await holder("b", { scope: signingLeaseScope("devnet", "http://127.0.0.1:3999") }).acquireAll([ADDRESS]);
    expect(signingLeaseScope("mainnet", "https://api.hiro.so")).toBe("mainnet");
  });
});

describe("SignerKeyStore under signing leases", () => {
  const call = (chain: ReturnType<typeof fakeChain>["chain"]): ContractCall => ({
    contract: chain.contracts["charge-discharge"],
    functionName: "set-grid-demand",
    functionArgs: [Cl.uint(1)],
    postConditions: [],
  });

  it("starts no sender while another process holds the lease, and a fresh one after taking it over", async () => {
    const { chain } = fakeChain();
    const a = holder("a");
    const b = holder("b");
    const store = await SignerKeyStore.load(
      chain,
      [{ principal: ADDRESS, privateKeyEnv: "KEY" }],
      { KEY },
      { leases: a },
    );
    await b.acquireAll([ADDRESS]);
    expect((await refusal(store.sender(ADDRESS))).details).toMatchObject({ holder: "b" });

    await b.stop();
    const first = await store.sender(ADDRESS);
    await first.submit(call(chain));
    expect(await store.sender(ADDRESS)).toBe(first);

    await expire(ADDRESS);
    await holder("c").acquireAll([ADDRESS]);
    await a.renew();
    await expect(first.submit(call(chain))).rejects.toMatchObject({ code: "SIGNING_LEASE_LOST" });
    expect((await refusal(store.sender(ADDRESS))).code).toBe("SIGNING_LEASE_HELD");

    await expire(ADDRESS);
    const second = await store.sender(ADDRESS);
    expect(second).not.toBe(first);
    expect((await second.submit(call(chain))).nonce).toBe(1n);
  });
});

describe("a lease refusal as the HTTP answer", () => {
  it("is 503 with the holder and expiry, so the caller tries again or another replica", () => {
    const answer = chainWriteError(
      new SigningLeaseHeldError({ address: ADDRESS, holder: "host-a:1:ab", expiresAt: new Date(0) }),
      {},
    );
    expect(answer).toBeInstanceOf(ApiError);
    expect(answer).toMatchObject({
      status: 503,
      code: "SIGNING_LEASE_HELD",
      details: { address: ADDRESS, holder: "host-a:1:ab", expiresAt: "1970-01-01T00:00:00.000Z" },
    });
  });
});
