import { Cl } from "@stacks/transactions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CapacityClient, ChargeDischargeClient, StacksChain } from "@voltstack/chain";
import { createEvent, type EventJson } from "@voltstack/events";
import {
  call,
  confirmedCall,
  consumerAcknowledged,
  type Harness,
  publishAsRelay,
  publishAsReplay,
  type Received,
  startHarness,
  waitFor,
} from "./support/flow-harness.js";

// The flow service end to end: HTTP -> use case -> signed call on the devnet -> confirmed
// -> the follower sees the print -> read model + outbox in one transaction -> relay ->
// NATS; and capacity / grid events -> schedules -> flow.schedule.updated. Real devnet,
// PostgreSQL and NATS; the tests run in order on one chain.

let h: Harness;
let chain: StacksChain;
// Facilities made in beforeAll from the owners' wallets.
let tracked: number; // wallet_1's, approved, capacity initialised, wallet_2 its operator
let foreign: number; // wallet_3's, approved
let unapproved: number; // wallet_1's, still pending
let initialized: { txid: string; blockHeight: number };

const TOTAL_KWH = 2000;
const MAX_POWER_KW = 500;

async function register(owner: "wallet_1" | "wallet_3", name: string): Promise<number> {
  const { result } = await confirmedCall(h, h.accounts[owner], "facility-registry", "register-facility", [
    Cl.stringUtf8(name),
    Cl.stringUtf8("Rotterdam, NL"),
    Cl.uint(TOTAL_KWH),
    Cl.uint(MAX_POWER_KW),
  ]);
  return Number(/^\(ok u(\d+)\)$/.exec(result)![1]);
}

beforeAll(async () => {
  h = await startHarness();
  chain = new StacksChain({
    network: "devnet",
    url: h.devnet.url,
    contracts: { deployer: h.accounts.deployer.address },
  });
  tracked = await register("wallet_1", "Harbour Battery");
  foreign = await register("wallet_3", "Other Battery");
  unapproved = await register("wallet_1", "Pending Battery");
  for (const id of [tracked, foreign]) {
    await confirmedCall(h, h.accounts.deployer, "facility-registry", "approve-facility", [Cl.uint(id)]);
  }
  await confirmedCall(h, h.accounts.wallet_1, "facility-registry", "set-operator", [
    Cl.uint(tracked),
    Cl.principal(h.accounts.wallet_2.address),
    Cl.bool(true),
  ]);
  initialized = await confirmedCall(h, h.accounts.wallet_1, "capacity-tracking", "initialize-capacity", [
    Cl.uint(tracked),
    Cl.uint(1200),
  ]);
}, 60_000);

afterAll(async () => {
  await h?.close();
});

type Written = { txid: string; blockHeight: number };
type Schedule = { scheduleVersion: number; steps: { action: string; energyKwh: number }[] };

