import { Cl } from "@stacks/transactions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEvent, type EventJson } from "@voltstack/events";
import { call, confirmedCall, type Harness, publishAsRelay, startHarness, waitFor } from "./support/flow-harness.js";

// Capacity and status events about a facility the registry does not know can never be
// applied: flow reads the registry at the tip before each and dead-letters such an event
// at once with FACILITY_NOT_FOUND; the consumer goes on with the next valid event.

let h: Harness;
let facilityId: number;
let initialized: { txid: string; blockHeight: number };

const traceContext = { traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" };

function capacityInitialized(facility: number): EventJson {
  return createEvent(
    "capacity.initialized",
    { facilityId: facility, totalKwh: 2_000, storedKwh: 1_000, reservedKwh: 0, availableKwh: 1_000 },
    { chain: { txId: initialized.txid, blockHeight: initialized.blockHeight }, traceContext },
  );
}

async function deadLetterOf(eventId: string): Promise<{ error_code: string; deliveries: number }> {
  return waitFor(`the dead letter of ${eventId}`, async () => {
    const { rows } = await h.db.query("SELECT error_code, deliveries FROM dead_letters WHERE event_id = $1", [eventId]);
    return rows[0] as { error_code: string; deliveries: number } | undefined;
  });
}

beforeAll(async () => {
  h = await startHarness();
  const { result } = await confirmedCall(h, h.accounts.wallet_1, "facility-registry", "register-facility", [
    Cl.stringUtf8("Harbour Battery"),
    Cl.stringUtf8("Rotterdam, NL"),
    Cl.uint(2_000),
    Cl.uint(500),
  ]);
  facilityId = Number(/^\(ok u(\d+)\)$/.exec(result)![1]);
  await confirmedCall(h, h.accounts.deployer, "facility-registry", "approve-facility", [Cl.uint(facilityId)]);
  initialized = await confirmedCall(h, h.accounts.wallet_1, "capacity-tracking", "initialize-capacity", [
    Cl.uint(facilityId),
    Cl.uint(1_000),
  ]);
}, 180_000);

afterAll(async () => {
  await h?.close();
});

describe("flow service: events about a facility the registry does not know", () => {
  it("dead-letters capacity and status events of an unknown facility at once, then applies the next valid event", async () => {
    const unknownCapacity = capacityInitialized(999_999);
    const unknownStatus = createEvent(
      "facility.suspended",
      { facilityId: 999_999, owner: h.accounts.wallet_1.address, admin: h.accounts.deployer.address },
      { chain: { txId: initialized.txid, blockHeight: initialized.blockHeight }, traceContext },
    );
    for (const event of [unknownCapacity, unknownStatus]) {
      await publishAsRelay(h, event);
      expect(await deadLetterOf(event.eventId)).toEqual({ error_code: "FACILITY_NOT_FOUND", deliveries: 1 });
    }
    const { rows } = await h.db.query("SELECT count(*)::int AS n FROM facility_energy WHERE facility_id = 999999");
    expect(rows).toEqual([{ n: 0 }]);

    await publishAsRelay(h, capacityInitialized(facilityId));
    const schedule = await waitFor("the valid event's schedule", async () => {
      const { status, body } = await call(h, "GET", `/facilities/${facilityId}/schedule`);
      return status === 200 ? body : undefined;
    });
    expect(schedule).toMatchObject({ facilityId, scheduleVersion: 1 });
  });
});
