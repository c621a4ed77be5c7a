import { Cl } from "@stacks/transactions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Account,
  call,
  type Harness,
  publishFacilityApproved,
  startHarness,
  waitFor,
  walletCall,
} from "./support/capacity-harness.js";

// facility.approved that the facility registry does not back: never recorded, dead-lettered
// with a reason (at once when the chain has passed the event's block, after bounded retries
// while it has not), and the consumer goes on with the next valid event.

let h: Harness;
let facility: { id: number; approval: { txId: string; blockHeight: number } };

async function approvedOnChain(owner: Account, capacityKwh: number): Promise<typeof facility> {
  const registered = await walletCall(h, owner, "facility-registry", "register-facility", [
    Cl.stringUtf8("Battery"),
    Cl.stringUtf8("Utrecht, NL"),
    Cl.uint(capacityKwh),
    Cl.uint(500),
  ]);
  const id = Number(/^\(ok u(\d+)\)$/.exec(registered.result)![1]);
  const approved = await walletCall(h, h.accounts.deployer, "facility-registry", "approve-facility", [Cl.uint(id)]);
  expect(approved.result).toBe("(ok true)");
  return { id, approval: { txId: approved.txid, blockHeight: approved.blockHeight } };
}

async function deadLetterOf(eventId: string): Promise<{ error_code: string; deliveries: number }> {
  return waitFor(
    `the dead letter of ${eventId}`,
    async () => {
      const { rows } = await h.db.query(
        "SELECT error_code, deliveries FROM dead_letters WHERE consumer = 'capacity__facility_approved' AND event_id = $1",
        [eventId],
      );
      return rows[0] as { error_code: string; deliveries: number } | undefined;
    },
    120_000,
  );
}

async function awaitingInitialisation(): Promise<number[]> {
  const { body } = await call(h, "GET", "/facilities/awaiting-initialisation");
  return (body.items as { facilityId: number }[]).map((item) => item.facilityId);
}

async function recorded(): Promise<number> {
  return (await h.db.query("SELECT count(*)::int AS n FROM approved_facilities")).rows[0].n as number;
}

beforeAll(async () => {
  h = await startHarness();
  facility = await approvedOnChain(h.accounts.wallet_1, 1_500);
}, 180_000);

afterAll(async () => {
  await h?.close();
});

describe("capacity service: facility.approved the registry does not back", () => {
  it("dead-letters an unknown facility at once with UNKNOWN_FACILITY, then applies the next valid event", async () => {
    const unknown = await publishFacilityApproved(
      h,
      {
        facilityId: 999_999,
        owner: h.accounts.wallet_1.address,
        capacityKwh: 1_500,
        maxPowerKw: 500,
        admin: h.accounts.deployer.address,
      },
      facility.approval,
    );
    expect(await deadLetterOf(unknown.eventId)).toEqual({ error_code: "UNKNOWN_FACILITY", deliveries: 1 });
    expect(await recorded()).toBe(0);

    await publishFacilityApproved(
      h,
      {
        facilityId: facility.id,
        owner: h.accounts.wallet_1.address,
        capacityKwh: 1_500,
        maxPowerKw: 500,
        admin: h.accounts.deployer.address,
      },
      facility.approval,
    );
    await waitFor("the valid approval recorded", async () =>
      (await awaitingInitialisation()).includes(facility.id) ? true : undefined,
    );
    expect(await awaitingInitialisation()).toEqual([facility.id]);
  });

  it("dead-letters an approval whose owner or capacity differ from the registry's with FACILITY_MISMATCH", async () => {
    const before = await h.db.query("SELECT * FROM approved_facilities");
    for (const payload of [
      { owner: h.accounts.wallet_3.address, capacityKwh: 1_500 },
      { owner: h.accounts.wallet_1.address, capacityKwh: 1_501 },
    ]) {
      const forged = await publishFacilityApproved(
        h,
        { facilityId: facility.id, maxPowerKw: 500, admin: h.accounts.deployer.address, ...payload },
        facility.approval,
      );
      expect(await deadLetterOf(forged.eventId)).toEqual({ error_code: "FACILITY_MISMATCH", deliveries: 1 });
    }
    expect((await h.db.query("SELECT * FROM approved_facilities")).rows).toEqual(before.rows);
  });

  it("parks an unknown facility of a block the chain has not reached, retries it, and dead-letters it when the deliveries run out", async () => {
    const ahead = await publishFacilityApproved(
      h,
      {
        facilityId: 888_888,
        owner: h.accounts.wallet_1.address,
        capacityKwh: 10,
        maxPowerKw: 5,
        admin: h.accounts.deployer.address,
      },
      { txId: facility.approval.txId, blockHeight: 2_000_000_000 },
    );
    const letter = await deadLetterOf(ahead.eventId);
    expect(letter.error_code).toBe("UNKNOWN_FACILITY");
    // Retried with the consumer's backoff before giving up, unlike the events above.
    expect(letter.deliveries).toBeGreaterThan(1);
    expect(await awaitingInitialisation()).toEqual([facility.id]);
  }, 180_000);
});
