import { randomBytes } from "node:crypto";
import { Cl } from "@stacks/transactions";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { type ContractCall, PrivateKeySigner } from "@voltstack/chain";
import { pgExecutor } from "@voltstack/messaging";
import { backgroundMiner, DEVNET_KEYS, FeeMarket, fakeChain } from "@voltstack/chain/testing";
import { CHAIN_SYNC_MIGRATION_SQL, TransactionJournal } from "../src/index.js";

// A call whose transaction is bumped while it is followed: the journal keeps both txids,
// one row each, and settles them by which one was mined. The real sender and tracker
// against the fake node with a replace-by-fee mempool; the journal in real PostgreSQL.

const databaseUrl = process.env.DATABASE_URL || "postgresql://postgres@127.0.0.1:5432/postgres";
const schema = `journal_bump_test_${randomBytes(4).toString("hex")}`;
let pool: pg.Pool;
let journal: TransactionJournal;
const miners: { stop(): void }[] = [];

beforeAll(async () => {
  pool = new pg.Pool({ connectionString: databaseUrl, max: 2, options: `-c search_path="${schema}"` });
  await pool.query(`CREATE SCHEMA "${schema}"`);
  await pool.query(CHAIN_SYNC_MIGRATION_SQL);
  journal = new TransactionJournal(pgExecutor(pool));
});

afterEach(() => miners.splice(0).forEach((m) => m.stop()));

afterAll(async () => {
  await pool?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await pool?.end();
});

async function bumpedCall(requestedBy: string, demand: number) {
  const { node } = fakeChain();
  const market = new FeeMarket(node);
  const { chain } = fakeChain({ fetch: market.fetch as typeof fetch });
  const signer = new PrivateKeySigner(DEVNET_KEYS.wallet_1.secretKey, chain.network.stacksNetwork);
  const sender = await chain.callSender(signer, { feeBumpAfterMs: 1 });
  const call: ContractCall = {
    contract: chain.contracts["charge-discharge"],
    functionName: "set-grid-demand",
    // Distinct arguments per test: the same call at the same nonce and fee would have the same txid.
    functionArgs: [Cl.uint(demand)],
    postConditions: [],
  };
  const outcome = journal.track(requestedBy, sender, (journaled) => chain.execute(journaled, call));
  await vi.waitFor(() => expect(market.dropped.size).toBe(1), { timeout: 5_000, interval: 10 });
  const [first, { replacedBy: bump }] = [...market.dropped.entries()][0]!;
  return { node, market, outcome, first: `0x${first}`, bump: `0x${bump}` };
}

async function rowsOf(requestedBy: string) {
  const { rows } = await pool.query(
    "SELECT txid, nonce::text AS nonce, status, error_code FROM chain_transactions WHERE requested_by = $1 ORDER BY created_at, txid",
    [requestedBy],
  );
  return rows;
}

describe("TransactionJournal and fee bumps", () => {
  it("journals the bump beside the transaction it replaces, and settles the bump as confirmed when it is mined", async () => {
    const { node, outcome, first, bump } = await bumpedCall("bump-mined", 1);
    expect((await journal.get(bump))?.status).toBe("pending");
    expect((await journal.get(first))?.status).toBe("pending");
    miners.push(backgroundMiner(node, 10));
    expect((await outcome).txid).toBe(bump.slice(2));
    expect(await rowsOf("bump-mined")).toEqual(
      expect.arrayContaining([
        { txid: first, nonce: "0", status: "failed", error_code: "TRANSACTION_SUPERSEDED" },
        { txid: bump, nonce: "0", status: "confirmed", error_code: null },
      ]),
    );
  });

  it("recognises the replaced transaction when a miner included it instead of the bump", async () => {
    const { node, market, outcome, first, bump } = await bumpedCall("first-mined", 2);
    await market.restore(first.slice(2));
    node.mine();
    expect((await outcome).txid).toBe(first.slice(2));
    expect(await rowsOf("first-mined")).toEqual(
      expect.arrayContaining([
        { txid: first, nonce: "0", status: "confirmed", error_code: null },
        { txid: bump, nonce: "0", status: "failed", error_code: "TRANSACTION_SUPERSEDED" },
      ]),
    );
  });

  it("lets the follower confirm whichever of the two txids it sees mined", async () => {
    const { node, outcome, first, bump } = await bumpedCall("follower", 3);
    await TransactionJournal.confirmWith(pgExecutor(pool), first, 12);
    expect((await journal.get(first))?.status).toBe("confirmed");
    expect((await journal.get(bump))?.status).toBe("pending");
    miners.push(backgroundMiner(node, 10));
    await outcome;
  });
});
