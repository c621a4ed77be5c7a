import { randomUUID } from "node:crypto";
import { broadcastTransaction, Cl, makeContractCall, PostConditionMode } from "@stacks/transactions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig, startTestService, type TestService } from "@voltstack/service-kit";
import {
  type Account,
  expectDocumentedAnswer,
  startTestEnvironment,
  type TestEnvironment,
  waitFor,
} from "@voltstack/service-testing";
import { AppModule } from "../src/app.module.js";
import { verificationConfigSchema } from "../src/verification-config.js";
import { verificationBootstrapOptions } from "../src/verification-service.js";
import { migrationsDir } from "./support/verification-harness.js";

// Writes with an Idempotency-Key against a real devnet, PostgreSQL and NATS: a retry never
// signs again and gets the first answer, a write still confirming is answered from its
// transaction, and a broadcast write is never a bare 500. The devnet mines only while the
// test's miner runs, so a test can hold a transaction in the mempool.

let env: TestEnvironment;
let service: TestService;
let settings: Record<string, string>;
let ownerKey: string;
let adminKey: string;
let miner: NodeJS.Timeout;
let mining = true;

beforeAll(async () => {
  env = await startTestEnvironment({
    service: "verification",
    prefixLetters: "vi",
    schemaVariable: "VERIFICATION_SCHEMA",
    migrationsDir,
    blockIntervalMs: 0,
  });
  miner = setInterval(() => {
    if (mining) void env.devnet.mineBlock().catch(() => undefined);
  }, 100);
  ownerKey = env.apiKey("owner");
  adminKey = env.apiKey("admin");
  settings = {
    ...env.config,
    SIGNER_KEYS: await env.signerKeys({ admin: env.accounts.deployer, owner: env.accounts.wallet_1 }),
    AUTH_API_KEYS: env.authApiKeys([
      { name: "admin-key", key: adminKey, role: "admin", principal: env.accounts.deployer.address },
      { name: "owner-key", key: ownerKey, role: "owner", principal: env.accounts.wallet_1.address },
    ]),
  };
  service = await startService(settings);
}, 180_000);

afterAll(async () => {
  clearInterval(miner);
  await service?.close();
  await env?.close();
}, 60_000);

function startService(variables: Record<string, string>): Promise<TestService> {
  const config = loadConfig(verificationConfigSchema, variables);
  return startTestService(AppModule, { ...verificationBootstrapOptions(config), logger: false });
}

type Answer = { status: number; body: Record<string, unknown>; headers: Headers };

