import { randomBytes, randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pgExecutor } from "@voltstack/messaging";
import type { IdempotencyClaim } from "@voltstack/service-kit";
import {
  CHAIN_SYNC_MIGRATION_SQL,
  IDEMPOTENCY_MIGRATION_SQL,
  PgIdempotencyStore,
  TransactionJournal,
} from "../src/index.js";

// The idempotency keys against the real PostgreSQL, in a schema of their own; the answer
// of a request still executing comes from the journal entries of its transactions.

const databaseUrl = process.env.DATABASE_URL || "postgresql://postgres@127.0.0.1:5432/postgres";
const schema = `idempotency_test_${randomBytes(4).toString("hex")}`;
const SENDER = "ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5";
let pool: pg.Pool;
let store: PgIdempotencyStore;

beforeAll(async () => {
  pool = new pg.Pool({ connectionString: databaseUrl, max: 4, options: `-c search_path="${schema}"` });
  await pool.query(`CREATE SCHEMA "${schema}"`);
  await pool.query(CHAIN_SYNC_MIGRATION_SQL);
  await pool.query(IDEMPOTENCY_MIGRATION_SQL);
  store = new PgIdempotencyStore(pgExecutor(pool), new TransactionJournal(pgExecutor(pool)));
});

afterAll(async () => {
  await pool?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await pool?.end();
});

const claim = (overrides: Partial<IdempotencyClaim> = {}): IdempotencyClaim => ({
  callerId: "api-key:owner-key",
  key: randomUUID(),
  method: "POST",
  path: "/facilities",
  fingerprint: "f1",
  retentionMs: 60_000,
  ...overrides,
});

async function journaled(txid: string, status: string, errorCode: string | null = null): Promise<void> {
  await pool.query(
    `INSERT INTO chain_transactions (id, txid, requested_by, sender, nonce, contract, function_name, arguments, status,
       error_code, error_message, block_height)
     VALUES ($1::uuid, $2, 'owner-key', $3, 1, 'ST1.facility-registry', 'approve-facility', '[]', $4, $5, $6, $7)`,
    [
      randomUUID(),
      txid,
      SENDER,
      status,
      errorCode,
      errorCode ? "The facility is not pending." : null,
      status === "confirmed" ? 12 : null,
    ],
  );
}

const txid = () => `0x${randomBytes(32).toString("hex")}`;

