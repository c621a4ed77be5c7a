import { broadcastTransaction, Cl, makeContractCall, PostConditionMode } from "@stacks/transactions";
import { jetstreamManager } from "@nats-io/jetstream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VerificationSyncService } from "../src/chain-sync/verification-sync.service.js";
import { call, type Harness, type Received, startHarness, waitFor } from "./support/verification-harness.js";

// The verification service end to end: HTTP -> use case -> signed call on the devnet ->
// confirmed -> the follower sees the print -> read model + outbox in one transaction ->
// relay -> NATS. Real devnet, PostgreSQL and NATS; the tests run in order on one chain.

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
}, 60_000);

afterAll(async () => {
  await h?.close();
});

type Written = { facilityId: number; txid: string; blockHeight: number };

const facility = (owner: string) => ({
  owner,
  name: "Harbour Battery 1",
  location: "Rotterdam, NL",
  capacityKwh: 2000,
  maxPowerKw: 500,
});

function eventOf(type: string, facilityId: number): Received | undefined {
  return h.received.find((r) => r.subject === type && r.event.facilityId === facilityId);
}

async function facilityInReadModel(id: number, lastHeight: number): Promise<Record<string, unknown>> {
  return waitFor(`facility ${id} at height ${lastHeight} in the read model`, async () => {
    const { status, body } = await call(h, "GET", `/facilities/${id}`);
    return status === 200 && (body.lastHeight as number) >= lastHeight ? body : undefined;
  });
}

/** What a refusal must leave untouched: the journal, the read model, the outbox and the chain. */
async function footprint(): Promise<unknown> {
  const { rows } = await h.db.query(
    `SELECT (SELECT count(*)::int FROM chain_transactions) AS journal,
            (SELECT count(*)::int FROM facilities) AS facilities,
            (SELECT count(*)::int FROM facility_operators) AS operators,
            (SELECT count(*)::int FROM outbox) AS outbox`,
  );
  const nonces = await Promise.all(
    [h.accounts.deployer, h.accounts.wallet_1, h.accounts.wallet_3].map(async (a) => {
      const response = await fetch(`${h.devnet.url}/extended/v1/address/${a.address}/nonces`);
      return ((await response.json()) as { possible_next_nonce: number }).possible_next_nonce;
    }),
  );
  return { ...rows[0], nonces };
}

let registered: Written;

