import { PG_INTEGER_MAX as INTEGER_MAX } from "@voltstack/api";
import { afterAll, beforeAll, describe, it } from "vitest";
import {
  expectAllRefusedSigningNothing,
  type OutOfRangeCase,
  operationsRoutesOutOfRange,
} from "@voltstack/service-testing";
import { type Harness, startHarness } from "./support/capacity-harness.js";

// Every integer a route of the capacity service takes, sent one past its bound against the real
// service: a 400 naming the field, the bound and the value, and nothing signed.

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
}, 180_000);

afterAll(async () => {
  await h?.close();
});

describe("integers beyond their column or type", () => {
  const cases = (): OutOfRangeCase[] => [
    {
      method: "GET",
      path: `/facilities/${INTEGER_MAX + 1}/capacity`,
      key: h.keys.admin,
      field: "",
      maximum: INTEGER_MAX,
    },
    {
      method: "GET",
      path: `/capacities?after=${INTEGER_MAX + 1}`,
      key: h.keys.admin,
      field: "after",
      maximum: INTEGER_MAX,
    },
    {
      method: "GET",
      path: "/facilities/awaiting-initialisation?limit=101",
      key: h.keys.admin,
      field: "limit",
      maximum: 100,
    },
    {
      method: "POST",
      path: "/facilities/1/capacity",
      body: { storedKwh: 2 ** 53 },
      key: h.keys.owner,
      field: "storedKwh",
      maximum: Number.MAX_SAFE_INTEGER,
    },
    {
      method: "POST",
      path: "/facilities/1/readings",
      body: { storedKwh: 2 ** 53 },
      key: h.keys.owner,
      field: "storedKwh",
      maximum: Number.MAX_SAFE_INTEGER,
    },
    {
      method: "POST",
      path: `/facilities/${INTEGER_MAX + 1}/readings`,
      body: { storedKwh: 1 },
      key: h.keys.owner,
      field: "",
      maximum: INTEGER_MAX,
    },
    {
      method: "POST",
      path: "/readings/batch",
      body: { readings: [{ facilityId: INTEGER_MAX + 1, storedKwh: 1 }] },
      key: h.keys.owner,
      field: "readings.0.facilityId",
      maximum: INTEGER_MAX,
    },
    ...operationsRoutesOutOfRange(h.keys.admin),
  ];

  it("answers 400 naming the field, the bound and the value, and signs nothing", async () => {
    await expectAllRefusedSigningNothing(h, cases());
  });
});
