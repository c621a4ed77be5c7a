import { randomBytes } from "node:crypto";
import { Cl } from "@stacks/transactions";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BroadcastRejectedError,
  type CallOutcome,
  type CallSender,
  ChainError,
  ConfirmationTimeoutError,
  ContractError,
  type ContractCall,
  type EarlierTransaction,
  resolveContracts,
  StacksChain,
  type SubmitOptions,
  type SubmittedTransaction,
  type TransactionSender,
} from "@voltstack/chain";
import { pgExecutor } from "@voltstack/messaging";
import { CHAIN_SYNC_MIGRATION_SQL, PgCheckpointStore, TransactionJournal } from "../src/index.js";

// The journal and the checkpoint store against the real PostgreSQL, in a schema of their own.

const databaseUrl = process.env.DATABASE_URL || "postgresql://postgres@127.0.0.1:5432/postgres";
const schema = `chain_sync_test_${randomBytes(4).toString("hex")}`;
const contracts = resolveContracts({ deployer: "ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM" });
const SENDER = "ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5";
let pool: pg.Pool;
let journal: TransactionJournal;

beforeAll(async () => {
  pool = new pg.Pool({ connectionString: databaseUrl, max: 2, options: `-c search_path="${schema}"` });
  await pool.query(`CREATE SCHEMA "${schema}"`);
  await pool.query(CHAIN_SYNC_MIGRATION_SQL);
  journal = new TransactionJournal(pgExecutor(pool));
});

afterAll(async () => {
  await pool?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await pool?.end();
});

const approve: ContractCall = {
  contract: contracts["facility-registry"],
  functionName: "approve-facility",
  functionArgs: [Cl.uint(7)],
  postConditions: [],
};

/** A stand-in sender (unit test): hands out txids instead of broadcasting. */
function fakeSender(txid: string): CallSender {
  return {
    address: SENDER,
    senderFor: () => undefined,
    submit: async (call) => ({
      txid,
      nonce: 4n,
      sender: SENDER,
      feeUstx: 1_000n,
      contract: call.contract,
      functionName: call.functionName,
    }),
  };
}

const signed = (txid: string, nonce = 4n): SubmittedTransaction => ({
  txid,
  nonce,
  sender: SENDER,
  feeUstx: 1_000n,
  contract: approve.contract,
  functionName: approve.functionName,
});

/**
 * A stand-in sender that signs as a TransactionSender does: each attempt goes to
 * beforeBroadcast, then `broadcast` plays the node (throwing is a refusal).
 */
function signingSender(attempts: SubmittedTransaction[], broadcast: () => Promise<void> = async () => {}): CallSender {
  return {
    address: SENDER,
    senderFor: () => undefined,
    submit: async (_call, options?: SubmitOptions) => {
      for (const attempt of attempts) await options?.beforeBroadcast?.(attempt);
      await broadcast();
      return attempts.at(-1)!;
    },
  };
}

/** A stand-in signer whose `replace` answers with `answer` (after beforeBroadcast when it signs anew). */
function replacingSender(answer: (earlier: EarlierTransaction) => SubmittedTransaction | Error): CallSender {
  const owner = {
    replace: async (earlier: EarlierTransaction, _call: ContractCall, options: SubmitOptions = {}) => {
      const result = answer(earlier);
      if (result instanceof Error) throw result;
      if (result.txid !== earlier.txid) await options.beforeBroadcast?.(result);
      return result;
    },
  } as unknown as TransactionSender;
  return { ...fakeSender(""), senderFor: (address) => (address === SENDER ? owner : undefined) };
}

/** A pending entry left by a process that stopped before its transaction reached the node. */
async function leftPending(requestedBy: string, txid: string) {
  await expect(
    journal.track(requestedBy, signingSender([signed(txid)]), async (sender) => {
      await sender.submit(approve);
      throw new ConfirmationTimeoutError(txid, "unknown to the node", 1);
    }),
  ).rejects.toBeInstanceOf(ConfirmationTimeoutError);
  return (await journal.get(txid))!;
}

const outcome = (txid: string): CallOutcome => ({
  txid,
  sender: SENDER,
  nonce: 4n,
  blockHeight: 12,
  result: Cl.bool(true),
  events: [],
});

