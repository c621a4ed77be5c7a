import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectOutOfRangeRefused, type OutOfRangeCase } from "@voltstack/service-testing";
import { type Harness, startHarness } from "./support/revenue-harness.js";

// Every integer a route of the revenue service takes, sent one past its bound against the real
// service: a 400 naming the field, the bound and the value, and nothing signed.

const INTEGER_MAX = 2_147_483_647;

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
}, 180_000);

afterAll(async () => {
  await h?.close();
});

const journalSize = async () =>
  (await h.db.query<{ n: number }>("SELECT count(*)::int AS n FROM chain_transactions")).rows[0]!.n;

describe("integers beyond their column or type", () => {
  const cases = (): OutOfRangeCase[] => [
    {
      method: "PUT",
      path: "/facilities/1/shares",
      body: [{ stakeholder: h.accounts.wallet_1.address, shareBps: 10_001 }],
      key: h.keys.owner,
      field: "0.shareBps",
      maximum: 10_000,
    },
    {
      method: "POST",
      path: `/facilities/${INTEGER_MAX + 1}/distribute`,
      body: {},
      key: h.keys.admin,
      field: "",
      maximum: INTEGER_MAX,
    },
    { method: "GET", path: `/facilities/${INTEGER_MAX + 1}/pool`, key: h.keys.admin, field: "", maximum: INTEGER_MAX },
    {
      method: "GET",
      path: `/fulfilments/${INTEGER_MAX + 1}/distribution`,
      key: h.keys.admin,
      field: "",
      maximum: INTEGER_MAX,
    },
    {
      method: "POST",
      path: "/admin/resync",
      body: { fromHeight: INTEGER_MAX + 1 },
      key: h.keys.admin,
      field: "fromHeight",
      maximum: INTEGER_MAX,
    },
    { method: "GET", path: "/transactions?limit=101", key: h.keys.admin, field: "limit", maximum: 100 },
    { method: "GET", path: "/dead-letters?limit=101", key: h.keys.admin, field: "limit", maximum: 100 },
  ];

  it("answers 400 naming the field, the bound and the value, and signs nothing", async () => {
    const before = await journalSize();
    for (const sent of cases()) await expectOutOfRangeRefused(h, sent);
    expect(await journalSize()).toBe(before);
  });
});