describe("PgIdempotencyStore", () => {
  it("claims a key whose holder released it between the claim's insert and its lookup, instead of failing", async () => {
    const first = claim();
    expect(await store.claim(first)).toBeUndefined();
    // The first request is refused and frees its key just after the second one's insert met it.
    const executor = pgExecutor(pool);
    let released = false;
    const racing = new PgIdempotencyStore(
      {
        ...executor,
        query: async <Row extends Record<string, unknown>>(text: string, values?: unknown[]) => {
          const rows = await executor.query<Row>(text, values);
          if (!released && text.includes("INSERT INTO idempotency_keys")) {
            released = true;
            await store.release(first);
          }
          return rows;
        },
      },
      new TransactionJournal(executor),
    );
    expect(await racing.claim({ ...first })).toBeUndefined();
    expect(released).toBe(true);
    const { rows } = await pool.query("SELECT state FROM idempotency_keys WHERE idempotency_key = $1", [first.key]);
    expect(rows).toEqual([{ state: "executing" }]);
  });

  it("lets exactly one of concurrent requests with a key execute; the others find its record", async () => {
    const first = claim();
    const claims = await Promise.all(Array.from({ length: 6 }, () => store.claim(first)));
    expect(claims.filter((held) => held === undefined)).toHaveLength(1);
    expect(claims.filter((held) => held !== undefined)).toHaveLength(5);
    expect(claims.find((held) => held !== undefined)).toMatchObject({ state: "executing", answer: null });
  });

  it("keeps keys per caller", async () => {
    const mine = claim();
    expect(await store.claim(mine)).toBeUndefined();
    expect(await store.claim({ ...mine, callerId: "api-key:admin-key" })).toBeUndefined();
  });

  it("replays the kept answer, and frees a key whose request changed nothing", async () => {
    const kept = claim();
    await store.claim(kept);
    await store.complete(kept, { status: 201, body: { facilityId: 3 } });
    expect((await store.claim(kept))?.answer).toEqual({ status: 201, body: { facilityId: 3 }, location: null });

    const refused = claim();
    await store.claim(refused);
    await store.release(refused);
    expect(await store.claim(refused)).toBeUndefined();
  });

  it("never frees a key that linked a transaction", async () => {
    const signed = claim();
    await store.claim(signed);
    await store.link(signed, { txid: txid(), errorStatuses: {} });
    await store.release(signed);
    expect(await store.claim(signed)).toMatchObject({ transactions: [expect.objectContaining({ errorStatuses: {} })] });
  });

  it("refuses to link a transaction to a key the request no longer holds, so it is not broadcast", async () => {
    const gone = claim();
    await expect(store.link(gone, { txid: txid(), errorStatuses: {} })).rejects.toMatchObject({
      status: 409,
      code: "IDEMPOTENCY_KEY_IN_USE",
    });
  });

  it("takes over an expired key, and a key whose request died before signing anything", async () => {
    const expired = claim();
    await store.claim(expired);
    await store.complete(expired, { status: 201, body: {} });
    await pool.query(
      "UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE idempotency_key = $1",
      [expired.key],
    );
    expect(await store.claim({ ...expired, fingerprint: "another request" })).toBeUndefined();

    const abandoned = claim();
    await store.claim(abandoned);
    const heldSince = (seconds: number) =>
      pool.query(
        "UPDATE idempotency_keys SET updated_at = now() - make_interval(secs => $2) WHERE idempotency_key = $1",
        [abandoned.key, seconds],
      );
    // Renewed 15 s ago: its holder is alive, a retry finds the key held.
    await heldSince(15);
    expect(await store.claim(abandoned)).toMatchObject({ state: "executing" });
    // Stale, then renewed by its holder: held again.
    await heldSince(25);
    await store.renew(abandoned);
    expect(await store.claim(abandoned)).toMatchObject({ state: "executing" });
    // Not renewed for 25 s: its holder died before signing, a retry executes.
    await heldSince(25);
    expect(await store.claim(abandoned)).toBeUndefined();
  });

  it("answers a request still executing from its transactions: pending 202, confirmed 200, failed the contract's code", async () => {
    const held = claim();
    await store.claim(held);
    expect(await store.answerFromTransactions((await store.find(held))!)).toBeUndefined();

    const pending = txid();
    await journaled(pending, "pending");
    await store.link(held, { txid: pending, errorStatuses: { ERR_NOT_PENDING: 409 } });
    expect(await store.answerFromTransactions((await store.find(held))!)).toEqual({
      status: 202,
      body: { txid: pending, status: "pending", poll: `/transactions/${pending}` },
      location: `/transactions/${pending}`,
    });

    await pool.query(
      "UPDATE chain_transactions SET status = 'failed', error_code = 'ERR_NOT_PENDING' WHERE txid = $1",
      [pending],
    );
    expect(await store.answerFromTransactions((await store.find(held))!)).toMatchObject({
      status: 409,
      body: { code: "ERR_NOT_PENDING", details: { txid: pending, function: "approve-facility" } },
    });

    // A fee bump linked a second transaction: whichever of them confirmed answers.
    const bump = txid();
    await journaled(bump, "confirmed");
    await store.link(held, { txid: bump, errorStatuses: { ERR_NOT_PENDING: 409 }, replaces: pending });
    expect(await store.answerFromTransactions((await store.find(held))!)).toEqual({
      status: 200,
      body: { txid: bump, blockHeight: 12 },
    });
  });

  it("answers a request of several writes from all of them: pending while one is, confirmed once all are", async () => {
    const held = claim();
    await store.claim(held);
    const [first, second] = [txid(), txid()];
    await journaled(first, "confirmed");
    await journaled(second, "pending");
    for (const written of [first, second]) await store.link(held, { txid: written, errorStatuses: {} });
    expect((await store.answerFromTransactions((await store.find(held))!))?.status).toBe(202);
    await pool.query("UPDATE chain_transactions SET status = 'confirmed', block_height = 13 WHERE txid = $1", [second]);
    expect(await store.answerFromTransactions((await store.find(held))!)).toEqual({
      status: 200,
      body: { txid: second, blockHeight: 13 },
    });
  });
});
