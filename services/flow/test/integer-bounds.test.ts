import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectOutOfRangeRefused, type OutOfRangeCase } from "@voltstack/service-testing";
import { type Harness, startHarness } from "./support/flow-harness.js";

// Every integer a route of the flow service takes, sent one past its bound against the real
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
      method: "POST",
      path: "/facilities/1/charges",
      body: { energyKwh: 2 ** 53 },
      key: h.keys.owner,
      field: "energyKwh",
      maximum: Number.MAX_SAFE_INTEGER,
    },
    {
      method: "POST",
      path: `/facilities/${INTEGER_MAX + 1}/discharges`,
      body: { energyKwh: 1 },
      key: h.keys.owner,
      field: "",
      maximum: INTEGER_MAX,
    },
    {
      method: "GET",
      path: `/facilities/${INTEGER_MAX + 1}/schedule`,
      key: h.keys.admin,
      field: "",
      maximum: INTEGER_MAX,
    },
    {
      method: "GET",
      path: `/flow-records?after=${INTEGER_MAX + 1}`,
      key: h.keys.admin,
      field: "after",
      maximum: INTEGER_MAX,
    },
    {
      method: "GET",
      path: `/flow-records?facilityId=${INTEGER_MAX + 1}`,
      key: h.keys.admin,
      field: "facilityId",
      maximum: INTEGER_MAX,
    },
    {
      method: "PUT",
      path: "/grid/demand",
      body: { demandLevelPercent: 101 },
      key: h.keys.admin,
      field: "demandLevelPercent",
      maximum: 100,
    },
    {
      method: "PUT",
      path: "/grid/thresholds",
      body: { lowThresholdPercent: 10, highThresholdPercent: 101 },
      key: h.keys.admin,
      field: "highThresholdPercent",
      maximum: 100,
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
