import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectOutOfRangeRefused, type OutOfRangeCase } from "@voltstack/service-testing";
import { VerificationSyncService } from "../src/chain-sync/verification-sync.service.js";
import { call, type Harness, startHarness, waitFor } from "./support/verification-harness.js";

// Bounded admin operations on the real devnet, PostgreSQL and NATS: integers beyond their
// column refused with the bound, a re-sync above the tip refused without changing anything,
// a checkpoint above the tip repaired, and dead letters discarded with a reason kept.

const INTEGER_MAX = 2_147_483_647;
const FOLLOWER = "verification:facility-registry";

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
}, 180_000);

afterAll(async () => {
  await h?.close();
});

const journalSize = async () =>
  (await h.db.query<{ n: number }>("SELECT count(*)::int AS n FROM chain_transactions")).rows[0]!.n;

const checkpoint = async () =>
  (await h.db.query<{ height: number }>("SELECT height FROM chain_checkpoints WHERE follower_id = $1", [FOLLOWER]))
    .rows[0]?.height;

async function register(name: string): Promise<{ facilityId: number; blockHeight: number }> {
  const response = await call(h, "POST", "/facilities", {
    key: h.keys.owner,
    body: { owner: h.accounts.wallet_1.address, name, location: "Ghent, BE", capacityKwh: 1000, maxPowerKw: 250 },
  });
  expect(response.status).toBe(201);
  return response.body as unknown as { facilityId: number; blockHeight: number };
}

describe("integers beyond their column", () => {
  const cases = (): (OutOfRangeCase & { name: string })[] => [
    {
      name: "a facility id in the path",
      method: "GET",
      path: `/facilities/${INTEGER_MAX + 1}`,
      key: h.keys.admin,
      field: "",
      maximum: INTEGER_MAX,
    },
    {
      name: "the page cursor",
      method: "GET",
      path: `/facilities?after=${INTEGER_MAX + 1}`,
      key: h.keys.admin,
      field: "after",
      maximum: INTEGER_MAX,
    },
    {
      name: "the page size",
      method: "GET",
      path: "/facilities?limit=101",
      key: h.keys.admin,
      field: "limit",
      maximum: 100,
    },
    {
      name: "a capacity beyond a safe integer",
      method: "POST",
      path: "/facilities",
      key: h.keys.owner,
      body: { owner: h.accounts.wallet_1.address, name: "Big", location: "", capacityKwh: 2 ** 53, maxPowerKw: 1 },
      field: "capacityKwh",
      maximum: Number.MAX_SAFE_INTEGER,
    },
    {
      name: "the approved facility's id",
      method: "POST",
      path: `/facilities/${INTEGER_MAX + 1}/approve`,
      body: {},
      key: h.keys.admin,
      field: "",
      maximum: INTEGER_MAX,
    },
    {
      name: "the re-sync height",
      method: "POST",
      path: "/admin/resync",
      body: { fromHeight: INTEGER_MAX + 1 },
      key: h.keys.admin,
      field: "fromHeight",
      maximum: INTEGER_MAX,
    },
    {
      name: "the journal's page size",
      method: "GET",
      path: "/transactions?limit=101",
      key: h.keys.admin,
      field: "limit",
      maximum: 100,
    },
    {
      name: "the dead letters' page size",
      method: "GET",
      path: "/dead-letters?limit=101",
      key: h.keys.admin,
      field: "limit",
      maximum: 100,
    },
  ];

  it("answers 400 naming the field, the bound and the value, and signs nothing", async () => {
    const before = await journalSize();
    for (const sent of cases()) await expectOutOfRangeRefused(h, sent);
    expect(await journalSize()).toBe(before);
  });
});

describe("re-sync bounded by the chain's tip", () => {
  let tipHeight: number;

  it("refuses a height above the tip with both heights, and leaves the checkpoint where it was", async () => {
    await register("Before the refused re-sync");
    const before = await checkpoint();
    const response = await call(h, "POST", "/admin/resync", { key: h.keys.admin, body: { fromHeight: INTEGER_MAX } });
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({
      code: "RESYNC_ABOVE_TIP",
      details: { fromHeight: INTEGER_MAX, tipHeight: expect.any(Number) },
    });
    tipHeight = (response.body.details as { tipHeight: number }).tipHeight;
    expect(tipHeight).toBeLessThan(INTEGER_MAX);
    expect(await checkpoint()).toBe(before);
  });

  it("keeps following the chain after the refusal: a later registration reaches the read model", async () => {
    const later = await register("After the refused re-sync");
    const view = await waitFor(`facility ${later.facilityId} in the read model`, async () => {
      const { status, body } = await call(h, "GET", `/facilities/${later.facilityId}`);
      return status === 200 ? body : undefined;
    });
    expect(view).toMatchObject({ id: later.facilityId, name: "After the refused re-sync" });
    // The checkpoint moves on with the blocks read, as it could not from a height past the tip.
    expect(await checkpoint()).toBeGreaterThanOrEqual(later.blockHeight);
    expect(await checkpoint()).toBeLessThan(INTEGER_MAX - 1);
  });

  it("accepts a re-sync from the tip itself", async () => {
    const response = await call(h, "POST", "/admin/resync", { key: h.keys.admin, body: { fromHeight: tipHeight } });
    expect(response.status).toBe(200);
    expect(response.body.syncedHeight).toBeGreaterThanOrEqual(tipHeight);
  });

  it("moves a checkpoint found above the tip down to the tip", async () => {
    await h.db.query("UPDATE chain_checkpoints SET height = $2 WHERE follower_id = $1", [FOLLOWER, INTEGER_MAX - 1]);
    const synced = await h.service.app.get(VerificationSyncService).sync.syncToTip();
    const repaired = await checkpoint();
    expect(repaired).toBeLessThan(INTEGER_MAX - 1);
    // The tip the repair read is at or after the one the pass read.
    expect(repaired).toBeGreaterThanOrEqual(synced);
  });
});

