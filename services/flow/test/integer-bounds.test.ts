import { PG_INTEGER_MAX as INTEGER_MAX } from "@voltstack/api";
import { afterAll, beforeAll, describe, it } from "vitest";
import {
  expectAllRefusedSigningNothing,
  type OutOfRangeCase,
  operationsRoutesOutOfRange,
} from "@voltstack/service-testing";
import { type Harness, startHarness } from "./support/flow-harness.js";

// Every integer a route of the flow service takes, sent one past its bound against the real
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
    ...operationsRoutesOutOfRange(h.keys.admin),
  ];

  it("answers 400 naming the field, the bound and the value, and signs nothing", async () => {
    await expectAllRefusedSigningNothing(h, cases());
  });
});