describe("TransactionJournal", () => {
  it("records who asked, the call and its confirmation", async () => {
    const txid = "a1".repeat(32);
    await journal.track("admin-key", fakeSender(txid), async (sender) => {
      await sender.submit(approve);
      expect((await journal.get(txid))?.status).toBe("pending");
      return outcome(txid);
    });
    expect(await journal.get(`0x${txid}`)).toMatchObject({
      txid: `0x${txid}`,
      requestedBy: "admin-key",
      sender: SENDER,
      nonce: "4",
      contract: contracts["facility-registry"].id,
      functionName: "approve-facility",
      arguments: ["u7"],
      status: "confirmed",
      blockHeight: 12,
      errorCode: null,
    });
  });

  it("records a contract error by its constant and lists failures", async () => {
    const txid = "b2".repeat(32);
    const error = new ContractError(
      "ERR_NOT_PENDING",
      "facility-registry",
      1005n,
      txid,
      approve.contract.id,
      "approve-facility",
    );
    await expect(
      journal.track("admin-key", fakeSender(txid), async (sender) => {
        await sender.submit(approve);
        throw error;
      }),
    ).rejects.toBe(error);
    const failed = await journal.list({ status: "failed" });
    expect(failed.map((e) => [e.txid, e.errorCode])).toEqual([[`0x${txid}`, "ERR_NOT_PENDING"]]);
    expect(await journal.list({ status: "pending" })).toEqual([]);
  });

  it("records a call that failed before a transaction was signed for it, with no txid", async () => {
    const refusing: CallSender = {
      ...fakeSender(""),
      submit: async () => {
        throw new ContractError(
          "ERR_NOT_ADMIN",
          "facility-registry",
          1000n,
          undefined,
          approve.contract.id,
          "approve-facility",
        );
      },
    };
    await expect(
      journal.track("owner-key", refusing, (sender) => sender.submit(approve).then(() => outcome(""))),
    ).rejects.toThrow();
    const entries = await journal.list({ requestedBy: "owner-key" });
    expect(entries).toEqual([expect.objectContaining({ txid: null, status: "failed", errorCode: "ERR_NOT_ADMIN" })]);
  });

  it("journals a transaction, pending with its txid and nonce, before the node may have it", async () => {
    const txid = "d4".repeat(32);
    let atBroadcast: unknown;
    await journal.track(
      "admin-key",
      signingSender([signed(txid)], async () => {
        atBroadcast = await journal.get(txid);
      }),
      async (sender) => outcome((await sender.submit(approve)).txid),
    );
    expect(atBroadcast).toMatchObject({ txid: `0x${txid}`, nonce: "4", status: "pending", requestedBy: "admin-key" });
    expect(await journal.get(txid)).toMatchObject({ status: "confirmed", blockHeight: 12 });
  });

  it("keeps the txid of a transaction the node refused", async () => {
    const txid = "e5".repeat(32);
    const refusal = new BroadcastRejectedError("FeeTooLow", {}, txid);
    await expect(
      journal.track(
        "refused-key",
        signingSender([signed(txid)], () => Promise.reject(refusal)),
        async (sender) => outcome((await sender.submit(approve)).txid),
      ),
    ).rejects.toBe(refusal);
    expect(await journal.list({ requestedBy: "refused-key" })).toEqual([
      expect.objectContaining({ txid: `0x${txid}`, nonce: "4", status: "failed", errorCode: "BROADCAST_REJECTED" }),
    ]);
  });

  it("moves one entry to each re-signed attempt: the last is the one followed", async () => {
    const first = "f6".repeat(32);
    const second = "07".repeat(32);
    await journal.track("resign-key", signingSender([signed(first, 4n), signed(second, 9n)]), async (sender) =>
      outcome((await sender.submit(approve)).txid),
    );
    expect(await journal.list({ requestedBy: "resign-key" })).toEqual([
      expect.objectContaining({ txid: `0x${second}`, nonce: "9", status: "confirmed" }),
    ]);
  });

  it("sends a replacement in place of an entry the node does not know, and marks that one replaced", async () => {
    const lost = "18".repeat(32);
    const replacement = "29".repeat(32);
    const earlier = await leftPending("replaced-key", lost);
    let atBroadcast: unknown;
    await journal.track(
      "replaced-key",
      replacingSender(() => signed(replacement, 4n)),
      async (sender) => {
        const submitted = await sender.submit(approve, {
          beforeBroadcast: async () => {
            atBroadcast = await journal.list({ requestedBy: "replaced-key", status: "pending" });
          },
        });
        return outcome(submitted.txid);
      },
      { replacing: earlier },
    );
    expect((atBroadcast as { txid: string }[]).map((e) => e.txid).sort()).toEqual([`0x${lost}`, `0x${replacement}`]);
    expect(await journal.get(replacement)).toMatchObject({ status: "confirmed", nonce: "4" });
    expect(await journal.get(lost)).toMatchObject({ status: "failed", errorCode: "TRANSACTION_SUPERSEDED" });
  });

  it("settles the earlier entry itself when the node knew its transaction after all", async () => {
    const known = "3a".repeat(32);
    const earlier = await leftPending("known-key", known);
    await journal.track(
      "known-key",
      replacingSender((tx) => signed(tx.txid, tx.nonce)),
      async (sender) => outcome((await sender.submit(approve)).txid),
      { replacing: earlier },
    );
    expect(await journal.list({ requestedBy: "known-key" })).toEqual([
      expect.objectContaining({ txid: `0x${known}`, status: "confirmed" }),
    ]);
  });

  it("leaves the earlier entry pending when its nonce is still busy", async () => {
    const busy = "4b".repeat(32);
    const earlier = await leftPending("busy-key", busy);
    await expect(
      journal.track(
        "busy-key",
        replacingSender(() => new ChainError("NONCE_BUSY", "busy")),
        async (sender) => outcome((await sender.submit(approve)).txid),
        { replacing: earlier },
      ),
    ).rejects.toMatchObject({ code: "NONCE_BUSY" });
    expect(await journal.get(busy)).toMatchObject({ status: "pending" });
  });

  it("fails, on reconciling, an entry the node never had once another transaction executed its nonce", async () => {
    const superseded = "5c".repeat(32);
    const waiting = "6d".repeat(32);
    for (const [txid, nonce] of [
      [superseded, 2],
      [waiting, 5],
    ] as const) {
      await pool.query(
        `INSERT INTO chain_transactions (id, txid, requested_by, sender, nonce, contract, function_name, arguments, status, created_at)
         VALUES (gen_random_uuid(), $1, 'reconcile-key', $2, $3, 'c', 'f', '[]', 'pending', now() - interval '1 hour')`,
        [`0x${txid}`, SENDER, nonce],
      );
    }
    // A node that knows neither transaction and has executed the sender's nonces up to 3.
    const node = async (input: string | URL | Request): Promise<Response> => {
      const path = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url).pathname;
      if (path === `/extended/v3/principals/${SENDER}/nonces`) {
        return Response.json({
          next_nonce: 4,
          last_confirmed_nonce: 3,
          mempool: { last_nonce: null, pending_nonces: [], missing_nonces: [] },
        });
      }
      return Response.json({ error: "not found" }, { status: 404 });
    };
    const chain = new StacksChain({
      network: "devnet",
      url: "http://node.invalid",
      contracts: { deployer: SENDER },
      fetch: node as typeof fetch,
    });
    expect(await journal.reconcile(chain, { olderThanMs: 1_000 })).toBe(1);
    expect(await journal.get(superseded)).toMatchObject({ status: "failed", errorCode: "TRANSACTION_SUPERSEDED" });
    expect(await journal.get(waiting)).toMatchObject({ status: "pending" });
  });

  it("is confirmed by the follower when the process that sent it is gone", async () => {
    const txid = "c3".repeat(32);
    await pool.query(
      `INSERT INTO chain_transactions (id, txid, requested_by, sender, contract, function_name, arguments, status)
       VALUES (gen_random_uuid(), $1, 'owner-key', $2, 'c', 'f', '[]', 'pending')`,
      [`0x${txid}`, SENDER],
    );
    await TransactionJournal.confirmWith(pgExecutor(pool), txid, 33);
    expect(await journal.get(txid)).toMatchObject({ status: "confirmed", blockHeight: 33 });
  });
});

describe("PgCheckpointStore", () => {
  it("moves forward only, with its block hash, unless reset", async () => {
    const sql = pgExecutor(pool);
    expect(await PgCheckpointStore.loadWith(sql, "f")).toBeUndefined();
    await PgCheckpointStore.saveWith(sql, "f", 10, "0x0a");
    await PgCheckpointStore.saveWith(sql, "f", 4, "0x04");
    expect(await PgCheckpointStore.loadWith(sql, "f")).toEqual({ height: 10, hash: "0x0a" });
    await PgCheckpointStore.saveWith(sql, "f", 11, "0xabc");
    expect(await PgCheckpointStore.loadWith(sql, "f")).toEqual({ height: 11, hash: "0xabc" });
    await PgCheckpointStore.resetWith(sql, "f", -1);
    expect(await PgCheckpointStore.loadWith(sql, "f")).toEqual({ height: -1, hash: null });
  });
});
