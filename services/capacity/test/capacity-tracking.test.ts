import { Cl, PostConditionMode } from "@stacks/transactions";
import { jetstreamManager } from "@nats-io/jetstream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CapacitySyncService } from "../src/chain-sync/capacity-sync.service.js";
import type { EventJson } from "@voltstack/events";
import {
  type Account,
  call,
  consumerCaughtUp,
  type Harness,
  MIN_CHANGE_KWH,
  publishAsReplay,
  publishFacilityApproved,
  type Received,
  startHarness,
  waitFor,
  walletCall,
} from "./support/capacity-harness.js";

// The capacity service end to end: facility.approved on NATS -> ready; HTTP -> use case
// -> signed call on the devnet -> confirmed -> the follower sees the capacity-tracking
// print -> read model + outbox in one transaction -> relay -> NATS. Real devnet,
// PostgreSQL and NATS; the tests run in order on one chain.

let h: Harness;

type Written = { facilityId: number; txid: string; blockHeight: number };
type Reading = {
  readingId: string;
  facilityId: number;
  storedKwh: number;
  outcome: string;
  written: boolean;
  reason: string | null;
  txid: string | null;
  blockHeight: number | null;
};

/** Registers a facility from its owner's wallet and, unless told otherwise, approves it from the admin's. */
async function facilityOnChain(
  owner: Account,
  capacityKwh: number,
  approve = true,
): Promise<{ id: number; approval?: { txId: string; blockHeight: number } }> {
  const registered = await walletCall(h, owner, "facility-registry", "register-facility", [
    Cl.stringUtf8("Battery"),
    Cl.stringUtf8("Rotterdam, NL"),
    Cl.uint(capacityKwh),
    Cl.uint(500),
  ]);
  const id = Number(/^\(ok u(\d+)\)$/.exec(registered.result)![1]);
  if (!approve) return { id };
  const approved = await walletCall(h, h.accounts.deployer, "facility-registry", "approve-facility", [Cl.uint(id)]);
  expect(approved.result).toBe("(ok true)");
  return { id, approval: { txId: approved.txid, blockHeight: approved.blockHeight } };
}

function eventsOf(type: string, facilityId: number): Received[] {
  return h.received.filter((r) => r.subject === type && r.event.facilityId === facilityId);
}

async function capacityAt(id: number, lastHeight: number): Promise<Record<string, unknown>> {
  return waitFor(`capacity of ${id} at height ${lastHeight} in the read model`, async () => {
    const { status, body } = await call(h, "GET", `/facilities/${id}/capacity`);
    return status === 200 && (body.lastHeight as number) >= lastHeight ? body : undefined;
  });
}

async function eventWithTx(type: string, txid: string): Promise<EventJson> {
  const message = await waitFor(`${type} of ${txid}`, () =>
    h.received.find((r) => r.subject === type && r.event.chain?.txId === txid),
  );
  return message.event;
}

/** Lets the readings of a facility count as written long ago, so the minimum interval has passed. */
async function ageReadings(facilityId: number): Promise<void> {
  await h.db.query("UPDATE readings SET received_at = received_at - interval '1 day' WHERE facility_id = $1", [
    facilityId,
  ]);
}

/** What a refusal must leave untouched: the journal, the read models, the readings, the outbox and the chain. */
async function footprint(): Promise<unknown> {
  const { rows } = await h.db.query(
    `SELECT (SELECT count(*)::int FROM chain_transactions) AS journal,
            (SELECT count(*)::int FROM readings) AS readings,
            (SELECT count(*)::int FROM capacities) AS capacities,
            (SELECT count(*)::int FROM outbox) AS outbox,
            (SELECT json_agg(stored_kwh ORDER BY facility_id) FROM capacities) AS stored`,
  );
  const nonces = await Promise.all(
    [h.accounts.wallet_1, h.accounts.wallet_2].map(async (a) => {
      const response = await fetch(`${h.devnet.url}/extended/v1/address/${a.address}/nonces`);
      return ((await response.json()) as { possible_next_nonce: number }).possible_next_nonce;
    }),
  );
  return { ...rows[0], nonces };
}

let owned: { id: number; approval?: { txId: string; blockHeight: number } };
let foreign: { id: number; approval?: { txId: string; blockHeight: number } };
let awaiting: { id: number; approval?: { txId: string; blockHeight: number } };
let pending: { id: number };
let approvedEvent: EventJson<"facility.approved">;

