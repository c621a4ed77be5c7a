import { PG_INTEGER_MAX } from "@voltstack/api";
import type { Pool } from "pg";
import { expect } from "vitest";
import { call, type HasService } from "./http-call.js";

/** One integer parameter of a route sent beyond its bound, and the bound the 400 must name. */
export interface OutOfRangeCase {
  method: string;
  path: string;
  body?: unknown;
  /** The API key of a caller the route admits, so the refusal comes from validation. */
  key: string;
  /** Where the value sits, as the 400's issue names it ("fromHeight", "readings.0.storedKwh"). */
  field: string;
  maximum: number | string;
}

/** Sends the case and asserts a 400 VALIDATION_FAILED naming the field, the bound and the value sent. */
export async function expectOutOfRangeRefused(harness: HasService, sent: OutOfRangeCase): Promise<void> {
  const response = await call(harness, sent.method, sent.path, {
    key: sent.key,
    ...(sent.body === undefined ? {} : { body: sent.body }),
  });
  expect(response.status).toBe(400);
  expect(response.body).toMatchObject({ code: "VALIDATION_FAILED", message: expect.any(String) });
  const issues = (response.body.details as { issues: Record<string, unknown>[] }).issues;
  expect(issues).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ path: sent.field, maximum: sent.maximum, received: expect.anything() }),
    ]),
  );
}

/** The operations routes every service has (re-sync, journal, dead letters), each one past its bound. */
export function operationsRoutesOutOfRange(adminKey: string): OutOfRangeCase[] {
  return [
    {
      method: "POST",
      path: "/admin/resync",
      body: { fromHeight: PG_INTEGER_MAX + 1 },
      key: adminKey,
      field: "fromHeight",
      maximum: PG_INTEGER_MAX,
    },
    { method: "GET", path: "/transactions?limit=101", key: adminKey, field: "limit", maximum: 100 },
    { method: "GET", path: "/dead-letters?limit=101", key: adminKey, field: "limit", maximum: 100 },
  ];
}

/** Sends every case, each refused with its bound, and asserts the service's journal gained no transaction. */
export async function expectAllRefusedSigningNothing(
  harness: HasService & { db: Pick<Pool, "query"> },
  cases: OutOfRangeCase[],
): Promise<void> {
  const journalSize = async () =>
    (await harness.db.query<{ n: number }>("SELECT count(*)::int AS n FROM chain_transactions")).rows[0]!.n;
  const before = await journalSize();
  for (const sent of cases) await expectOutOfRangeRefused(harness, sent);
  expect(await journalSize()).toBe(before);
}
