import { randomBytes } from "node:crypto";
import { Cl } from "@stacks/transactions";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CallOutcome,
  type CallSender,
  ContractError,
  type ContractCall,
  resolveContracts,
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

  it("records a broadcast the node refused, with no txid", async () => {
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
    const store = new PgCheckpointStore(pgExecutor(pool));
    expect(await store.load("f")).toBeUndefined();
    await store.save("f", 10);
    await store.save("f", 4);
    expect(await store.load("f")).toBe(10);
    await PgCheckpointStore.saveWith(pgExecutor(pool), "f", 11, "0xabc");
    expect(await store.loadBlock("f")).toEqual({ height: 11, hash: "0xabc" });
    await PgCheckpointStore.resetWith(pgExecutor(pool), "f", -1);
    expect(await store.loadBlock("f")).toEqual({ height: -1, hash: null });
  });
});
