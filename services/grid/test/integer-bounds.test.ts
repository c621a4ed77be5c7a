import { PG_INTEGER_MAX as INTEGER_MAX } from "@voltstack/api";
import { afterAll, beforeAll, describe, it } from "vitest";
import {
  expectAllRefusedSigningNothing,
  type OutOfRangeCase,
  operationsRoutesOutOfRange,
} from "@voltstack/service-testing";
import { type Harness, startHarness } from "./support/grid-harness.js";

// Every integer a route of the grid service takes, sent one past its bound against the real
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
      path: "/service-requests",
      body: {
        serviceType: "frequency-response",
        powerKw: 1,
        energyKwh: 1,
        paymentUstx: "1818000000000000001",
        expiresAt: INTEGER_MAX + 1,
      },
      key: h.keys.admin,
      field: "paymentUstx",
      maximum: "1818000000000000",
    },
    {
      method: "POST",
      path: "/service-requests",
      body: {
        serviceType: "frequency-response",
        powerKw: 2 ** 53,
        energyKwh: 1,
        paymentUstx: "1",
        expiresAt: INTEGER_MAX + 1,
      },
      key: h.keys.admin,
      field: "expiresAt",
      maximum: INTEGER_MAX,
    },
    {
      method: "POST",
      path: "/service-requests/1/accept",
      body: { facilityId: INTEGER_MAX + 1 },
      key: h.keys.owner,
      field: "facilityId",
      maximum: INTEGER_MAX,
    },
    {
      method: "POST",
      path: "/service-requests/1/fulfil",
      body: { performanceBps: 10_001 },
      key: h.keys.admin,
      field: "performanceBps",
      maximum: 10_000,
    },
    {
      method: "POST",
      path: `/service-requests/${INTEGER_MAX + 1}/cancel`,
      body: {},
      key: h.keys.admin,
      field: "",
      maximum: INTEGER_MAX,
    },
    { method: "GET", path: `/service-requests/${INTEGER_MAX + 1}`, key: h.keys.admin, field: "", maximum: INTEGER_MAX },
    {
      method: "GET",
      path: `/service-requests?after=${INTEGER_MAX + 1}`,
      key: h.keys.admin,
      field: "after",
      maximum: INTEGER_MAX,
    },
    {
      method: "GET",
      path: `/service-requests?facility=${INTEGER_MAX + 1}`,
      key: h.keys.admin,
      field: "facility",
      maximum: INTEGER_MAX,
    },
    {
      method: "PUT",
      path: "/frequency/target",
      body: { targetMhz: INTEGER_MAX + 1, deadbandMhz: 0 },
      key: h.keys.admin,
      field: "targetMhz",
      maximum: INTEGER_MAX,
    },
    {
      method: "POST",
      path: "/frequency/readings",
      body: { frequencyMhz: INTEGER_MAX + 1 },
      key: h.keys.admin,
      field: "frequencyMhz",
      maximum: INTEGER_MAX,
    },
    {
      method: "GET",
      path: `/frequency/readings?after=${2 ** 53}`,
      key: h.keys.admin,
      field: "after",
      maximum: Number.MAX_SAFE_INTEGER,
    },
    ...operationsRoutesOutOfRange(h.keys.admin),
  ];

  it("answers 400 naming the field, the bound and the value, and signs nothing", async () => {
    await expectAllRefusedSigningNothing(h, cases());
  });
});
