import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEvent, type EventJson } from "@voltstack/events";
import {
  approvedFacility,
  call,
  type Harness,
  publishAsRelay,
  startHarness,
  waitFor,
} from "./support/revenue-harness.js";

// shares.updated that the read model does not back: this service's follower writes a split
// and queues its event in one transaction, so an unknown facility or version can never
// become valid by waiting. It is dead-lettered at once with a reason; the next valid one is handled.

let h: Harness;
let facilityId: number;
let genuine: EventJson<"shares.updated">;

const stakeholders = () => [
  { stakeholder: h.accounts.wallet_5.address, shareBps: 6_000 },
  { stakeholder: h.accounts.wallet_6.address, shareBps: 4_000 },
];

function sharesUpdated(facility: number, sharesVersion: number): EventJson<"shares.updated"> {
  return createEvent(
    "shares.updated",
    { facilityId: facility, sharesVersion, shares: stakeholders() },
    { chain: genuine.chain!, traceContext: genuine.traceContext },
  ) as EventJson<"shares.updated">;
}

async function deadLetterOf(eventId: string): Promise<{ error_code: string; deliveries: number }> {
  return waitFor(`the dead letter of ${eventId}`, async () => {
    const { rows } = await h.db.query(
      "SELECT error_code, deliveries FROM dead_letters WHERE subject = 'shares.updated' AND event_id = $1",
      [eventId],
    );
    return rows[0] as { error_code: string; deliveries: number } | undefined;
  });
}

async function handled(eventId: string): Promise<void> {
  await waitFor(`${eventId} in the inbox`, async () => {
    const { rows } = await h.db.query("SELECT 1 FROM inbox WHERE event_id = $1", [eventId]);
    return rows.length === 1 ? true : undefined;
  });
}

beforeAll(async () => {
  h = await startHarness();
  facilityId = await approvedFacility(h);
  const set = await call(h.service, "PUT", `/facilities/${facilityId}/shares`, {
    key: h.keys.owner,
    body: stakeholders(),
  });
  expect(set.status).toBe(200);
  genuine = (
    await waitFor("the genuine shares.updated", () =>
      h.received.find((r) => r.subject === "shares.updated" && r.event.facilityId === facilityId),
    )
  ).event as EventJson<"shares.updated">;
  await handled(genuine.eventId);
}, 180_000);

afterAll(async () => {
  await h?.close();
});

describe("revenue service: shares.updated the read model does not back", () => {
  it("dead-letters an unknown facility with UNKNOWN_FACILITY and an unknown version with UNKNOWN_SHARES_VERSION, at once", async () => {
    const unknownFacility = sharesUpdated(999_999, 1);
    await publishAsRelay(h, unknownFacility);
    expect(await deadLetterOf(unknownFacility.eventId)).toEqual({ error_code: "UNKNOWN_FACILITY", deliveries: 1 });

    const unknownVersion = sharesUpdated(facilityId, genuine.payload.sharesVersion + 1);
    await publishAsRelay(h, unknownVersion);
    expect(await deadLetterOf(unknownVersion.eventId)).toEqual({
      error_code: "UNKNOWN_SHARES_VERSION",
      deliveries: 1,
    });
  });

  it("handles the next valid shares.updated after them", async () => {
    const valid = { ...genuine, eventId: crypto.randomUUID() };
    await publishAsRelay(h, valid);
    await handled(valid.eventId);
    const { rows } = await h.db.query("SELECT count(*)::int AS n FROM dead_letters WHERE event_id = $1", [
      valid.eventId,
    ]);
    expect(rows).toEqual([{ n: 0 }]);
  });
});