/** A capacity event as the capacity service publishes it for a confirmed transaction. */
function capacityEvent(
  type: "capacity.initialized" | "capacity.updated",
  levels: { storedKwh: number; reservedKwh: number },
  at: Written,
): EventJson {
  const common = {
    facilityId: tracked,
    totalKwh: TOTAL_KWH,
    storedKwh: levels.storedKwh,
    availableKwh: levels.storedKwh - levels.reservedKwh,
  };
  const meta = {
    chain: { txId: at.txid, blockHeight: at.blockHeight },
    traceContext: { traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" },
  };
  return type === "capacity.initialized"
    ? createEvent(type, { ...common, reservedKwh: 0 }, meta)
    : createEvent(type, { ...common, reservedKwh: levels.reservedKwh, reason: "discharge" }, meta);
}

function received(type: string, predicate: (r: Received) => boolean = () => true): Received[] {
  return h.received.filter((r) => r.subject === type && predicate(r));
}

async function scheduleAt(version: number): Promise<Schedule> {
  return waitFor(`schedule version ${version} of facility ${tracked}`, async () => {
    const { status, body } = await call(h, "GET", `/facilities/${tracked}/schedule`);
    return status === 200 && (body.scheduleVersion as number) >= version ? (body as unknown as Schedule) : undefined;
  });
}

/** What a refusal must leave untouched: the journal, the read model, the outbox and the chain. */
async function footprint(): Promise<unknown> {
  const { rows } = await h.db.query(
    `SELECT (SELECT count(*)::int FROM chain_transactions) AS journal,
            (SELECT count(*)::int FROM flow_records) AS records,
            (SELECT count(*)::int FROM outbox) AS outbox,
            (SELECT last_height FROM grid_demand) AS demand_height`,
  );
  const nonces = await Promise.all(
    [h.accounts.deployer, h.accounts.wallet_1, h.accounts.wallet_2, h.accounts.wallet_3].map(async (a) => {
      const response = await fetch(`${h.devnet.url}/extended/v1/address/${a.address}/nonces`);
      return ((await response.json()) as { possible_next_nonce: number }).possible_next_nonce;
    }),
  );
  return { ...rows[0], nonces };
}

describe("flow service", () => {
  it("plans a schedule when a facility's capacity is initialised, once however often the event comes", async () => {
    const event = capacityEvent("capacity.initialized", { storedKwh: 1200, reservedKwh: 0 }, initialized);
    await publishAsRelay(h, event);
    const schedule = await scheduleAt(1);
    // Demand 50 between the contract's default thresholds 30 and 70: hold.
    expect(schedule).toMatchObject({
      facilityId: tracked,
      scheduleVersion: 1,
      demandLevelPercent: 50,
      stepMinutes: 60,
    });
    expect(schedule.steps).toHaveLength(24);
    expect(schedule.steps.every((s) => s.action === "hold" && s.energyKwh === 0)).toBe(true);
    const published = await waitFor("flow.schedule.updated", () => received("flow.schedule.updated")[0]);
    expect(published.event).toMatchObject({
      facilityId: tracked,
      chain: { txId: initialized.txid, blockHeight: initialized.blockHeight },
      payload: { scheduleVersion: 1 },
    });

    const seq = await publishAsReplay(h, event);
    await consumerAcknowledged(h, "flow", "capacity.initialized", seq);
    expect(((await call(h, "GET", `/facilities/${tracked}/schedule`)).body as Schedule).scheduleVersion).toBe(1);
    const { rows } = await h.db.query(`SELECT count(*)::int AS n FROM inbox WHERE event_id = $1`, [event.eventId]);
    expect(rows[0].n).toBe(1);
  });

  let demandWrite: Written;

  it("lets an admin raise grid demand: confirmed, read model, grid.demand.updated with txid and height", async () => {
    const response = await call(h, "PUT", "/grid/demand", { key: h.keys.admin, body: { demandLevelPercent: 85 } });
    expect(response.status).toBe(200);
    demandWrite = response.body as unknown as Written;
    expect(demandWrite.txid).toMatch(/^0x[0-9a-f]{64}$/);

    const demand = await call(h, "GET", "/grid/demand");
    expect(demand.body).toMatchObject({
      demandLevelPercent: 85,
      lowThresholdPercent: 30,
      highThresholdPercent: 70,
      lastTxid: demandWrite.txid,
      lastHeight: demandWrite.blockHeight,
    });
    const message = await waitFor("grid.demand.updated", () => received("grid.demand.updated")[0]);
    expect(message.event).toMatchObject({
      chain: { txId: demandWrite.txid, blockHeight: demandWrite.blockHeight },
      payload: { demandLevelPercent: 85, lowThresholdPercent: 30, highThresholdPercent: 70 },
    });
    const journal = await call(h, "GET", `/transactions/${demandWrite.txid}`, { key: h.keys.admin });
    expect(journal.body).toMatchObject({ status: "confirmed", functionName: "set-grid-demand" });
  });

  it("replans on grid.demand.updated: discharge what is available, an hour at max power each step", async () => {
    const schedule = await scheduleAt(2);
    expect(schedule.steps.slice(0, 4)).toEqual([
      expect.objectContaining({ action: "discharge", energyKwh: 500 }),
      expect.objectContaining({ action: "discharge", energyKwh: 500 }),
      expect.objectContaining({ action: "discharge", energyKwh: 200 }),
      expect.objectContaining({ action: "hold", energyKwh: 0 }),
    ]);
    const published = await waitFor(
      "flow.schedule.updated v2",
      () => received("flow.schedule.updated", (r) => (r.event.payload as Schedule).scheduleVersion === 2)[0],
    );
    expect(published.event.chain).toEqual({ txId: demandWrite.txid, blockHeight: demandWrite.blockHeight });

    // Redelivered, the demand event changes nothing.
    const demandEvent = received("grid.demand.updated")[0]!.event;
    const seq = await publishAsReplay(h, demandEvent);
    await consumerAcknowledged(h, "flow", "grid.demand.updated", seq);
    expect(((await call(h, "GET", `/facilities/${tracked}/schedule`)).body as Schedule).scheduleVersion).toBe(2);
    expect(received("flow.schedule.updated")).toHaveLength(2);
  });

  it("suggests what the contract's read-only get-suggested-action answers, from the read model", async () => {
    const response = await call(h, "GET", `/facilities/${tracked}/suggested-action`);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ facilityId: tracked, action: "discharge", energyKwh: 500 });
    const onChain = await new ChargeDischargeClient(chain).getSuggestedAction(BigInt(tracked));
    expect({ action: response.body.action, energyKwh: response.body.energyKwh }).toEqual({
      action: onChain.action,
      energyKwh: Number(onChain.energyKwh),
    });
  });

  let discharge: Written & { recordId: number };

  it("records a discharge for an operator: flow.recorded with txid and height, in the flow records", async () => {
    const response = await call(h, "POST", `/facilities/${tracked}/discharges`, {
      key: h.keys.operator,
      body: { energyKwh: 300 },
    });
    expect(response.status).toBe(201);
    discharge = response.body as unknown as typeof discharge;
    expect(discharge).toMatchObject({ facilityId: tracked, recordId: 1 });
    const message = await waitFor(
      "flow.recorded",
      () => received("flow.recorded", (r) => r.event.chain?.txId === discharge.txid)[0],
    );
    expect(message.event).toMatchObject({
      facilityId: tracked,
      chain: { blockHeight: discharge.blockHeight },
      payload: {
        recordId: 1,
        action: "discharge",
        energyKwh: 300,
        demandLevelPercent: 85,
        storedAfterKwh: 900,
        recordedBy: h.accounts.wallet_2.address,
      },
    });
    const records = await call(h, "GET", `/flow-records?facilityId=${tracked}`);
    expect(records.body.items).toEqual([
      expect.objectContaining({ recordId: 1, energyKwh: 300, storedAfterKwh: 900, txid: discharge.txid }),
    ]);
  });

  it("replans on capacity.updated, ignoring redeliveries and older readings", async () => {
    const event = capacityEvent("capacity.updated", { storedKwh: 900, reservedKwh: 0 }, discharge);
    await publishAsRelay(h, event);
    const schedule = await scheduleAt(3);
    expect(schedule.steps.slice(0, 3).map((s) => s.energyKwh)).toEqual([500, 400, 0]);

    const again = await publishAsReplay(h, event);
    await consumerAcknowledged(h, "flow", "capacity.updated", again);
    const older = capacityEvent("capacity.updated", { storedKwh: 1200, reservedKwh: 0 }, initialized);
    const olderSeq = await publishAsRelay(h, older);
    await consumerAcknowledged(h, "flow", "capacity.updated", olderSeq);
    expect(((await call(h, "GET", `/facilities/${tracked}/schedule`)).body as Schedule).scheduleVersion).toBe(3);
    const energy = await h.db.query(`SELECT stored_kwh::int AS stored FROM facility_energy WHERE facility_id = $1`, [
      tracked,
    ]);
    expect(energy.rows[0].stored).toBe(900);
  });

  it("follows a charge sent straight from the owner's wallet, outside the API, like its own", async () => {
    const written = await confirmedCall(h, h.accounts.wallet_1, "charge-discharge", "record-charge", [
      Cl.uint(tracked),
      Cl.uint(100),
    ]);
    const message = await waitFor(
      "flow.recorded from the wallet",
      () => received("flow.recorded", (r) => r.event.chain?.txId === written.txid)[0],
    );
    expect(message.event).toMatchObject({
      chain: { blockHeight: written.blockHeight },
      payload: {
        recordId: 2,
        action: "charge",
        energyKwh: 100,
        storedAfterKwh: 1000,
        recordedBy: h.accounts.wallet_1.address,
      },
    });
    const records = await waitFor("record 2 in the read model", async () => {
      const { body } = await call(h, "GET", `/flow-records?recordedBy=${h.accounts.wallet_1.address}`);
      return (body.items as unknown[]).length === 1 ? body : undefined;
    });
    expect(records.items).toEqual([expect.objectContaining({ recordId: 2, action: "charge", txid: written.txid })]);
    expect((await call(h, "GET", `/transactions/${written.txid}`, { key: h.keys.admin })).status).toBe(404);
  });

  it("lets an admin move the thresholds: grid.thresholds.updated, and schedules follow", async () => {
    const response = await call(h, "PUT", "/grid/thresholds", {
      key: h.keys.admin,
      body: { lowThresholdPercent: 40, highThresholdPercent: 90 },
    });
    expect(response.status).toBe(200);
    const written = response.body as unknown as Written;
    const message = await waitFor("grid.thresholds.updated", () => received("grid.thresholds.updated")[0]);
    expect(message.event).toMatchObject({
      chain: { txId: written.txid, blockHeight: written.blockHeight },
      payload: { demandLevelPercent: 85, lowThresholdPercent: 40, highThresholdPercent: 90 },
    });
    // 85 is now between the thresholds: hold.
    const schedule = await scheduleAt(4);
    expect(schedule.steps.every((s) => s.action === "hold")).toBe(true);
    expect((await call(h, "GET", `/facilities/${tracked}/suggested-action`)).body).toMatchObject({ action: "hold" });
  });

  it("refuses before signing what the contracts would refuse, with their code and the figures", async () => {
    const before = await footprint();
    const levels = await new CapacityClient(chain).getCapacity(BigInt(tracked));
    const stored = Number(levels!.storedKwh);
    const reserved = Number(levels!.reservedKwh);
    const available = Number(levels!.availableKwh);
    const room = Number(levels!.totalKwh - levels!.storedKwh);
    const cases: [string, string, string, unknown, number, string, unknown][] = [
      [
        "PUT",
        "/grid/thresholds",
        h.keys.admin,
        { lowThresholdPercent: 60, highThresholdPercent: 50 },
        422,
        "ERR_INVALID_THRESHOLDS",
        { lowThresholdPercent: 60, highThresholdPercent: 50 },
      ],
      [
        "POST",
        `/facilities/${unapproved}/charges`,
        h.keys.owner,
        { energyKwh: 10 },
        409,
        "ERR_FACILITY_NOT_APPROVED",
        { facilityId: unapproved, status: "pending" },
      ],
      [
        "POST",
        `/facilities/${tracked}/discharges`,
        h.keys.owner,
        { energyKwh: 5000 },
        409,
        "ERR_BELOW_RESERVED",
        {
          facilityId: tracked,
          energyKwh: 5000,
          totalKwh: TOTAL_KWH,
          storedKwh: stored,
          reservedKwh: reserved,
          availableKwh: available,
        },
      ],
      [
        "POST",
        `/facilities/${tracked}/charges`,
        h.keys.operator,
        { energyKwh: room + 1 },
        409,
        "ERR_STORED_EXCEEDS_TOTAL",
        {
          facilityId: tracked,
          energyKwh: room + 1,
          totalKwh: TOTAL_KWH,
          storedKwh: stored,
          reservedKwh: reserved,
          roomKwh: room,
        },
      ],
      [
        // wallet_2 operates `tracked`, not `foreign`: naming itself does not make it one (its key is held).
        "POST",
        `/facilities/${foreign}/charges`,
        h.keys.operator,
        { energyKwh: 1, actAs: h.accounts.wallet_2.address },
        403,
        "FACILITY_NOT_AUTHORIZED",
        { facilityId: foreign, principal: h.accounts.wallet_2.address, owner: h.accounts.wallet_3.address },
      ],
    ];
    const notAdmin = { principal: h.accounts.wallet_3.address };
    cases.push(
      ["PUT", "/grid/demand", h.keys.formerAdmin, { demandLevelPercent: 10 }, 403, "ERR_NOT_ADMIN", notAdmin],
      [
        "PUT",
        "/grid/thresholds",
        h.keys.formerAdmin,
        { lowThresholdPercent: 10, highThresholdPercent: 20 },
        403,
        "ERR_NOT_ADMIN",
        notAdmin,
      ],
    );
    for (const [method, path, key, body, status, code, details] of cases) {
      const response = await call(h, method, path, { key, body });
      expect([path, response.status, response.body.code, response.body.details]).toEqual([path, status, code, details]);
    }
    expect(await footprint()).toEqual(before);
    const failed = await call(h, "GET", "/transactions?status=failed", { key: h.keys.admin });
    expect(failed.body.items).toEqual([]);
  });

  it("refuses callers without credentials, with the wrong role or for a foreign facility, changing nothing", async () => {
    const before = await footprint();
    const refusals: [string, string, string | undefined, unknown, number, string][] = [
      ["PUT", "/grid/demand", undefined, { demandLevelPercent: 10 }, 401, "UNAUTHENTICATED"],
      ["PUT", "/grid/demand", h.keys.owner, { demandLevelPercent: 10 }, 403, "ROLE_NOT_ALLOWED"],
      [
        "PUT",
        "/grid/thresholds",
        h.keys.operator,
        { lowThresholdPercent: 1, highThresholdPercent: 2 },
        403,
        "ROLE_NOT_ALLOWED",
      ],
      ["POST", `/facilities/${tracked}/charges`, undefined, { energyKwh: 1 }, 401, "UNAUTHENTICATED"],
      ["POST", `/facilities/${tracked}/charges`, h.keys.admin, { energyKwh: 1 }, 403, "ROLE_NOT_ALLOWED"],
      ["POST", `/facilities/${foreign}/charges`, h.keys.owner, { energyKwh: 1 }, 403, "FACILITY_NOT_AUTHORIZED"],
      ["POST", `/facilities/${tracked}/discharges`, h.keys.stranger, { energyKwh: 1 }, 403, "FACILITY_NOT_AUTHORIZED"],
      [
        "POST",
        `/facilities/${tracked}/charges`,
        h.keys.owner,
        { energyKwh: 1, actAs: h.accounts.wallet_3.address },
        403,
        "PRINCIPAL_NOT_ALLOWED",
      ],
    ];
    for (const [method, path, key, body, status, code] of refusals) {
      const response = await call(h, method, path, { ...(key ? { key } : {}), body });
      expect({ path, key: key?.slice(0, 12), status: response.status, code: response.body.code }).toEqual({
        path,
        key: key?.slice(0, 12),
        status,
        code,
      });
    }
    expect(await footprint()).toEqual(before);
  });

  it("answers malformed bodies, wrong types, huge numbers, negative amounts and unknown ids with a 4xx", async () => {
    const before = await footprint();
    const cases: [string, string, { body?: unknown; rawBody?: string }, number, string][] = [
      ["PUT", "/grid/demand", { rawBody: "{ not json" }, 400, "MALFORMED_JSON"],
      ["PUT", "/grid/demand", { body: { demandLevelPercent: "high" } }, 400, "VALIDATION_FAILED"],
      ["PUT", "/grid/demand", { body: { demandLevelPercent: 101 } }, 400, "VALIDATION_FAILED"],
      ["PUT", "/grid/demand", { body: { demandLevelPercent: 50, extra: 1 } }, 400, "VALIDATION_FAILED"],
      [
        "PUT",
        "/grid/thresholds",
        { body: { lowThresholdPercent: -1, highThresholdPercent: 50 } },
        400,
        "VALIDATION_FAILED",
      ],
    ];
    for (const [method, path, options, status, code] of cases) {
      const response = await call(h, method, path, { key: h.keys.admin, ...options });
      expect({ path, status: response.status, code: response.body.code }).toEqual({ path, status, code });
    }
    const flows: [string, unknown, number, string][] = [
      [`/facilities/${tracked}/charges`, { energyKwh: 2 ** 60 }, 400, "VALIDATION_FAILED"],
      [`/facilities/${tracked}/charges`, { energyKwh: -5 }, 400, "VALIDATION_FAILED"],
      [`/facilities/${tracked}/charges`, { energyKwh: 0 }, 400, "VALIDATION_FAILED"],
      [`/facilities/${tracked}/charges`, { energyKwh: 1.5 }, 400, "VALIDATION_FAILED"],
      [`/facilities/${tracked}/discharges`, {}, 400, "VALIDATION_FAILED"],
      ["/facilities/abc/charges", { energyKwh: 1 }, 400, "VALIDATION_FAILED"],
      ["/facilities/99999/charges", { energyKwh: 1 }, 404, "FACILITY_NOT_FOUND"],
    ];
    for (const [path, body, status, code] of flows) {
      const response = await call(h, "POST", path, { key: h.keys.owner, body });
      expect({ path, body, status: response.status, code: response.body.code }).toEqual({ path, body, status, code });
    }
    expect((await call(h, "GET", "/facilities/99999/suggested-action")).body).toMatchObject({
      code: "FACILITY_NOT_TRACKED",
    });
    expect((await call(h, "GET", "/facilities/99999/schedule")).status).toBe(404);
    expect((await call(h, "GET", "/flow-records?limit=0")).status).toBe(400);
    expect((await call(h, "GET", "/flow-records?action=sideways")).status).toBe(400);
    expect(await footprint()).toEqual(before);
  });

  it("pages and filters the flow records", async () => {
    const first = await call(h, "GET", "/flow-records?limit=1");
    expect(first.body).toMatchObject({ items: [expect.objectContaining({ recordId: 1 })], nextAfter: 1 });
    const second = await call(h, "GET", "/flow-records?limit=1&after=1");
    expect(second.body).toMatchObject({ items: [expect.objectContaining({ recordId: 2 })], nextAfter: null });
    const charges = await call(h, "GET", `/flow-records?action=charge&facilityId=${tracked}`);
    expect((charges.body.items as { recordId: number }[]).map((r) => r.recordId)).toEqual([2]);
    expect((await call(h, "GET", `/flow-records?facilityId=${foreign}`)).body.items).toEqual([]);
  });

  it("rebuilds the same read model from height 0 without publishing anything again", async () => {
    const snapshot = async () =>
      (
        await h.db.query(
          `SELECT (SELECT json_agg(r ORDER BY record_id) FROM flow_records r) AS records,
                  (SELECT row_to_json(d) FROM grid_demand d) AS demand,
                  (SELECT count(*)::int FROM outbox) AS outbox`,
        )
      ).rows[0];
    const before = await snapshot();
    const response = await call(h, "POST", "/admin/resync", { key: h.keys.admin, body: { fromHeight: 0 } });
    expect(response.status).toBe(200);
    expect(await snapshot()).toEqual(before);
  });

  it("serves its OpenAPI document with every operation", async () => {
    const { body } = await call(h, "GET", "/docs/json");
    const paths = Object.keys(body.paths as object);
    expect(paths).toEqual(
      expect.arrayContaining([
        "/grid/demand",
        "/grid/thresholds",
        "/facilities/{id}/charges",
        "/facilities/{id}/discharges",
        "/facilities/{id}/suggested-action",
        "/facilities/{id}/schedule",
        "/flow-records",
        "/transactions",
        "/admin/resync",
      ]),
    );
  });

  it("holds a suspended facility's schedule and restores it on reinstatement, once per event", async () => {
    const current = (await call(h, "GET", `/facilities/${tracked}/schedule`)).body as Schedule;
    const demand = await call(h, "PUT", "/grid/demand", { key: h.keys.admin, body: { demandLevelPercent: 95 } });
    expect(demand.status).toBe(200);
    // High demand: the schedule plans discharges, which a suspension must stop.
    const before = await scheduleAt(current.scheduleVersion + 1);
    expect(before.steps.some((step) => step.action !== "hold")).toBe(true);
    const statusEvent = async (type: "facility.suspended" | "facility.reinstated", fn: string) => {
      const at = await confirmedCall(h, h.accounts.deployer, "facility-registry", fn, [Cl.uint(tracked)]);
      return createEvent(
        type,
        { facilityId: tracked, owner: h.accounts.wallet_1.address, admin: h.accounts.deployer.address },
        {
          chain: { txId: at.txid, blockHeight: at.blockHeight },
          traceContext: { traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" },
        },
      );
    };

    const suspended = await statusEvent("facility.suspended", "suspend-facility");
    await publishAsRelay(h, suspended);
    const held = await scheduleAt(before.scheduleVersion + 1);
    expect(held.steps.every((step) => step.action === "hold" && step.energyKwh === 0)).toBe(true);
    const seq = await publishAsReplay(h, suspended);
    await consumerAcknowledged(h, "flow", "facility.suspended", seq);
    expect(((await call(h, "GET", `/facilities/${tracked}/schedule`)).body as Schedule).scheduleVersion).toBe(
      before.scheduleVersion + 1,
    );

    await publishAsRelay(h, await statusEvent("facility.reinstated", "reinstate-facility"));
    const restored = await scheduleAt(before.scheduleVersion + 2);
    expect(restored.steps.map((step) => [step.action, step.energyKwh])).toEqual(
      before.steps.map((step) => [step.action, step.energyKwh]),
    );
  });
});