describe("discarding a dead letter", () => {
  let id: string;
  const deadLetter = (path = "") => `/dead-letters/${id}${path}`;
  const listed = async (state?: string) =>
    (
      (await call(h, "GET", `/dead-letters${state ? `?state=${state}` : ""}`, { key: h.keys.admin })).body.items as {
        id: string;
      }[]
    ).map((letter) => letter.id);

  beforeAll(async () => {
    const { rows } = await h.db.query<{ id: string }>(
      `INSERT INTO dead_letters (id, consumer, event_id, subject, stream, stream_seq, payload, error_code, error_message, deliveries)
       VALUES (gen_random_uuid(), 'capacity__facility_registered', gen_random_uuid()::text, 'facility.registered', 'FACILITIES', 1, $1, 'FACILITY_UNKNOWN', 'no such facility', 1)
       RETURNING id::text AS id`,
      [Buffer.from(JSON.stringify({ facilityId: 999 }))],
    );
    id = rows[0]!.id;
  });

  it("needs a reason of bounded length, and an admin", async () => {
    expect((await call(h, "POST", deadLetter("/discard"), { key: h.keys.admin, body: {} })).status).toBe(400);
    const tooLong = await call(h, "POST", deadLetter("/discard"), {
      key: h.keys.admin,
      body: { reason: "x".repeat(501) },
    });
    expect([tooLong.status, tooLong.body.code]).toEqual([400, "VALIDATION_FAILED"]);
    expect((await call(h, "POST", deadLetter("/discard"), { key: h.keys.owner, body: { reason: "r" } })).status).toBe(
      403,
    );
    expect(await listed()).toContain(id);
  });

  it("keeps the letter as discarded, with who and why, out of the open ones", async () => {
    const response = await call(h, "POST", deadLetter("/discard"), {
      key: h.keys.admin,
      body: { reason: "facility 999 was never registered" },
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      id,
      discardReason: "facility 999 was never registered",
      discardedBy: "admin-key",
      discardedAt: expect.any(String),
      replayedAt: null,
    });
    expect(await listed()).not.toContain(id);
    expect(await listed("discarded")).toContain(id);
    expect(await listed("all")).toContain(id);
    expect(await listed("replayed")).not.toContain(id);
  });

  it("answers the same discard again as it is, and refuses another reason or a replay", async () => {
    const first = await call(h, "GET", "/dead-letters?state=discarded", { key: h.keys.admin });
    const again = await call(h, "POST", deadLetter("/discard"), {
      key: h.keys.admin,
      body: { reason: "facility 999 was never registered" },
    });
    expect(again.status).toBe(200);
    expect(again.body.discardedAt).toBe(
      (first.body.items as { id: string; discardedAt: string }[]).find((letter) => letter.id === id)!.discardedAt,
    );

    const other = await call(h, "POST", deadLetter("/discard"), { key: h.keys.admin, body: { reason: "another" } });
    expect(other.status).toBe(409);
    expect(other.body).toMatchObject({
      code: "DEAD_LETTER_ALREADY_DISCARDED",
      details: { id, discardReason: "facility 999 was never registered" },
    });

    const outboxBefore = (await h.db.query("SELECT count(*)::int AS n FROM outbox")).rows[0].n;
    const replay = await call(h, "POST", deadLetter("/replay"), { key: h.keys.admin });
    expect([replay.status, replay.body.code]).toEqual([409, "DEAD_LETTER_DISCARDED"]);
    expect((await h.db.query("SELECT count(*)::int AS n FROM outbox")).rows[0].n).toBe(outboxBefore);
  });

  it("answers 404 for a letter that does not exist", async () => {
    const unknown = await call(h, "POST", `/dead-letters/${"0".repeat(8)}-0000-4000-8000-${"0".repeat(12)}/discard`, {
      key: h.keys.admin,
      body: { reason: "gone" },
    });
    expect([unknown.status, unknown.body.code]).toEqual([404, "DEAD_LETTER_NOT_FOUND"]);
  });
});