beforeAll(async () => {
  h = await startHarness();
  owned = await facilityOnChain(h.accounts.wallet_1, 2000);
  foreign = await facilityOnChain(h.accounts.wallet_3, 1000);
  awaiting = await facilityOnChain(h.accounts.wallet_1, 800);
  pending = await facilityOnChain(h.accounts.wallet_1, 300, false);
}, 60_000);

afterAll(async () => {
  await h?.close();
});

describe("capacity service", () => {
  it("marks a facility ready for initialisation on facility.approved, once per event", async () => {
    for (const [facility, owner, capacityKwh] of [
      [owned, h.accounts.wallet_1, 2000],
      [foreign, h.accounts.wallet_3, 1000],
      [awaiting, h.accounts.wallet_1, 800],
    ] as const) {
      const event = await publishFacilityApproved(
        h,
        {
          facilityId: facility.id,
          owner: owner.address,
          capacityKwh,
          maxPowerKw: 500,
          admin: h.accounts.deployer.address,
        },
        facility.approval!,
      );
      if (facility === owned) approvedEvent = event;
    }
    const ready = await waitFor("three facilities awaiting initialisation", async () => {
      const { body } = await call(h, "GET", "/facilities/awaiting-initialisation");
      return (body.items as unknown[]).length === 3 ? body : undefined;
    });
    expect(ready.items).toEqual([
      { facilityId: owned.id, owner: h.accounts.wallet_1.address, capacityKwh: 2000 },
      { facilityId: foreign.id, owner: h.accounts.wallet_3.address, capacityKwh: 1000 },
      { facilityId: awaiting.id, owner: h.accounts.wallet_1.address, capacityKwh: 800 },
    ]);
    const notYet = await call(h, "GET", `/facilities/${owned.id}/capacity`);
    expect([notYet.status, notYet.body.code, notYet.body.details]).toEqual([
      404,
      "CAPACITY_NOT_INITIALIZED",
      { facilityId: owned.id, readyForInitialisation: true },
    ]);

    // Delivered again under the same event id: the inbox skips it, so a changed row stays changed.
    await h.db.query("UPDATE approved_facilities SET approved_height = 0 WHERE id = $1", [owned.id]);
    await publishAsReplay(h, approvedEvent);
    await consumerCaughtUp(h, "capacity", "facility.approved");
    const { rows } = await h.db.query("SELECT approved_height FROM approved_facilities WHERE id = $1", [owned.id]);
    expect(rows).toEqual([{ approved_height: 0 }]);
    const inbox = await h.db.query("SELECT count(*)::int AS n FROM inbox WHERE event_id = $1", [approvedEvent.eventId]);
    expect(inbox.rows).toEqual([{ n: 1 }]);
    await h.db.query("UPDATE approved_facilities SET approved_height = $2 WHERE id = $1", [
      owned.id,
      owned.approval!.blockHeight,
    ]);
  });

  it("dead-letters a facility.approved it can never apply, for admins to see", async () => {
    await h.nats.publish(`${h.subjectPrefix}facility.approved`, JSON.stringify({ facilityId: "not an event" }));
    await consumerCaughtUp(h, "capacity", "facility.approved");
    const letters = await waitFor("the dead letter", async () => {
      const { body } = await call(h, "GET", "/dead-letters", { key: h.keys.admin });
      return (body.items as unknown[]).length > 0 ? body.items : undefined;
    });
    expect(letters).toEqual([
      expect.objectContaining({
        consumer: "capacity__facility_approved",
        subject: "facility.approved",
        errorCode: "EVENT_INVALID",
      }),
    ]);
    expect((await call(h, "GET", "/dead-letters", { key: h.keys.owner })).status).toBe(403);
  });

  it("initialises capacity for the owner: confirmed, in the read model, capacity.initialized on NATS", async () => {
    const response = await call(h, "POST", `/facilities/${owned.id}/capacity`, {
      key: h.keys.owner,
      body: { storedKwh: 1200 },
    });
    expect(response.status).toBe(201);
    const written = response.body as unknown as Written;
    expect(written).toMatchObject({ facilityId: owned.id, txid: expect.stringMatching(/^0x[0-9a-f]{64}$/) });

    const view = await capacityAt(owned.id, written.blockHeight);
    expect(view).toMatchObject({
      facilityId: owned.id,
      totalKwh: 2000,
      storedKwh: 1200,
      reservedKwh: 0,
      availableKwh: 1200,
      lastReason: "initialized",
      initializedTxid: written.txid,
      initializedHeight: written.blockHeight,
    });
    const event = await eventWithTx("capacity.initialized", written.txid);
    expect(event.chain).toEqual({ txId: written.txid, blockHeight: written.blockHeight });
    expect(event.payload).toEqual({
      facilityId: owned.id,
      totalKwh: 2000,
      storedKwh: 1200,
      reservedKwh: 0,
      availableKwh: 1200,
    });
    const sent = await h.db.query("SELECT traceparent FROM chain_transactions WHERE txid = $1", [written.txid]);
    expect(event.traceContext).toEqual({ traceparent: sent.rows[0].traceparent });
    const ready = await call(h, "GET", "/facilities/awaiting-initialisation");
    expect((ready.body.items as { facilityId: number }[]).map((f) => f.facilityId)).not.toContain(owned.id);
  });

  it("refuses initialising twice before signing: 409 ERR_ALREADY_INITIALIZED with the levels, nothing sent", async () => {
    const before = await footprint();
    const response = await call(h, "POST", `/facilities/${owned.id}/capacity`, {
      key: h.keys.owner,
      body: { storedKwh: 100 },
    });
    expect([response.status, response.body.code, response.body.details]).toEqual([
      409,
      "ERR_ALREADY_INITIALIZED",
      { facilityId: owned.id, initializedHeight: expect.any(Number), totalKwh: 2000, storedKwh: 1200 },
    ]);
    expect(await footprint()).toEqual(before);
  });

  it("acknowledges a reading below the minimum change without writing it", async () => {
    const response = await call(h, "POST", `/facilities/${owned.id}/readings`, {
      key: h.keys.owner,
      body: { storedKwh: 1200 + MIN_CHANGE_KWH - 1 },
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      facilityId: owned.id,
      outcome: "skipped",
      written: false,
      reason: "BELOW_MIN_CHANGE",
      txid: null,
    });
    const journal = await h.db.query("SELECT count(*)::int AS n FROM chain_transactions WHERE function_name = $1", [
      "update-capacity",
    ]);
    expect(journal.rows).toEqual([{ n: 0 }]);
  });

  it("writes a reading that passes the thresholds: capacity.updated with reason reading", async () => {
    const response = await call(h, "POST", `/facilities/${owned.id}/readings`, {
      key: h.keys.owner,
      body: { storedKwh: 1500, measuredAt: "2026-11-24T07:00:00Z" },
    });
    expect(response.status).toBe(200);
    const reading = response.body as unknown as Reading;
    expect(reading).toMatchObject({ outcome: "written", written: true, reason: null, storedKwh: 1500 });
    const view = await capacityAt(owned.id, reading.blockHeight!);
    expect(view).toMatchObject({ storedKwh: 1500, availableKwh: 1500, lastReason: "reading" });
    const event = await eventWithTx("capacity.updated", reading.txid!);
    expect(event.payload).toEqual({
      facilityId: owned.id,
      reason: "reading",
      totalKwh: 2000,
      storedKwh: 1500,
      reservedKwh: 0,
      availableKwh: 1500,
    });
  });

  it("holds back a large change inside the minimum interval, and writes it once the interval passed", async () => {
    const early = await call(h, "POST", `/facilities/${owned.id}/readings`, {
      key: h.keys.owner,
      body: { storedKwh: 900 },
    });
    expect(early.body).toMatchObject({ outcome: "skipped", written: false, reason: "WITHIN_MIN_INTERVAL" });
    await ageReadings(owned.id);
    const later = await call(h, "POST", `/facilities/${owned.id}/readings`, {
      key: h.keys.owner,
      body: { storedKwh: 900 },
    });
    expect(later.body).toMatchObject({ outcome: "written", written: true });
    await capacityAt(owned.id, (later.body as unknown as Reading).blockHeight!);
  });

  it("refuses a single reading above the total before signing and records nothing (422 ERR_STORED_EXCEEDS_TOTAL with the figures); in a batch it is recorded as failed", async () => {
    await ageReadings(owned.id);
    const before = await footprint();
    const response = await call(h, "POST", `/facilities/${owned.id}/readings`, {
      key: h.keys.owner,
      body: { storedKwh: 2500 },
    });
    expect([response.status, response.body.code, response.body.details]).toEqual([
      422,
      "ERR_STORED_EXCEEDS_TOTAL",
      { facilityId: owned.id, storedKwh: 2500, totalKwh: 2000, reservedKwh: 0 },
    ]);
    // Bad input changes nothing: no transaction signed, no reading logged.
    expect(await footprint()).toEqual(before);

    const batched = await call(h, "POST", "/readings/batch", {
      key: h.keys.owner,
      body: { readings: [{ facilityId: owned.id, storedKwh: 2500 }] },
    });
    expect(batched.status).toBe(200);
    expect((batched.body.results as Reading[]).map((r) => [r.outcome, r.written, r.reason, r.txid])).toEqual([
      ["failed", false, "ERR_STORED_EXCEEDS_TOTAL", null],
    ]);
    const { rows } = await h.db.query(
      "SELECT outcome, detail FROM readings WHERE facility_id = $1 AND stored_kwh = 2500",
      [owned.id],
    );
    expect(rows).toEqual([{ outcome: "failed", detail: "ERR_STORED_EXCEEDS_TOTAL" }]);
    // Refused before signing in the batch too: the journal did not grow.
    expect(((await footprint()) as { journal: number }).journal).toBe((before as { journal: number }).journal);
  });

  it("follows capacity initialised and updated straight from an owner's wallet, like its own", async () => {
    const init = await walletCall(h, h.accounts.wallet_3, "capacity-tracking", "initialize-capacity", [
      Cl.uint(foreign.id),
      Cl.uint(400),
    ]);
    expect(init.result).toBe("(ok true)");
    const update = await walletCall(h, h.accounts.wallet_3, "capacity-tracking", "update-capacity", [
      Cl.uint(foreign.id),
      Cl.uint(650),
    ]);
    expect(update.result).toBe("(ok true)");
    const initialized = await eventWithTx("capacity.initialized", init.txid);
    expect(initialized).toMatchObject({
      facilityId: foreign.id,
      chain: { txId: init.txid, blockHeight: init.blockHeight },
      payload: { storedKwh: 400, totalKwh: 1000 },
    });
    const updated = await eventWithTx("capacity.updated", update.txid);
    expect(updated.payload).toMatchObject({ reason: "reading", storedKwh: 650, availableKwh: 650 });
    const view = await capacityAt(foreign.id, update.blockHeight);
    expect(view).toMatchObject({ storedKwh: 650, initializedTxid: init.txid, lastTxid: update.txid });
    // Not sent by the service, so not in its journal.
    expect((await call(h, "GET", `/transactions/${init.txid}`, { key: h.keys.admin })).status).toBe(404);
  });

  it("follows reservations by grid-services and charges by charge-discharge from the contract's own prints", async () => {
    const request = await walletCall(
      h,
      h.accounts.deployer,
      "grid-services",
      "create-service-request",
      [Cl.stringAscii("frequency-regulation"), Cl.uint(100), Cl.uint(200), Cl.uint(5_000_000), Cl.uint(100_000)],
      // The escrow moves the admin's STX into the contract.
      { postConditionMode: PostConditionMode.Allow },
    );
    const requestId = Number(/^\(ok u(\d+)\)$/.exec(request.result)![1]);
    const accepted = await walletCall(h, h.accounts.wallet_3, "grid-services", "accept-request", [
      Cl.uint(requestId),
      Cl.uint(foreign.id),
    ]);
    expect(accepted.result).toBe("(ok true)");
    const reserved = await eventWithTx("capacity.updated", accepted.txid);
    expect(reserved.payload).toEqual({
      facilityId: foreign.id,
      reason: "reserved",
      totalKwh: 1000,
      storedKwh: 650,
      reservedKwh: 200,
      availableKwh: 450,
    });
    const charged = await walletCall(h, h.accounts.wallet_3, "charge-discharge", "record-charge", [
      Cl.uint(foreign.id),
      Cl.uint(100),
    ]);
    expect(charged.result).toMatch(/^\(ok u\d+\)$/);
    const charge = await eventWithTx("capacity.updated", charged.txid);
    expect(charge.payload).toMatchObject({ reason: "charge", storedKwh: 750, reservedKwh: 200, availableKwh: 550 });
    const view = await capacityAt(foreign.id, charged.blockHeight);
    expect(view).toMatchObject({ storedKwh: 750, reservedKwh: 200, availableKwh: 550, lastReason: "charge" });
  });

  it("takes a batch from an operator's BMS: newest reading per facility, says which were written", async () => {
    const enabled = await walletCall(h, h.accounts.wallet_1, "facility-registry", "set-operator", [
      Cl.uint(owned.id),
      Cl.principal(h.accounts.wallet_2.address),
      Cl.bool(true),
    ]);
    expect(enabled.result).toBe("(ok true)");
    await ageReadings(owned.id);
    const response = await call(h, "POST", "/readings/batch", {
      key: h.keys.operator,
      body: {
        readings: [
          { facilityId: owned.id, storedKwh: 1000, measuredAt: "2026-11-24T07:01:00Z" },
          { facilityId: owned.id, storedKwh: 1400, measuredAt: "2026-11-24T07:03:00Z" },
          { facilityId: owned.id, storedKwh: 1100, measuredAt: "2026-11-24T07:02:00Z" },
        ],
      },
    });
    expect(response.status).toBe(200);
    const results = response.body.results as Reading[];
    expect(results.map((r) => [r.facilityId, r.storedKwh, r.outcome, r.reason])).toEqual([
      [owned.id, 1000, "superseded", "SUPERSEDED"],
      [owned.id, 1400, "written", null],
      [owned.id, 1100, "superseded", "SUPERSEDED"],
    ]);
    expect(response.body.written).toBe(1);
    const txid = results[1]!.txid!;
    const journal = await call(h, "GET", `/transactions/${txid}`, { key: h.keys.operator });
    expect(journal.body).toMatchObject({ sender: h.accounts.wallet_2.address, status: "confirmed" });
    const event = await eventWithTx("capacity.updated", txid);
    expect(event.payload).toMatchObject({ storedKwh: 1400 });
  });

  it("refuses before signing what the contract would refuse, with its code and the figures", async () => {
    // wallet_2 (whose key the service holds) becomes an operator of the foreign facility, not of `awaiting`.
    const enabled = await walletCall(h, h.accounts.wallet_3, "facility-registry", "set-operator", [
      Cl.uint(foreign.id),
      Cl.principal(h.accounts.wallet_2.address),
      Cl.bool(true),
    ]);
    expect(enabled.result).toBe("(ok true)");
    const before = await footprint();
    const cases: [string, string, string, unknown, number, string, unknown][] = [
      [
        "an operator naming itself in actAs on a facility it does not operate",
        `/facilities/${awaiting.id}/capacity`,
        h.keys.operator,
        { storedKwh: 100, actAs: h.accounts.wallet_2.address },
        403,
        "FACILITY_NOT_AUTHORIZED",
        { facilityId: awaiting.id, principal: h.accounts.wallet_2.address, owner: h.accounts.wallet_1.address },
      ],
      [
        "more stored energy than the registered capacity",
        `/facilities/${awaiting.id}/capacity`,
        h.keys.owner,
        { storedKwh: 801 },
        422,
        "ERR_STORED_EXCEEDS_TOTAL",
        { facilityId: awaiting.id, storedKwh: 801, totalKwh: 800 },
      ],
      [
        "a reading below the energy reserved for grid services",
        `/facilities/${foreign.id}/readings`,
        h.keys.operator,
        { storedKwh: 150 },
        422,
        "ERR_BELOW_RESERVED",
        { facilityId: foreign.id, storedKwh: 150, totalKwh: 1000, reservedKwh: 200 },
      ],
    ];
    for (const [what, path, key, body, status, code, details] of cases) {
      const response = await call(h, "POST", path, { key, body });
      expect([what, response.status, response.body.code, response.body.details]).toEqual([what, status, code, details]);
    }
    const suspended = await walletCall(h, h.accounts.deployer, "facility-registry", "suspend-facility", [
      Cl.uint(awaiting.id),
    ]);
    expect(suspended.result).toBe("(ok true)");
    const response = await call(h, "POST", `/facilities/${awaiting.id}/capacity`, {
      key: h.keys.owner,
      body: { storedKwh: 100 },
    });
    expect([response.status, response.body.code, response.body.details]).toEqual([
      409,
      "ERR_FACILITY_NOT_APPROVED",
      { facilityId: awaiting.id, status: "suspended" },
    ]);
    // Nothing moved, on chain or here: not even the refused reading is logged.
    expect(await footprint()).toEqual(before);
  });

  it("refuses callers without credentials, with the wrong role or for a foreign facility, changing nothing", async () => {
    const before = await footprint();
    const reading = { storedKwh: 100 };
    const cases: [string, string, string | undefined, unknown, number, string][] = [
      ["POST", `/facilities/${owned.id}/readings`, undefined, reading, 401, "UNAUTHENTICATED"],
      ["POST", `/facilities/${owned.id}/capacity`, "nope", reading, 401, "INVALID_CREDENTIALS"],
      ["POST", `/facilities/${owned.id}/readings`, h.keys.admin, reading, 403, "ROLE_NOT_ALLOWED"],
      [
        "POST",
        "/readings/batch",
        h.keys.admin,
        { readings: [{ facilityId: owned.id, ...reading }] },
        403,
        "ROLE_NOT_ALLOWED",
      ],
      ["POST", `/facilities/${awaiting.id}/capacity`, h.keys.stranger, reading, 403, "FACILITY_NOT_AUTHORIZED"],
      ["POST", `/facilities/${owned.id}/readings`, h.keys.stranger, reading, 403, "FACILITY_NOT_AUTHORIZED"],
      [
        "POST",
        "/readings/batch",
        h.keys.owner,
        {
          readings: [
            { facilityId: owned.id, ...reading },
            { facilityId: foreign.id, ...reading },
          ],
        },
        403,
        "FACILITY_NOT_AUTHORIZED",
      ],
      [
        "POST",
        `/facilities/${owned.id}/readings`,
        h.keys.owner,
        { ...reading, actAs: h.accounts.wallet_3.address },
        403,
        "PRINCIPAL_NOT_ALLOWED",
      ],
      ["POST", "/admin/resync", h.keys.owner, { fromHeight: 0 }, 403, "ROLE_NOT_ALLOWED"],
    ];
    for (const [method, path, key, body, status, code] of cases) {
      const response = await call(h, method, path, { ...(key ? { key } : {}), body });
      expect([path, key === undefined, response.status, response.body.code]).toEqual([
        path,
        key === undefined,
        status,
        code,
      ]);
    }
    // A block later still nothing: no transaction reached the chain or the database.
    const height = await h.devnet.mineBlock();
    // The follower has read the chain up to that block.
    expect(await h.service.app.get(CapacitySyncService).sync.syncToTip()).toBeGreaterThanOrEqual(height);
    expect(await footprint()).toEqual(before);
  });

  it("answers malformed bodies, wrong types, huge numbers, negative amounts and unknown ids with a 4xx and a code", async () => {
    const before = await footprint();
    const batch = (readings: unknown) => ({ readings });
    const cases: [string, { body?: unknown; rawBody?: string }, number, string][] = [
      [`/facilities/${owned.id}/readings`, { rawBody: '{"storedKwh": ' }, 400, "MALFORMED_JSON"],
      [`/facilities/${owned.id}/readings`, { body: { storedKwh: "lots" } }, 400, "VALIDATION_FAILED"],
      [`/facilities/${owned.id}/readings`, { body: { storedKwh: 1e30 } }, 400, "VALIDATION_FAILED"],
      [`/facilities/${owned.id}/readings`, { body: { storedKwh: -5 } }, 400, "VALIDATION_FAILED"],
      [`/facilities/${owned.id}/readings`, { body: { storedKwh: 1.5 } }, 400, "VALIDATION_FAILED"],
      [`/facilities/${owned.id}/readings`, { body: { storedKwh: 5, extra: 1 } }, 400, "VALIDATION_FAILED"],
      [
        `/facilities/${owned.id}/readings`,
        { body: { storedKwh: 5, measuredAt: "yesterday" } },
        400,
        "VALIDATION_FAILED",
      ],
      [`/facilities/${owned.id}/capacity`, { body: { storedKwh: -1 } }, 400, "VALIDATION_FAILED"],
      ["/facilities/abc/readings", { body: { storedKwh: 5 } }, 400, "VALIDATION_FAILED"],
      ["/facilities/99999999999/capacity", { body: { storedKwh: 5 } }, 400, "VALIDATION_FAILED"],
      ["/facilities/999999/readings", { body: { storedKwh: 5 } }, 404, "FACILITY_NOT_FOUND"],
      ["/facilities/999999/capacity", { body: { storedKwh: 5 } }, 404, "FACILITY_NOT_FOUND"],
      [`/facilities/${pending.id}/capacity`, { body: { storedKwh: 5 } }, 404, "FACILITY_NOT_FOUND"],
      [`/facilities/${awaiting.id}/readings`, { body: { storedKwh: 5 } }, 409, "CAPACITY_NOT_INITIALIZED"],
      ["/readings/batch", { body: batch([]) }, 400, "VALIDATION_FAILED"],
      ["/readings/batch", { body: batch({ facilityId: owned.id, storedKwh: 5 }) }, 400, "VALIDATION_FAILED"],
      ["/readings/batch", { body: batch([{ facilityId: -1, storedKwh: 5 }]) }, 400, "VALIDATION_FAILED"],
      [
        "/readings/batch",
        { body: batch(Array.from({ length: 501 }, () => ({ facilityId: owned.id, storedKwh: 5 }))) },
        400,
        "VALIDATION_FAILED",
      ],
      [
        "/readings/batch",
        {
          body: batch([
            { facilityId: owned.id, storedKwh: 5 },
            { facilityId: 999999, storedKwh: 5 },
          ]),
        },
        404,
        "FACILITY_NOT_FOUND",
      ],
    ];
    for (const [path, options, status, code] of cases) {
      const response = await call(h, "POST", path, { key: h.keys.owner, ...options });
      expect([path, response.status, response.body.code]).toEqual([path, status, code]);
      expect(typeof response.body.message).toBe("string");
    }
    expect(await footprint()).toEqual(before);
    expect((await call(h, "GET", "/facilities/424242/capacity")).body).toMatchObject({
      code: "CAPACITY_NOT_INITIALIZED",
      details: { readyForInitialisation: false },
    });
    expect((await call(h, "GET", "/capacities?limit=1000")).status).toBe(400);
    expect((await call(h, "GET", "/capacities?after=x")).status).toBe(400);
  });

  it("pages the capacities", async () => {
    const first = await call(h, "GET", "/capacities?limit=1");
    expect((first.body.items as { facilityId: number }[]).map((c) => c.facilityId)).toEqual([owned.id]);
    expect(first.body.nextAfter).toBe(owned.id);
    const next = await call(h, "GET", `/capacities?limit=10&after=${owned.id}`);
    expect((next.body.items as { facilityId: number }[]).map((c) => c.facilityId)).toEqual([foreign.id]);
    expect(next.body.nextAfter).toBeNull();
  });

  it("rebuilds the same read model from height 0 without publishing anything again", async () => {
    const snapshot = async () => (await call(h, "GET", "/capacities?limit=100")).body;
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
    await h.db.query("UPDATE capacities SET stored_kwh = 1, available_kwh = 1, last_height = 0");
    expect(await snapshot()).not.toEqual(before);

    const response = await call(h, "POST", "/admin/resync", { key: h.keys.admin, body: { fromHeight: 0 } });
    expect(response.status).toBe(200);
    expect(await snapshot()).toEqual(before);
    expect(await counts()).toEqual(countsBefore);
    await h.nats.flush();
    expect(h.received.length).toBe(received);
    expect(eventsOf("capacity.initialized", owned.id)).toHaveLength(1);
  });

  it("serves its OpenAPI document with every operation", async () => {
    const { status, body } = await call(h, "GET", "/docs/json");
    expect(status).toBe(200);
    expect(Object.keys(body.paths as object)).toEqual(
      expect.arrayContaining([
        "/facilities/{id}/capacity",
        "/facilities/{id}/readings",
        "/facilities/awaiting-initialisation",
        "/readings/batch",
        "/capacities",
        "/transactions",
        "/transactions/{txid}",
        "/admin/resync",
        "/dead-letters",
        "/dead-letters/{id}/replay",
      ]),
    );
  });
});
