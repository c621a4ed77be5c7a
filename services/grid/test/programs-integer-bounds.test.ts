import { PG_INTEGER_MAX as INTEGER_MAX } from "@voltstack/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectAllRefusedSigningNothing, type OutOfRangeCase } from "@voltstack/service-testing";
import { call, type Harness, startHarness } from "./support/grid-harness.js";

// Every integer a program route takes, sent one past its bound against the real service: a 400
// naming the field, the bound and the value, and nothing signed.

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ config: { PROGRAM_SETTLE_INTERVAL_MS: "0" } });
}, 180_000);

afterAll(async () => {
  await h?.close();
});

const program = {
  product: "frequency-regulation",
  startHeight: 1_000,
  periodBlocks: 10,
  periodCount: 4,
  capacityPriceUstx: "1000",
  energyPriceUstx: "0",
  budgetUstx: "1000000",
  settleWindow: 10,
};

describe("program integers beyond their column or type", () => {
  const cases = (): OutOfRangeCase[] => [
    {
      method: "POST",
      path: "/programs",
      body: { ...program, budgetUstx: "1818000000000000001" },
      key: h.keys.admin,
      field: "budgetUstx",
      maximum: "1818000000000000",
    },
    {
      method: "POST",
      path: "/programs",
      body: { ...program, startHeight: INTEGER_MAX + 1 },
      key: h.keys.admin,
      field: "startHeight",
      maximum: INTEGER_MAX,
    },
    {
      method: "POST",
      path: "/programs",
      body: { ...program, periodBlocks: INTEGER_MAX + 1 },
      key: h.keys.admin,
      field: "periodBlocks",
      maximum: INTEGER_MAX,
    },
    {
      method: "POST",
      path: "/programs/1/enrolments",
      body: { facilityId: 1, committedKw: 2 ** 53 },
      key: h.keys.owner,
      field: "committedKw",
      maximum: Number.MAX_SAFE_INTEGER,
    },
    {
      method: "POST",
      path: "/programs/1/enrolments",
      body: { facilityId: INTEGER_MAX + 1, committedKw: 1 },
      key: h.keys.owner,
      field: "facilityId",
      maximum: INTEGER_MAX,
    },
    {
      method: "POST",
      path: "/programs/1/periods/0/performances",
      body: { performances: [{ facilityId: 1, performanceBps: 10_001 }] },
      key: h.keys.admin,
      field: "performances.0.performanceBps",
      maximum: 10_000,
    },
    {
      method: "POST",
      path: "/programs/1/periods/0/performances",
      body: { performances: [{ facilityId: 1, performanceBps: 0, deliveredKwh: 2 ** 53 }] },
      key: h.keys.admin,
      field: "performances.0.deliveredKwh",
      maximum: Number.MAX_SAFE_INTEGER,
    },
    {
      method: "POST",
      path: `/programs/1/periods/${INTEGER_MAX + 1}/performances`,
      body: { performances: [{ facilityId: 1, performanceBps: 0 }] },
      key: h.keys.admin,
      field: "",
      maximum: INTEGER_MAX,
    },
    {
      method: "POST",
      path: `/programs/1/cohorts/${INTEGER_MAX + 1}/release`,
      body: {},
      key: h.keys.admin,
      field: "",
      maximum: INTEGER_MAX,
    },
    { method: "GET", path: `/programs/${INTEGER_MAX + 1}`, key: h.keys.admin, field: "", maximum: INTEGER_MAX },
    {
      method: "GET",
      path: `/programs?after=${INTEGER_MAX + 1}`,
      key: h.keys.admin,
      field: "after",
      maximum: INTEGER_MAX,
    },
    {
      method: "GET",
      path: `/programs/1/enrolments?after=${INTEGER_MAX + 1}`,
      key: h.keys.admin,
      field: "after",
      maximum: INTEGER_MAX,
    },
  ];

  it("answers 400 naming the field, the bound and the value, and signs nothing", async () => {
    await expectAllRefusedSigningNothing(h, cases());
  });
});

describe("the program routes in the OpenAPI document", () => {
  it("lists every program operation", async () => {
    const { status, body } = await call(h, "GET", "/docs/json");
    expect(status).toBe(200);
    expect(Object.keys(body.paths as object)).toEqual(
      expect.arrayContaining([
        "/programs",
        "/programs/{id}",
        "/programs/{id}/cancel",
        "/programs/{id}/close",
        "/programs/{id}/cohorts/{cohort}/release",
        "/programs/{id}/enrolments",
        "/programs/{id}/enrolments/{facilityId}/withdraw",
        "/programs/{id}/periods/{period}/performances",
        "/programs/{id}/cohorts/{cohort}/periods/{period}/settle",
        "/programs/{id}/settlements",
        "/programs/{id}/cohorts/{cohort}/periods/{period}/report",
        "/programs/{id}/periods/{period}/facilities/{facilityId}",
        "/admin/settlement-sweep",
      ]),
    );
  });
});