async function post(path: string, options: { key: string; idempotencyKey?: string; body: unknown }): Promise<Answer> {
  const response = await fetch(`${service.baseUrl}${path}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      authorization: `Bearer ${options.key}`,
      ...(options.idempotencyKey === undefined ? {} : { "idempotency-key": options.idempotencyKey }),
    },
    body: JSON.stringify(options.body),
  });
  const text = await response.text();
  const body = text ? JSON.parse(text) : {};
  await expectDocumentedAnswer(service.baseUrl, { method: "POST", path, status: response.status, body });
  return { status: response.status, body, headers: response.headers };
}

const facility = (name: string) => ({
  owner: env.accounts.wallet_1.address,
  name,
  location: "Rotterdam, NL",
  capacityKwh: 2000,
  maxPowerKw: 500,
});

async function nonceOf(account: Account): Promise<number> {
  const response = await fetch(`${env.devnet.url}/extended/v1/address/${account.address}/nonces`);
  return ((await response.json()) as { possible_next_nonce: number }).possible_next_nonce;
}

async function journalCount(): Promise<number> {
  const { rows } = await env.db.query("SELECT count(*)::int AS n FROM chain_transactions");
  return rows[0].n as number;
}

/** Waits until the request holding `key` has linked a transaction (it is signed, about to be broadcast or out). */
async function linkedTxid(key: string): Promise<string> {
  return waitFor(`a transaction linked to ${key}`, async () => {
    const { rows } = await env.db.query(
      "SELECT transactions->0->>'txid' AS txid FROM idempotency_keys WHERE idempotency_key = $1",
      [key],
    );
    return (rows[0]?.txid as string | null) ?? undefined;
  });
}

async function journalEntry(txid: string): Promise<{ status: string; error_code: string | null } | undefined> {
  const { rows } = await env.db.query("SELECT status, error_code FROM chain_transactions WHERE txid = $1", [txid]);
  return rows[0];
}

describe("writes with an Idempotency-Key", () => {
  it("answers a retry with the first answer and signs once: one journal entry, the nonce moved by one", async () => {
    const key = randomUUID();
    const [nonce, entries] = [await nonceOf(env.accounts.wallet_1), await journalCount()];
    const first = await post("/facilities", { key: ownerKey, idempotencyKey: key, body: facility("Retry Battery") });
    expect(first.status).toBe(201);
    const again = await post("/facilities", { key: ownerKey, idempotencyKey: key, body: facility("Retry Battery") });
    expect([again.status, again.body]).toEqual([201, first.body]);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(await nonceOf(env.accounts.wallet_1)).toBe(nonce + 1);
    expect(await journalCount()).toBe(entries + 1);
  });

  it("refuses the same key with another body: 422 IDEMPOTENCY_KEY_REUSED, nothing signed", async () => {
    const key = randomUUID();
    const first = await post("/facilities", { key: ownerKey, idempotencyKey: key, body: facility("First Battery") });
    expect(first.status).toBe(201);
    const [nonce, entries] = [await nonceOf(env.accounts.wallet_1), await journalCount()];
    const other = await post("/facilities", { key: ownerKey, idempotencyKey: key, body: facility("Other Battery") });
    expect([other.status, other.body.code]).toEqual([422, "IDEMPOTENCY_KEY_REUSED"]);
    expect(other.body.details).toMatchObject({ key, firstRequest: { method: "POST", path: "/facilities" } });
    expect([await nonceOf(env.accounts.wallet_1), await journalCount()]).toEqual([nonce, entries]);
  });

  it("keeps keys per caller: another caller's request with the same key is its own", async () => {
    const key = randomUUID();
    const registered = await post("/facilities", { key: ownerKey, idempotencyKey: key, body: facility("Own Key") });
    expect(registered.status).toBe(201);
    const approved = await post(`/facilities/${registered.body.facilityId}/approve`, {
      key: adminKey,
      idempotencyKey: key,
      body: {},
    });
    expect(approved.status).toBe(200);
    expect(approved.body.txid).not.toBe(registered.body.txid);
  });

  it("refuses a malformed key with 400 before anything is signed", async () => {
    const entries = await journalCount();
    for (const malformed of ["", "k".repeat(256), "caf\u00e9"]) {
      const refused = await post("/facilities", {
        key: ownerKey,
        idempotencyKey: malformed,
        body: facility("Bad Key"),
      });
      expect([refused.status, refused.body.code]).toEqual([400, "IDEMPOTENCY_KEY_INVALID"]);
    }
    expect(await journalCount()).toBe(entries);
  });

  it("does not keep a refusal that signed nothing: the corrected request may use the same key", async () => {
    const key = randomUUID();
    const refused = await post("/facilities", {
      key: ownerKey,
      idempotencyKey: key,
      body: { ...facility("Corrected Battery"), capacityKwh: -1 },
    });
    expect(refused.status).toBe(400);
    const corrected = await post("/facilities", {
      key: ownerKey,
      idempotencyKey: key,
      body: facility("Corrected Battery"),
    });
    expect(corrected.status).toBe(201);
  });

  it("answers a retry of a write still in the mempool 202 with its txid, then the first answer once mined", async () => {
    const key = randomUUID();
    const nonce = await nonceOf(env.accounts.wallet_1);
    mining = false;
    let first: Promise<Answer>;
    try {
      first = post("/facilities", { key: ownerKey, idempotencyKey: key, body: facility("Pending Battery") });
      const txid = await linkedTxid(key);
      await waitFor("the transaction in the journal", () => journalEntry(txid));
      const pending = await post("/facilities", {
        key: ownerKey,
        idempotencyKey: key,
        body: facility("Pending Battery"),
      });
      expect([pending.status, pending.body]).toEqual([202, { txid, status: "pending", poll: `/transactions/${txid}` }]);
      expect(pending.headers.get("location")).toBe(`/transactions/${txid}`);
    } finally {
      mining = true;
    }
    const answered = await first;
    expect(answered.status).toBe(201);
    const retried = await post("/facilities", {
      key: ownerKey,
      idempotencyKey: key,
      body: facility("Pending Battery"),
    });
    expect([retried.status, retried.body]).toEqual([201, answered.body]);
    expect(await nonceOf(env.accounts.wallet_1)).toBe(nonce + 1);
  });

  it("answers a confirmed write with its result when PostgreSQL fails after the broadcast, not 500", async () => {
    const key = randomUUID();
    mining = false;
    let first: Promise<Answer>;
    try {
      first = post("/facilities", { key: ownerKey, idempotencyKey: key, body: facility("Outage Battery") });
      const txid = await linkedTxid(key);
      await waitFor("the transaction in the journal", () => journalEntry(txid));
      // The journal's table goes away under the write: settling its entry fails once it is mined.
      await env.db.query("ALTER TABLE chain_transactions RENAME TO chain_transactions_away");
    } finally {
      mining = true;
    }
    try {
      const answered = await first;
      expect(answered.status).toBe(201);
      expect(answered.body).toMatchObject({ txid: expect.stringMatching(/^0x[0-9a-f]{64}$/) });
      expect(answered.body.facilityId).toBeGreaterThan(0);
      // The journal could not be told: its entry is still pending, yet the answer is the confirmed one.
      const { rows } = await env.db.query("SELECT status FROM chain_transactions_away WHERE txid = $1", [
        answered.body.txid,
      ]);
      expect(rows).toEqual([{ status: "pending" }]);
    } finally {
      await env.db.query("ALTER TABLE chain_transactions_away RENAME TO chain_transactions");
    }
  }, 60_000);
});

describe("the journal after a restart", () => {
  it("settles an entry a killed process left pending at once, from the chain", async () => {
    // A transaction the previous process signed and broadcast, then died before recording its
    // outcome: approve-facility u0 fails on chain with ERR_FACILITY_NOT_FOUND.
    const deployer = env.accounts.deployer;
    const transaction = await makeContractCall({
      contractAddress: deployer.address,
      contractName: "facility-registry",
      functionName: "approve-facility",
      functionArgs: [Cl.uint(0)],
      senderKey: deployer.secretKey,
      network: "devnet",
      client: { baseUrl: env.devnet.url },
      fee: 10_000,
      postConditionMode: PostConditionMode.Deny,
    });
    const nonce = await nonceOf(deployer);
    const broadcast = await broadcastTransaction({
      transaction,
      network: "devnet",
      client: { baseUrl: env.devnet.url },
    });
    if ("error" in broadcast) throw new Error(`approve-facility refused: ${JSON.stringify(broadcast)}`);
    const txid = `0x${broadcast.txid.replace(/^0x/, "")}`;
    await waitFor("the transaction mined", async () => (await nonceOf(deployer)) > nonce);

    await service.close();
    await env.db.query(
      `INSERT INTO chain_transactions (id, txid, requested_by, sender, nonce, contract, function_name, arguments, status)
       VALUES ($1::uuid, $2, 'admin-key', $3, $4, $5, 'approve-facility', '["u0"]', 'pending')`,
      [randomUUID(), txid, deployer.address, nonce, `${deployer.address}.facility-registry`],
    );
    service = await startService(settings);

    // Without the start-up pass it would wait for the first periodic one (a minute) and the
    // confirmation timeout (30 s here); well within that, it is settled.
    const settled = await waitFor(
      "the entry settled",
      async () => {
        const entry = await journalEntry(txid);
        return entry?.status === "pending" ? undefined : entry;
      },
      45_000,
    );
    expect(settled).toEqual({ status: "failed", error_code: "ERR_FACILITY_NOT_FOUND" });
  }, 90_000);
});

describe("a write whose confirmation times out", () => {
  it("answers 202 with the txid and where to poll, and a retry with its key the outcome once mined", async () => {
    await service.close();
    service = await startService({ ...settings, CHAIN_CONFIRMATION_TIMEOUT_MS: "1000" });
    const key = randomUUID();
    const nonce = await nonceOf(env.accounts.wallet_1);
    mining = false;
    let txid: string;
    try {
      const accepted = await post("/facilities", {
        key: ownerKey,
        idempotencyKey: key,
        body: facility("Slow Battery"),
      });
      expect(accepted.status).toBe(202);
      txid = accepted.body.txid as string;
      expect(accepted.body).toEqual({ txid, status: "pending", poll: `/transactions/${txid}` });
      expect(accepted.headers.get("location")).toBe(`/transactions/${txid}`);
      const journal = await fetch(`${service.baseUrl}/transactions/${txid}`, {
        headers: { authorization: `Bearer ${ownerKey}` },
      });
      expect(((await journal.json()) as { status: string }).status).toBe("pending");
      const retried = await post("/facilities", { key: ownerKey, idempotencyKey: key, body: facility("Slow Battery") });
      expect([retried.status, retried.body.txid]).toEqual([202, txid]);
    } finally {
      mining = true;
    }
    const outcome = await waitFor(
      "the retry answered with the outcome",
      async () => {
        const answer = await post("/facilities", {
          key: ownerKey,
          idempotencyKey: key,
          body: facility("Slow Battery"),
        });
        return answer.status === 202 ? undefined : answer;
      },
      60_000,
    );
    expect(outcome.status).toBe(200);
    expect(outcome.body).toEqual({ txid, blockHeight: expect.any(Number) });
    const { rows } = await env.db.query("SELECT state FROM idempotency_keys WHERE idempotency_key = $1", [key]);
    expect(rows).toEqual([{ state: "completed" }]);
    expect(await nonceOf(env.accounts.wallet_1)).toBe(nonce + 1);
  }, 120_000);
});
