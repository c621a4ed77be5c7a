import { PG_INTEGER_MAX as INTEGER_MAX } from "@voltstack/api";
import { afterAll, beforeAll, describe, it } from "vitest";
import {
  expectAllRefusedSigningNothing,
  type OutOfRangeCase,
  operationsRoutesOutOfRange,
} from "@voltstack/service-testing";
import { type Harness, startHarness } from "./support/revenue-harness.js";

// Every integer a route of the revenue service takes, sent one past its bound against the real
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
    ...operationsRoutesOutOfRange(h.keys.admin),
  ];

  it("answers 400 naming the field, the bound and the value, and signs nothing", async () => {
    await expectAllRefusedSigningNothing(h, cases());
  });
});