describe("verification service", () => {
  it("registers a facility for an owner: confirmed, in the read model, facility.registered on NATS", async () => {
    const response = await call(h, "POST", "/facilities", {
      key: h.keys.owner,
      body: facility(h.accounts.wallet_1.address),
    });
    expect(response.status).toBe(201);
    registered = response.body as unknown as Written;
    expect(registered.facilityId).toBeGreaterThan(0);
    expect(registered.txid).toMatch(/^0x[0-9a-f]{64}$/);

    const view = await facilityInReadModel(registered.facilityId, registered.blockHeight);
    expect(view).toMatchObject({
      id: registered.facilityId,
      owner: h.accounts.wallet_1.address,
      name: "Harbour Battery 1",
      capacityKwh: 2000,
      maxPowerKw: 500,
      status: "pending",
      registeredTxid: registered.txid,
      registeredHeight: registered.blockHeight,
    });

    const message = await waitFor("facility.registered", () => eventOf("facility.registered", registered.facilityId));
    expect(message.event.chain).toEqual({ txId: registered.txid, blockHeight: registered.blockHeight });
    expect(message.event.payload).toMatchObject({ owner: h.accounts.wallet_1.address, capacityKwh: 2000 });
    // The id is derived from the chain fact and recorded in the ledger.
    const ledger = await h.db.query("SELECT event_id::text AS id FROM chain_events WHERE txid = $1", [registered.txid]);
    expect(ledger.rows).toEqual([{ id: message.event.eventId }]);

    // The event carries the trace context of the request that sent the transaction.
    const sent = await h.db.query("SELECT traceparent FROM chain_transactions WHERE txid = $1", [registered.txid]);
    expect(message.event.traceContext).toEqual({ traceparent: sent.rows[0].traceparent });

    const journal = await call(h, "GET", `/transactions/${registered.txid}`, { key: h.keys.owner });
    expect(journal.status).toBe(200);
    expect(journal.body).toMatchObject({
      txid: registered.txid,
      requestedBy: "owner-key",
      sender: h.accounts.wallet_1.address,
      functionName: "register-facility",
      status: "confirmed",
      blockHeight: registered.blockHeight,
      errorCode: null,
    });
  });

  it("lets an admin approve it without a body: facility.approved with the admin, status approved", async () => {
    const response = await call(h, "POST", `/facilities/${registered.facilityId}/approve`, { key: h.keys.admin });
    expect(response.status).toBe(200);
    const approved = response.body as unknown as Written;
    const view = await facilityInReadModel(registered.facilityId, approved.blockHeight);
    expect(view).toMatchObject({ status: "approved", lastTxid: approved.txid });
    const message = await waitFor("facility.approved", () => eventOf("facility.approved", registered.facilityId));
    expect(message.event.chain).toEqual({ txId: approved.txid, blockHeight: approved.blockHeight });
    expect(message.event.payload).toMatchObject({ admin: h.accounts.deployer.address, capacityKwh: 2000 });
  });

  it("refuses approving an approved facility before signing: 409 ERR_NOT_PENDING with its status", async () => {
    const before = await footprint();
    const response = await call(h, "POST", `/facilities/${registered.facilityId}/approve`, {
      key: h.keys.admin,
      body: {},
    });
    expect([response.status, response.body.code, response.body.details]).toEqual([
      409,
      "ERR_NOT_PENDING",
      { facilityId: registered.facilityId, status: "approved", requiredStatus: "pending" },
    ]);
    expect(await footprint()).toEqual(before);
  });

  it("keeps the contract as the backstop: a read model behind the chain ends in its ERR_NOT_PENDING, journaled", async () => {
    // The read model still says pending, as it would for a moment after another admin's approval.
    await h.db.query("UPDATE facilities SET status = 'pending' WHERE id = $1", [registered.facilityId]);
    try {
      const response = await call(h, "POST", `/facilities/${registered.facilityId}/approve`, {
        key: h.keys.admin,
        body: {},
      });
      expect(response.status).toBe(409);
      expect(response.body.code).toBe("ERR_NOT_PENDING");
      const txid = (response.body.details as { txid: string }).txid;
      const failed = await call(h, "GET", "/transactions?status=failed", { key: h.keys.operator });
      expect(failed.status).toBe(200);
      expect(failed.body.items).toEqual([
        expect.objectContaining({
          txid,
          functionName: "approve-facility",
          status: "failed",
          errorCode: "ERR_NOT_PENDING",
        }),
      ]);
    } finally {
      await h.db.query("UPDATE facilities SET status = 'approved' WHERE id = $1", [registered.facilityId]);
    }
  });

  it("settles journal entries left pending (a timeout, a restart) from the node's record", async () => {
    const failed = (await call(h, "GET", "/transactions?status=failed", { key: h.keys.admin })).body.items as {
      txid: string;
    }[];
    const txids = [registered.txid, failed[0]!.txid];
    await h.db.query(
      "UPDATE chain_transactions SET status = 'pending', error_code = NULL, block_height = NULL, created_at = now() - interval '1 hour' WHERE txid = ANY($1)",
      [txids],
    );
    expect(await h.service.app.get(VerificationSyncService).reconcileJournal()).toBe(2);
    const entries = await Promise.all(
      txids.map(async (txid) => (await call(h, "GET", `/transactions/${txid}`, { key: h.keys.admin })).body),
    );
    expect(entries.map((e) => [e.status, e.errorCode, e.blockHeight])).toEqual([
      ["confirmed", null, registered.blockHeight],
      ["failed", "ERR_NOT_PENDING", expect.any(Number)],
    ]);
  });

  it("lets the owner enable an operator: facility.operator.set, operator in the read model", async () => {
    const operator = h.accounts.wallet_2.address;
    const response = await call(h, "PUT", `/facilities/${registered.facilityId}/operators/${operator}`, {
      key: h.keys.owner,
      body: { enabled: true },
    });
    expect(response.status).toBe(200);
    const written = response.body as unknown as Written;
    const view = await facilityInReadModel(registered.facilityId, written.blockHeight);
    expect(view.operators).toEqual([expect.objectContaining({ operator, enabled: true })]);
    const message = await waitFor("facility.operator.set", () =>
      eventOf("facility.operator.set", registered.facilityId),
    );
    expect(message.event.payload).toEqual({ facilityId: registered.facilityId, operator, enabled: true });
  });

  it("suspends, reinstates and rejects through the admin endpoints", async () => {
    const suspended = await call(h, "POST", `/facilities/${registered.facilityId}/suspend`, {
      key: h.keys.admin,
      body: {},
    });
    expect(suspended.status).toBe(200);
    await waitFor("facility.suspended", () => eventOf("facility.suspended", registered.facilityId));
    const reinstated = await call(h, "POST", `/facilities/${registered.facilityId}/reinstate`, {
      key: h.keys.admin,
      body: {},
    });
    expect(reinstated.status).toBe(200);
    await waitFor("facility.reinstated", () => eventOf("facility.reinstated", registered.facilityId));
    const view = await facilityInReadModel(registered.facilityId, (reinstated.body as unknown as Written).blockHeight);
    expect(view.status).toBe("approved");

    const second = await call(h, "POST", "/facilities", {
      key: h.keys.owner,
      body: facility(h.accounts.wallet_1.address),
    });
    expect(second.status).toBe(201);
    const secondId = (second.body as unknown as Written).facilityId;
    const rejected = await call(h, "POST", `/facilities/${secondId}/reject`, {
      key: h.keys.admin,
      body: { reason: "grid connection not verified" },
    });
    expect(rejected.status).toBe(200);
    const rejectedView = await facilityInReadModel(secondId, (rejected.body as unknown as Written).blockHeight);
    expect(rejectedView).toMatchObject({ status: "rejected", rejectionReason: "grid connection not verified" });
    const message = await waitFor("facility.rejected", () => eventOf("facility.rejected", secondId));
    expect(message.event.payload).toMatchObject({ reason: "grid connection not verified" });
  });

  it("follows a registration sent straight from an owner's wallet, outside the API, like its own", async () => {
    const owner = h.accounts.wallet_3;
    const register = async (name: string, capacityKwh: bigint) => {
      const transaction = await makeContractCall({
        contractAddress: h.accounts.deployer.address,
        contractName: "facility-registry",
        functionName: "register-facility",
        functionArgs: [Cl.stringUtf8(name), Cl.stringUtf8("Utrecht, NL"), Cl.uint(capacityKwh), Cl.uint(150)],
        senderKey: owner.secretKey,
        network: "devnet",
        client: { baseUrl: h.devnet.url },
        fee: 10_000,
        postConditionMode: PostConditionMode.Deny,
      });
      const broadcast = await broadcastTransaction({
        transaction,
        network: "devnet",
        client: { baseUrl: h.devnet.url },
      });
      expect("error" in broadcast).toBe(false);
      return `0x${broadcast.txid.replace(/^0x/, "")}`;
    };
    // First a facility larger than events can carry (any uint is valid on chain): it must not stop the follower.
    const oversizedTxid = await register("Oversized", 2n ** 100n);
    const txid = await register("Wallet Battery", 750n);

    const message = await waitFor("facility.registered from the wallet", () =>
      h.received.find((r) => r.subject === "facility.registered" && r.event.chain?.txId === txid),
    );
    expect(message.event.payload).toMatchObject({ owner: owner.address, name: "Wallet Battery", capacityKwh: 750 });
    const view = await facilityInReadModel(message.event.facilityId!, message.event.chain!.blockHeight);
    expect(view).toMatchObject({ owner: owner.address, status: "pending", registeredTxid: txid });
    expect(h.received.some((r) => r.event.chain?.txId === oversizedTxid)).toBe(false);
    // Not sent by the service, so not in its journal.
    expect((await call(h, "GET", `/transactions/${txid}`, { key: h.keys.admin })).status).toBe(404);
    const listed = await call(h, "GET", `/facilities?owner=${owner.address}`);
    expect((listed.body.items as { name: string }[]).map((f) => f.name)).toEqual(["Wallet Battery"]);
  });

  it("refuses callers without credentials, with the wrong role or for a foreign principal, changing nothing", async () => {
    const before = await footprint();
    const wallet3Facility = (await call(h, "GET", `/facilities?owner=${h.accounts.wallet_3.address}`)).body.items as {
      id: number;
    }[];

    const anonymous = await call(h, "POST", "/facilities", { body: facility(h.accounts.wallet_1.address) });
    expect([anonymous.status, anonymous.body.code]).toEqual([401, "UNAUTHENTICATED"]);
    const badKey = await call(h, "POST", `/facilities/${registered.facilityId}/suspend`, { key: "nope", body: {} });
    expect([badKey.status, badKey.body.code]).toEqual([401, "INVALID_CREDENTIALS"]);
    const ownerApproves = await call(h, "POST", `/facilities/${registered.facilityId}/suspend`, {
      key: h.keys.owner,
      body: {},
    });
    expect([ownerApproves.status, ownerApproves.body.code]).toEqual([403, "ROLE_NOT_ALLOWED"]);
    const operatorRegisters = await call(h, "POST", "/facilities", {
      key: h.keys.operator,
      body: facility(h.accounts.wallet_2.address),
    });
    expect([operatorRegisters.status, operatorRegisters.body.code]).toEqual([403, "ROLE_NOT_ALLOWED"]);
    const foreignOwner = await call(h, "POST", "/facilities", {
      key: h.keys.owner,
      body: facility(h.accounts.wallet_3.address),
    });
    expect([foreignOwner.status, foreignOwner.body.code]).toEqual([403, "PRINCIPAL_NOT_ALLOWED"]);
    const foreignFacility = await call(
      h,
      "PUT",
      `/facilities/${wallet3Facility[0]!.id}/operators/${h.accounts.wallet_2.address}`,
      { key: h.keys.owner, body: { enabled: true } },
    );
    expect([foreignFacility.status, foreignFacility.body.code]).toEqual([403, "FACILITY_NOT_AUTHORIZED"]);
    const foreignAdmin = await call(h, "POST", `/facilities/${registered.facilityId}/suspend`, {
      key: h.keys.admin,
      body: { actAs: h.accounts.wallet_1.address },
    });
    expect([foreignAdmin.status, foreignAdmin.body.code]).toEqual([403, "PRINCIPAL_NOT_ALLOWED"]);

    // A block later still nothing: no transaction reached the chain or the database.
    const height = await h.devnet.mineBlock();
    // The follower has read the chain up to that block.
    expect(await h.service.app.get(VerificationSyncService).sync.syncToTip()).toBeGreaterThanOrEqual(height);
    expect(await footprint()).toEqual(before);
    // And says so on /metrics, for the dashboard's follower lag.
    const metrics = await (await fetch(`${h.service.baseUrl}/metrics`)).text();
    const followed = [...metrics.matchAll(/^voltstack_chain_follower_height\{follower="[^"]+"\} (\d+)$/gm)];
    expect(Math.max(...followed.map((match) => Number(match[1])))).toBeGreaterThanOrEqual(height);
    expect(metrics).toMatch(/^voltstack_chain_follower_last_pass_timestamp_seconds\{follower="[^"]+"\} \d/m);
  });

  it("refuses before signing what the registry would refuse, with its code and the facts behind it", async () => {
    const rejected = (await call(h, "GET", "/facilities?status=rejected")).body.items as { id: number }[];
    const rejectedId = rejected[0]!.id;
    const id = registered.facilityId;
    const before = await footprint();
    const cases: [string, string, string, unknown, number, string, unknown][] = [
      [
        `/facilities/${id}/reject`,
        "POST",
        h.keys.admin,
        { reason: "late" },
        409,
        "ERR_NOT_PENDING",
        { facilityId: id, status: "approved", requiredStatus: "pending" },
      ],
      [
        `/facilities/${id}/reinstate`,
        "POST",
        h.keys.admin,
        {},
        409,
        "ERR_NOT_SUSPENDED",
        { facilityId: id, status: "approved", requiredStatus: "suspended" },
      ],
      [
        `/facilities/${rejectedId}/suspend`,
        "POST",
        h.keys.admin,
        {},
        409,
        "ERR_NOT_APPROVED",
        { facilityId: rejectedId, status: "rejected", requiredStatus: "approved" },
      ],
      [
        `/facilities/${id}/suspend`,
        "POST",
        h.keys.formerAdmin,
        {},
        403,
        "ERR_NOT_ADMIN",
        { principal: h.accounts.wallet_3.address },
      ],
      [
        `/facilities/${id}/operators/${h.accounts.wallet_1.address}`,
        "PUT",
        h.keys.owner,
        { enabled: true },
        422,
        "ERR_OPERATOR_IS_OWNER",
        { facilityId: id, operator: h.accounts.wallet_1.address, owner: h.accounts.wallet_1.address },
      ],
    ];
    for (const [path, method, key, body, status, code, details] of cases) {
      const response = await call(h, method, path, { key, body });
      expect([path, response.status, response.body.code, response.body.details]).toEqual([path, status, code, details]);
    }
    expect(await footprint()).toEqual(before);
  });

  it("answers malformed bodies, wrong types, huge numbers and unknown ids with a 4xx and a clear code", async () => {
    const owner = h.accounts.wallet_1.address;
    const cases: [string, string, { body?: unknown; rawBody?: string }, number, string][] = [
      ["POST", "/facilities", { rawBody: '{"owner": ' }, 400, "MALFORMED_JSON"],
      ["POST", "/facilities", { body: { ...facility(owner), capacityKwh: "lots" } }, 400, "VALIDATION_FAILED"],
      ["POST", "/facilities", { body: { ...facility(owner), capacityKwh: 1e30 } }, 400, "VALIDATION_FAILED"],
      ["POST", "/facilities", { body: { ...facility(owner), maxPowerKw: -5 } }, 400, "VALIDATION_FAILED"],
      ["POST", "/facilities", { body: { ...facility(owner), name: "" } }, 400, "VALIDATION_FAILED"],
      ["POST", "/facilities", { body: { ...facility(owner), extra: 1 } }, 400, "VALIDATION_FAILED"],
      ["POST", "/facilities/abc/approve", { body: {} }, 400, "VALIDATION_FAILED"],
      ["POST", "/facilities/99999999999/approve", { body: {} }, 400, "VALIDATION_FAILED"],
      ["POST", "/facilities/999999/approve", { body: {} }, 404, "FACILITY_NOT_FOUND"],
      ["POST", `/facilities/${registered.facilityId}/reject`, { body: { reason: "é" } }, 400, "VALIDATION_FAILED"],
    ];
    for (const [method, path, options, status, code] of cases) {
      const key = path.endsWith("/approve") || path.endsWith("/reject") ? h.keys.admin : h.keys.owner;
      const response = await call(h, method, path, { key, ...options });
      expect([method, path, response.status, response.body.code]).toEqual([method, path, status, code]);
      expect(typeof response.body.message).toBe("string");
    }
    expect((await call(h, "GET", "/facilities/424242")).body.code).toBe("FACILITY_NOT_FOUND");
    expect((await call(h, "GET", "/facilities?status=lost")).status).toBe(400);
    expect((await call(h, "GET", "/facilities?limit=1000")).status).toBe(400);
  });

  it("pages and filters the read model", async () => {
    const first = await call(h, "GET", "/facilities?limit=1");
    expect((first.body.items as unknown[]).length).toBe(1);
    const next = await call(h, "GET", `/facilities?limit=10&after=${first.body.nextAfter as number}`);
    expect((next.body.items as { id: number }[]).every((f) => f.id > (first.body.nextAfter as number))).toBe(true);
    const approved = await call(h, "GET", "/facilities?status=approved");
    expect((approved.body.items as { id: number }[]).map((f) => f.id)).toEqual([registered.facilityId]);
  });

  it("rewinds by itself past an applied event the chain no longer holds, and says so on chain.reorganized", async () => {
    const facilitySync = h.service.app.get(VerificationSyncService);
    // An event the follower applied on a branch that a fork then orphaned: in its ledger,
    // above everything the chain now holds, and nowhere in the contract's log.
    const { rows } = await h.db.query<{ height: number }>(
      "SELECT max(block_height)::int AS height FROM chain_followed_events",
    );
    const orphanedHeight = rows[0]!.height + 1;
    const orphanedTxid = "ab".repeat(32);
    await h.db.query(
      `INSERT INTO chain_followed_events (follower_id, txid, event_index, block_height, tx_index, block_hash)
       SELECT follower_id, $1, 0, $2, 0, $3 FROM chain_followed_events LIMIT 1`,
      [orphanedTxid, orphanedHeight, `0x${"0".repeat(64)}`],
    );
    // The next change to the contract's log makes the follower read it again.
    const response = await call(h, "POST", "/facilities", {
      key: h.keys.owner,
      body: { ...facility(h.accounts.wallet_1.address), name: "After the fork" },
    });
    expect(response.status).toBe(201);
    const after = response.body as unknown as Written;
    await facilityInReadModel(after.facilityId, after.blockHeight);
    const ledger = await h.db.query("SELECT 1 FROM chain_followed_events WHERE txid = $1", [orphanedTxid]);
    expect(ledger.rows).toEqual([]);
    const outbox = await h.db.query<{ payload: { payload: unknown } }>(
      "SELECT payload FROM outbox WHERE subject = 'chain.reorganized'",
    );
    expect(outbox.rows.map((row) => row.payload.payload)).toEqual([
      {
        contract: "facility-registry",
        fromHeight: orphanedHeight,
        orphaned: [{ txId: `0x${orphanedTxid}`, eventIndex: 0, blockHeight: orphanedHeight, eventIds: [] }],
        moved: [],
      },
    ]);
    await expect(facilitySync.sync.syncToTip()).resolves.toBeGreaterThanOrEqual(after.blockHeight);
  });

  it("rebuilds the same read model from height 0 without publishing anything again", async () => {
    const snapshot = async () => (await call(h, "GET", "/facilities?limit=100")).body;
    const counts = async () => {
      const jsm = await jetstreamManager(h.nats);
      const { rows } = await h.db.query(
        "SELECT (SELECT count(*)::int FROM outbox) AS outbox, (SELECT count(*)::int FROM chain_events) AS ledger",
      );
      return { ...rows[0], stream: (await jsm.streams.info(h.streamName)).state.messages };
    };
    const before = await snapshot();
    const countsBefore = await counts();
    const received = h.received.length;
    // Damage the read model, so only a real rebuild from the chain gives the snapshot back.
    await h.db.query("UPDATE facilities SET status = 'pending', name = 'damaged', last_height = 0");
    await h.db.query("DELETE FROM facility_operators");
    expect(await snapshot()).not.toEqual(before);

    const response = await call(h, "POST", "/admin/resync", { key: h.keys.admin, body: { fromHeight: 0 } });
    expect(response.status).toBe(200);
    expect(response.body.syncedHeight).toBeGreaterThan(0);

    expect(await snapshot()).toEqual(before);
    expect(await counts()).toEqual(countsBefore);
    await h.nats.flush();
    expect(h.received.length).toBe(received);
    expect((await call(h, "POST", "/admin/resync", { key: h.keys.owner, body: { fromHeight: 0 } })).status).toBe(403);
  });

  it("re-publishes under the same ids when even the ledger is lost, so JetStream keeps one copy of each", async () => {
    const ledger = async () =>
      (await h.db.query<{ id: string }>("SELECT event_id::text AS id FROM chain_events ORDER BY 1")).rows.map(
        (r) => r.id,
      );
    const ids = await ledger();
    const jsm = await jetstreamManager(h.nats);
    const stored = (await jsm.streams.info(h.streamName)).state.messages;
    const received = h.received.length;
    await h.db.query("DELETE FROM chain_events");
    await h.db.query("DELETE FROM outbox");

    const response = await call(h, "POST", "/admin/resync", { key: h.keys.admin, body: { fromHeight: 0 } });
    expect(response.status).toBe(200);
    expect(await ledger()).toEqual(ids);
    await waitFor("the relay to publish the re-enqueued events", async () => {
      const { rows } = await h.db.query("SELECT count(*)::int AS n FROM outbox WHERE sent_at IS NULL");
      return rows[0].n === 0 && h.received.length >= received + ids.length;
    });
    const republished = h.received.slice(received).map((r) => r.event.eventId);
    expect(new Set(republished)).toEqual(new Set(ids));
    expect((await jsm.streams.info(h.streamName)).state.messages).toBe(stored);
  });

  it("lets admins list and replay dead letters, under the event's original id", async () => {
    const original = eventOf("facility.registered", registered.facilityId)!.event;
    const { rows } = await h.db.query<{ id: string }>(
      `INSERT INTO dead_letters (id, consumer, event_id, subject, stream, stream_seq, payload, error_code, error_message, deliveries)
       VALUES (gen_random_uuid(), 'capacity__facility_registered', $1, 'facility.registered', 'FACILITIES', 1, $2, 'HANDLER_FAILED', 'boom', 5)
       RETURNING id::text AS id`,
      [original.eventId, Buffer.from(JSON.stringify(original))],
    );
    const id = rows[0]!.id;
    expect((await call(h, "GET", "/dead-letters", { key: h.keys.owner })).status).toBe(403);
    const listed = await call(h, "GET", "/dead-letters", { key: h.keys.admin });
    expect(listed.body.items).toEqual([expect.objectContaining({ id, errorCode: "HANDLER_FAILED", deliveries: 5 })]);

    const before = h.received.filter((r) => r.event.eventId === original.eventId).length;
    const replayed = await call(h, "POST", `/dead-letters/${id}/replay`, { key: h.keys.admin });
    expect(replayed.status).toBe(200);
    expect(replayed.body.replayCount).toBe(1);
    await waitFor(
      "the replayed event",
      () => h.received.filter((r) => r.event.eventId === original.eventId).length > before,
    );
    const unknown = await call(h, "POST", `/dead-letters/${"0".repeat(8)}-0000-4000-8000-${"0".repeat(12)}/replay`, {
      key: h.keys.admin,
    });
    expect([unknown.status, unknown.body.code]).toEqual([404, "DEAD_LETTER_NOT_FOUND"]);
  });

  it("serves its OpenAPI document with every operation", async () => {
    const { status, body } = await call(h, "GET", "/docs/json");
    expect(status).toBe(200);
    expect(Object.keys(body.paths as object)).toEqual(
      expect.arrayContaining([
        "/facilities",
        "/facilities/{id}",
        "/facilities/{id}/approve",
        "/facilities/{id}/reject",
        "/facilities/{id}/suspend",
        "/facilities/{id}/reinstate",
        "/facilities/{id}/operators/{principal}",
        "/transactions",
        "/transactions/{txid}",
        "/admin/resync",
        "/dead-letters",
        "/dead-letters/{id}/replay",
      ]),
    );
  });
});
