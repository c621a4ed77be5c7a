import { Cl, cvToValue, hexToCV, Pc, serializeCV } from "@stacks/transactions";
import { SERVICE_TYPES } from "@voltstack/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GridSyncService } from "../src/chain-sync/grid-sync.service.js";
import { ExpirySweepScheduler } from "../src/service-requests/expiry-sweep.scheduler.js";
import {
  balanceOf,
  call,
  confirmedCall,
  feeOf,
  type Harness,
  type Received,
  startHarness,
  waitFor,
} from "./support/grid-harness.js";

// The grid service end to end: HTTP -> use case -> signed call on the devnet -> confirmed
// -> the follower sees the print -> read model + outbox in one transaction -> relay -> NATS.
// Real devnet, PostgreSQL and NATS; the tests run in order on one chain.

let h: Harness;
let facilityId: number;
let escrow: string;
let revenuePool: string;

type Written = { txid: string; blockHeight: number; requestId: number };

function eventOf(type: string, match: (payload: Record<string, unknown>) => boolean): Received | undefined {
  return h.received.find((r) => r.subject === type && match(r.event.payload as Record<string, unknown>));
}

async function tipHeight(): Promise<number> {
  const response = await fetch(`${h.devnet.url}/v2/info`);
  return ((await response.json()) as { stacks_tip_height: number }).stacks_tip_height;
}

/** What capacity-tracking's get-available-kwh answers at the tip. */
async function availableKwhOnChain(facility: number): Promise<number> {
  const deployer = h.accounts.deployer.address;
  const response = await fetch(
    `${h.devnet.url}/v2/contracts/call-read/${deployer}/capacity-tracking/get-available-kwh`,
    {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ sender: deployer, arguments: [`0x${serializeCV(Cl.uint(facility))}`] }),
    },
  );
  const { result } = (await response.json()) as { result: string };
  return Number(cvToValue(hexToCV(result)) as bigint);
}

/** A creation the contract would accept, for tests that vary one field. */
async function validCreate(): Promise<Record<string, unknown>> {
  return {
    serviceType: "peak-shaving",
    powerKw: 10,
    energyKwh: 10,
    paymentUstx: "1000",
    expiresAt: (await tipHeight()) + 1_000,
  };
}

async function createRequest(body: Record<string, unknown>): Promise<Written> {
  const response = await call(h, "POST", "/service-requests", { key: h.keys.admin, body });
  expect(response.status).toBe(201);
  return response.body as unknown as Written;
}

/** What a refusal must leave untouched: the journal, the read models, the outbox and the chain. */
async function footprint(): Promise<unknown> {
  const { rows } = await h.db.query(
    `SELECT (SELECT count(*)::int FROM chain_transactions) AS journal,
            (SELECT count(*)::int FROM service_requests) AS requests,
            (SELECT count(*)::int FROM frequency_readings) AS readings,
            (SELECT count(*)::int FROM outbox) AS outbox`,
  );
  const accounts = [
    h.accounts.deployer,
    h.accounts.wallet_1,
    h.accounts.wallet_2,
    h.accounts.wallet_3,
    h.accounts.wallet_4,
    h.accounts.wallet_5,
  ];
  const nonces = await Promise.all(
    accounts.map(async (a) => {
      const response = await fetch(`${h.devnet.url}/extended/v1/address/${a.address}/nonces`);
      return ((await response.json()) as { possible_next_nonce: number }).possible_next_nonce;
    }),
  );
  return { ...rows[0], nonces, escrow: await balanceOf(h, escrow) };
}

beforeAll(async () => {
  h = await startHarness();
  escrow = `${h.accounts.deployer.address}.grid-services`;
  revenuePool = `${h.accounts.deployer.address}.revenue-sharing`;
  // An approved facility of wallet_1 with 1,000 kWh stored, and wallet_3 as a frequency oracle.
  const registered = await confirmedCall(h, h.accounts.wallet_1, "facility-registry", "register-facility", [
    Cl.stringUtf8("Delft Battery"),
    Cl.stringUtf8("Delft, NL"),
    Cl.uint(5_000),
    Cl.uint(400),
  ]);
  facilityId = Number(/\(ok u(\d+)\)/.exec(registered.result)![1]);
  await confirmedCall(h, h.accounts.deployer, "facility-registry", "approve-facility", [Cl.uint(facilityId)]);
  await confirmedCall(h, h.accounts.wallet_1, "capacity-tracking", "initialize-capacity", [
    Cl.uint(facilityId),
    Cl.uint(1_000),
  ]);
  await confirmedCall(h, h.accounts.wallet_1, "facility-registry", "set-operator", [
    Cl.uint(facilityId),
    Cl.principal(h.accounts.wallet_2.address),
    Cl.bool(true),
  ]);
  await confirmedCall(h, h.accounts.deployer, "grid-services", "set-oracle", [
    Cl.principal(h.accounts.wallet_3.address),
    Cl.bool(true),
  ]);
}, 180_000);

afterAll(async () => {
  await h?.close();
});

describe("grid service: frequency", () => {
  it("lets an admin set the target and deadband: frequency.target.set on NATS, status in the read model", async () => {
    const response = await call(h, "PUT", "/frequency/target", {
      key: h.keys.admin,
      body: { targetMhz: 50_000, deadbandMhz: 100 },
    });
    expect(response.status).toBe(200);
    const written = response.body as unknown as Written;
    expect(written.txid).toMatch(/^0x[0-9a-f]{64}$/);
    const message = await waitFor("frequency.target.set", () =>
      h.received.find((r) => r.subject === "frequency.target.set"),
    );
    expect(message.event.chain).toEqual({ txId: written.txid, blockHeight: written.blockHeight });
    expect(message.event.payload).toEqual({
      targetMilliHz: 50_000,
      deadbandMilliHz: 100,
      by: h.accounts.deployer.address,
    });
    const status = await call(h, "GET", "/frequency/status");
    expect(status.body).toMatchObject({ targetMhz: 50_000, deadbandMhz: 100, lastTxid: written.txid });
  });

  it("writes a batch of readings only on deviation changes and at the cadence, and says which", async () => {
    const t0 = Date.parse("2026-11-24T08:00:00.000Z");
    const at = (seconds: number) => new Date(t0 + seconds * 1_000).toISOString();
    // Sent out of order: the service takes them in measurement order.
    const readings = [
      { frequencyMhz: 49_850, measuredAt: at(90) }, // still out of band, 70 s after the last report: cadence
      { frequencyMhz: 50_010, measuredAt: at(0) }, // first report: in band
      { frequencyMhz: 50_020, measuredAt: at(10) }, // unchanged, within the cadence: skipped
      { frequencyMhz: 49_800, measuredAt: at(20) }, // out of band: state change
      { frequencyMhz: 49_790, measuredAt: at(30) }, // unchanged: skipped
      { frequencyMhz: 50_000, measuredAt: at(100) }, // back in band: state change
    ];
    const response = await call(h, "POST", "/frequency/readings", { key: h.keys.meter, body: { readings } });
    expect(response.status).toBe(200);
    const result = response.body as {
      received: number;
      written: number;
      readings: {
        index: number;
        decision: string;
        written: boolean;
        deviating: boolean;
        txid: string | null;
        blockHeight: number;
      }[];
    };
    expect(result.received).toBe(6);
    expect(result.written).toBe(4);
    expect(result.readings.map((r) => [r.index, r.decision, r.deviating])).toEqual([
      [0, "cadence", true],
      [1, "state-change", false],
      [2, "skipped", false],
      [3, "state-change", true],
      [4, "skipped", true],
      [5, "state-change", false],
    ]);
    expect(result.readings.filter((r) => r.written).map((r) => r.index)).toEqual([0, 1, 3, 5]);
    expect(result.readings.filter((r) => !r.written).every((r) => r.txid === null)).toBe(true);

    for (const reading of result.readings.filter((r) => r.written)) {
      const type = reading.deviating ? "frequency.deviation" : "frequency.reported";
      const message = await waitFor(`${type} of ${reading.txid}`, () =>
        h.received.find((r) => r.subject === type && r.event.chain?.txId === reading.txid),
      );
      expect(message.event.chain!.blockHeight).toBe(reading.blockHeight);
      expect(message.event.payload).toMatchObject({
        frequencyMilliHz: readings[reading.index]!.frequencyMhz,
        targetMilliHz: 50_000,
        deadbandMilliHz: 100,
        deviating: reading.deviating,
        reporter: h.accounts.wallet_3.address,
      });
    }
    const stored = await h.db.query(
      "SELECT frequency_mhz, decision, txid IS NOT NULL AS written FROM frequency_readings ORDER BY measured_at",
    );
    expect(stored.rows.map((r) => [r.frequency_mhz, r.decision, r.written])).toEqual([
      [50_010, "state-change", true],
      [50_020, "skipped", false],
      [49_800, "state-change", true],
      [49_790, "skipped", false],
      [49_850, "cadence", true],
      [50_000, "state-change", true],
    ]);
    const status = await call(h, "GET", "/frequency/status");
    expect(status.body).toMatchObject({
      lastReadingMhz: 50_000,
      deviating: false,
      lastReporter: h.accounts.wallet_3.address,
      lastTxid: result.readings[5]!.txid,
    });
  });

  it("takes a single reading and skips it when nothing changed within the cadence", async () => {
    const response = await call(h, "POST", "/frequency/readings", {
      key: h.keys.meter,
      body: { frequencyMhz: 50_030, measuredAt: "2026-11-24T08:02:00.000Z" },
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      received: 1,
      written: 0,
      readings: [{ index: 0, decision: "skipped", written: false, deviating: false, txid: null }],
    });
  });

  it("refuses a reading from a principal that is neither admin nor oracle with the contract's ERR_NOT_REPORTER, before signing", async () => {
    const before = (await h.db.query("SELECT count(*)::int AS n FROM frequency_readings")).rows[0].n as number;
    const untouched = await footprint();
    // Out of band after an in-band report: a state change, so it goes to the chain, which refuses it.
    const response = await call(h, "POST", "/frequency/readings", {
      key: h.keys.facilityOperator,
      body: { frequencyMhz: 45_000, measuredAt: "2026-11-24T08:03:00.000Z" },
    });
    expect([response.status, response.body.code]).toEqual([403, "ERR_NOT_REPORTER"]);
    expect(response.body.details).toEqual({ principal: h.accounts.wallet_2.address });
    expect(await footprint()).toEqual(untouched);
    expect((await h.db.query("SELECT count(*)::int AS n FROM frequency_readings")).rows[0].n).toBe(before);
    expect((await call(h, "GET", "/frequency/status")).body).toMatchObject({
      lastReadingMhz: 50_000,
      deviating: false,
    });
  });

  it("refuses a deadband not below the target with the contract's 422 ERR_INVALID_DEADBAND, before signing", async () => {
    const before = await footprint();
    const response = await call(h, "PUT", "/frequency/target", {
      key: h.keys.admin,
      body: { targetMhz: 1_000, deadbandMhz: 1_000 },
    });
    expect([response.status, response.body.code]).toEqual([422, "ERR_INVALID_DEADBAND"]);
    expect(response.body.details).toEqual({ targetMhz: 1_000, deadbandMhz: 1_000 });
    expect(await footprint()).toEqual(before);
  });

  it("refuses an admin of this service who is no admin of the facility registry with ERR_NOT_ADMIN, before signing", async () => {
    const before = await footprint();
    const outsider = { address: h.accounts.wallet_5.address, key: h.keys.notRegistryAdmin };
    const cases: [string, string, unknown][] = [
      ["PUT", "/frequency/target", { targetMhz: 50_000, deadbandMhz: 100 }],
      ["PUT", `/frequency/oracles/${h.accounts.wallet_4.address}`, { enabled: true }],
      ["POST", "/service-requests", await validCreate()],
    ];
    for (const [method, path, body] of cases) {
      const response = await call(h, method, path, { key: outsider.key, body });
      expect([path, response.status, response.body.code]).toEqual([path, 403, "ERR_NOT_ADMIN"]);
      expect(response.body.details).toEqual({ principal: outsider.address });
    }
    expect(await footprint()).toEqual(before);
  });
});

describe("grid service: service requests", () => {
  let fulfilledId: number;

  it("escrows the payment on creation, pays the facility's pool and refunds the rest on fulfilment", async () => {
    const admin = h.accounts.deployer.address;
    const [adminBefore, escrowBefore, poolBefore] = await Promise.all([
      balanceOf(h, admin),
      balanceOf(h, escrow),
      balanceOf(h, revenuePool),
    ]);
    const created = await createRequest({
      serviceType: "frequency-regulation",
      powerKw: 250,
      energyKwh: 400,
      paymentUstx: "1000003",
      expiresAt: (await tipHeight()) + 1_000,
    });
    fulfilledId = created.requestId;
    const createFee = await feeOf(h, created.txid);
    expect(await balanceOf(h, escrow)).toBe(escrowBefore + 1_000_003n);
    expect(await balanceOf(h, admin)).toBe(adminBefore - 1_000_003n - createFee);

    const requested = await waitFor("service.requested", () =>
      eventOf("service.requested", (p) => p.requestId === fulfilledId),
    );
    expect(requested.event.chain).toEqual({ txId: created.txid, blockHeight: created.blockHeight });
    expect(requested.event.payload).toMatchObject({ paymentUstx: "1000003", requester: admin, energyKwh: 400 });
    expect((await call(h, "GET", `/service-requests/${fulfilledId}`)).body).toMatchObject({
      status: "open",
      paymentUstx: "1000003",
      createdTxid: created.txid,
    });

    const accepted = await call(h, "POST", `/service-requests/${fulfilledId}/accept`, {
      key: h.keys.owner,
      body: { facilityId },
    });
    expect(accepted.status).toBe(200);
    const acceptedMessage = await waitFor("service.accepted", () =>
      eventOf("service.accepted", (p) => p.requestId === fulfilledId),
    );
    expect(acceptedMessage.event.chain!.txId).toBe((accepted.body as unknown as Written).txid);
    expect(acceptedMessage.event.payload).toMatchObject({ facilityId, acceptedBy: h.accounts.wallet_1.address });

    const adminBeforeFulfil = await balanceOf(h, admin);
    const fulfilled = await call(h, "POST", `/service-requests/${fulfilledId}/fulfil`, {
      key: h.keys.admin,
      body: { performanceBps: 7_500 },
    });
    expect(fulfilled.status).toBe(200);
    // 1,000,003 x 7,500 / 10,000 = 750,002 (rounded down); the requester gets 250,001 back.
    expect(fulfilled.body.payoutUstx).toBe("750002");
    const fulfilTxid = (fulfilled.body as unknown as Written).txid;
    const fulfilFee = await feeOf(h, fulfilTxid);
    expect(await balanceOf(h, revenuePool)).toBe(poolBefore + 750_002n);
    expect(await balanceOf(h, escrow)).toBe(escrowBefore);
    expect(await balanceOf(h, admin)).toBe(adminBeforeFulfil + 250_001n - fulfilFee);

    const message = await waitFor("service.fulfilled", () =>
      eventOf("service.fulfilled", (p) => p.requestId === fulfilledId),
    );
    expect(message.event.chain).toEqual({
      txId: fulfilTxid,
      blockHeight: (fulfilled.body as unknown as Written).blockHeight,
    });
    expect(message.event.payload).toEqual({
      requestId: fulfilledId,
      facilityId,
      performanceBps: 7_500,
      paymentUstx: "1000003",
      payoutUstx: "750002",
      refundUstx: "250001",
      requester: admin,
    });
    expect((await call(h, "GET", `/service-requests/${fulfilledId}`)).body).toMatchObject({
      status: "fulfilled",
      facilityId,
      performanceBps: 7_500,
      payoutUstx: "750002",
      refundUstx: "250001",
      lastTxid: fulfilTxid,
    });
  });

  it("cancels an open request and refunds the whole payment", async () => {
    const admin = h.accounts.deployer.address;
    const escrowBefore = await balanceOf(h, escrow);
    const created = await createRequest({
      serviceType: "peak-shaving",
      powerKw: 100,
      energyKwh: 50,
      paymentUstx: "2500000",
      expiresAt: (await tipHeight()) + 1_000,
    });
    expect(await balanceOf(h, escrow)).toBe(escrowBefore + 2_500_000n);
    const adminBefore = await balanceOf(h, admin);
    const cancelled = await call(h, "POST", `/service-requests/${created.requestId}/cancel`, {
      key: h.keys.admin,
      body: {},
    });
    expect(cancelled.status).toBe(200);
    const fee = await feeOf(h, (cancelled.body as unknown as Written).txid);
    expect(await balanceOf(h, escrow)).toBe(escrowBefore);
    expect(await balanceOf(h, admin)).toBe(adminBefore + 2_500_000n - fee);
    const message = await waitFor("service.cancelled", () =>
      eventOf("service.cancelled", (p) => p.requestId === created.requestId),
    );
    expect(message.event.payload).toEqual({
      requestId: created.requestId,
      refundUstx: "2500000",
      requester: admin,
      expired: false,
    });
    expect((await call(h, "GET", `/service-requests/${created.requestId}`)).body).toMatchObject({
      status: "cancelled",
      refundUstx: "2500000",
      expired: false,
    });
  });

  it("sweeps expired open requests (endpoint and scheduler), refunding each in full", async () => {
    const escrowBefore = await balanceOf(h, escrow);
    // Far enough ahead for both creations to confirm first (100 ms blocks), near enough to wait for.
    const expiresAt = (await tipHeight()) + 15;
    const expiring = (paymentUstx: string) =>
      createRequest({ serviceType: "reserve", powerKw: 10, energyKwh: 10, paymentUstx, expiresAt });
    const [first, second] = await Promise.all([expiring("700"), expiring("900")]);
    const notYet = await createRequest({
      serviceType: "reserve",
      powerKw: 10,
      energyKwh: 10,
      paymentUstx: "500",
      expiresAt: (await tipHeight()) + 1_000,
    });
    expect(await balanceOf(h, escrow)).toBe(escrowBefore + 2_100n);
    await waitFor("the expiry height", async () => (await tipHeight()) >= expiresAt);

    // The contract would refuse to accept an expired request: ERR_REQUEST_EXPIRED, here before signing.
    const beforeLate = await footprint();
    const late = await call(h, "POST", `/service-requests/${first.requestId}/accept`, {
      key: h.keys.owner,
      body: { facilityId },
    });
    expect([late.status, late.body.code]).toEqual([409, "ERR_REQUEST_EXPIRED"]);
    expect(late.body.details).toEqual({ requestId: first.requestId, expiresAt, height: expect.any(Number) });
    expect((late.body.details as { height: number }).height).toBeGreaterThanOrEqual(expiresAt);
    expect(await footprint()).toEqual(beforeLate);

    // The scheduler's pass and the endpoint share the work; together they cancel exactly the expired two.
    await h.service.app.get(ExpirySweepScheduler).runOnce();
    const swept = await call(h, "POST", "/admin/expiry-sweep", { key: h.keys.admin, body: {} });
    expect(swept.status).toBe(200);
    expect(swept.body).toMatchObject({ cancelled: [], failed: [] });
    const journal = await h.db.query(
      "SELECT requested_by FROM chain_transactions WHERE function_name = 'cancel-request' AND requested_by = 'expiry-sweep'",
    );
    expect(journal.rows.length).toBe(2);

    for (const request of [first, second]) {
      const message = await waitFor("service.cancelled (expired)", () =>
        eventOf("service.cancelled", (p) => p.requestId === request.requestId),
      );
      expect(message.event.payload).toMatchObject({ expired: true });
      expect((await call(h, "GET", `/service-requests/${request.requestId}`)).body).toMatchObject({
        status: "cancelled",
        expired: true,
      });
    }
    expect((await call(h, "GET", `/service-requests/${notYet.requestId}`)).body.status).toBe("open");
    expect(await balanceOf(h, escrow)).toBe(escrowBefore + 500n);
  });

  it("lets an operator the owner enabled accept for the facility; full performance pays the whole payment", async () => {
    const created = await createRequest({
      serviceType: "frequency-regulation",
      powerKw: 400,
      energyKwh: 1_000,
      paymentUstx: "3000000",
      expiresAt: (await tipHeight()) + 1_000,
    });
    const accepted = await call(h, "POST", `/service-requests/${created.requestId}/accept`, {
      key: h.keys.facilityOperator,
      body: { facilityId },
    });
    expect(accepted.status).toBe(200);
    const [poolBefore, escrowBefore, adminBefore] = await Promise.all([
      balanceOf(h, revenuePool),
      balanceOf(h, escrow),
      balanceOf(h, h.accounts.deployer.address),
    ]);
    const fulfilled = await call(h, "POST", `/service-requests/${created.requestId}/fulfil`, {
      key: h.keys.admin,
      body: { performanceBps: 10_000 },
    });
    expect([fulfilled.status, fulfilled.body.payoutUstx]).toEqual([200, "3000000"]);
    const fee = await feeOf(h, (fulfilled.body as unknown as Written).txid);
    expect(await balanceOf(h, revenuePool)).toBe(poolBefore + 3_000_000n);
    expect(await balanceOf(h, escrow)).toBe(escrowBefore - 3_000_000n);
    expect(await balanceOf(h, h.accounts.deployer.address)).toBe(adminBefore - fee);
    const message = await waitFor("service.accepted by the operator", () =>
      eventOf("service.accepted", (p) => p.requestId === created.requestId),
    );
    expect(message.event.payload).toMatchObject({ facilityId, acceptedBy: h.accounts.wallet_2.address });
    const paid = await waitFor("service.fulfilled", () =>
      eventOf("service.fulfilled", (p) => p.requestId === created.requestId),
    );
    expect(paid.event.payload).toMatchObject({ payoutUstx: "3000000", refundUstx: "0", performanceBps: 10_000 });
  });

  it("follows a request created straight from the admin's wallet, outside the API, like its own", async () => {
    const expiresAt = (await tipHeight()) + 500;
    const escrowBefore = await balanceOf(h, escrow);
    const { txid, blockHeight } = await confirmedCall(
      h,
      h.accounts.deployer,
      "grid-services",
      "create-service-request",
      [Cl.stringAscii("voltage-support"), Cl.uint(20), Cl.uint(30), Cl.uint(123_456), Cl.uint(expiresAt)],
      { postConditions: [Pc.principal(h.accounts.deployer.address).willSendEq(123_456).ustx()] },
    );
    expect(await balanceOf(h, escrow)).toBe(escrowBefore + 123_456n);
    const message = await waitFor("service.requested from the wallet", () =>
      h.received.find((r) => r.subject === "service.requested" && r.event.chain?.txId === txid),
    );
    expect(message.event.chain!.blockHeight).toBe(blockHeight);
    expect(message.event.payload).toMatchObject({
      serviceType: "voltage-support",
      paymentUstx: "123456",
      expiresAtBlock: expiresAt,
    });
    const requestId = (message.event.payload as { requestId: number }).requestId;
    const view = await waitFor("the wallet's request in the read model", async () => {
      const { status, body } = await call(h, "GET", `/service-requests/${requestId}`);
      return status === 200 ? body : undefined;
    });
    expect(view).toMatchObject({ status: "open", createdTxid: txid, paymentUstx: "123456" });
    // Not sent by the service, so not in its journal.
    expect((await call(h, "GET", `/transactions/${txid}`, { key: h.keys.admin })).status).toBe(404);
    // The oracle enabled from the wallet before the tests is on the stream too.
    const oracle = await waitFor("frequency.oracle.set", () =>
      h.received.find((r) => r.subject === "frequency.oracle.set"),
    );
    expect(oracle.event.payload).toEqual({ oracle: h.accounts.wallet_3.address, enabled: true });
    expect((await call(h, "GET", "/frequency/oracles")).body.items).toEqual([
      expect.objectContaining({
        oracle: h.accounts.wallet_3.address,
        enabled: true,
        lastTxid: oracle.event.chain!.txId,
      }),
    ]);
  });

  it("refuses what the contract would refuse before signing, with its code and the figures, changing nothing", async () => {
    const open = await createRequest({ ...(await validCreate()), powerKw: 100, energyKwh: 5_000 });
    const tooStrong = await createRequest({ ...(await validCreate()), powerKw: 401, energyKwh: 1 });
    // A second facility of wallet_1, registered but not approved.
    const registered = await confirmedCall(h, h.accounts.wallet_1, "facility-registry", "register-facility", [
      Cl.stringUtf8("Rotterdam Battery"),
      Cl.stringUtf8("Rotterdam, NL"),
      Cl.uint(2_000),
      Cl.uint(300),
    ]);
    const pendingFacility = Number(/\(ok u(\d+)\)/.exec(registered.result)![1]);
    const availableKwh = await availableKwhOnChain(facilityId);
    expect(availableKwh).toBeLessThan(5_000);
    const adminBalance = await balanceOf(h, h.accounts.deployer.address);
    const before = await footprint();

    const cases: [string, string, string, unknown, number, string, Record<string, unknown>][] = [
      [
        "POST",
        `/service-requests/${open.requestId}/accept`,
        h.keys.owner,
        { facilityId },
        409,
        "ERR_INSUFFICIENT_CAPACITY",
        { requestId: open.requestId, facilityId, requestedKwh: 5_000, availableKwh },
      ],
      [
        "POST",
        `/service-requests/${tooStrong.requestId}/accept`,
        h.keys.owner,
        { facilityId },
        409,
        "ERR_INSUFFICIENT_POWER",
        { requestId: tooStrong.requestId, facilityId, requestedKw: 401, availableKw: 400 },
      ],
      [
        "POST",
        `/service-requests/${open.requestId}/accept`,
        h.keys.owner,
        { facilityId: pendingFacility },
        409,
        "ERR_FACILITY_NOT_APPROVED",
        { facilityId: pendingFacility, status: "pending" },
      ],
      [
        "POST",
        `/service-requests/${fulfilledId}/accept`,
        h.keys.owner,
        { facilityId },
        409,
        "ERR_REQUEST_NOT_OPEN",
        { requestId: fulfilledId, status: "fulfilled" },
      ],
      [
        "POST",
        `/service-requests/${open.requestId}/accept`,
        h.keys.owner,
        { facilityId: 424_242 },
        404,
        "FACILITY_NOT_FOUND",
        { facilityId: 424_242 },
      ],
      [
        "POST",
        `/service-requests/${open.requestId}/fulfil`,
        h.keys.admin,
        { performanceBps: 10_000 },
        409,
        "ERR_REQUEST_NOT_ACCEPTED",
        { requestId: open.requestId, status: "open" },
      ],
      [
        "POST",
        `/service-requests/${fulfilledId}/cancel`,
        h.keys.admin,
        {},
        409,
        "ERR_REQUEST_NOT_OPEN",
        { requestId: fulfilledId, status: "fulfilled" },
      ],
      [
        "POST",
        "/service-requests",
        h.keys.admin,
        { ...(await validCreate()), expiresAt: 1 },
        422,
        "ERR_INVALID_EXPIRY",
        { expiresAt: 1, height: expect.any(Number) },
      ],
      [
        "POST",
        "/service-requests",
        h.keys.admin,
        { ...(await validCreate()), paymentUstx: (adminBalance + 1n).toString() },
        422,
        "ERR_INSUFFICIENT_FUNDS",
        {
          principal: h.accounts.deployer.address,
          paymentUstx: (adminBalance + 1n).toString(),
          balanceUstx: adminBalance.toString(),
        },
      ],
    ];
    for (const [method, path, key, body, status, code, details] of cases) {
      const response = await call(h, method, path, { key, body });
      expect([path, response.status, response.body.code]).toEqual([path, status, code]);
      expect(response.body.details).toEqual(details);
      expect(typeof response.body.message).toBe("string");
    }
    expect(await footprint()).toEqual(before);
    // Every refusal in this suite was decided before signing: the journal holds no failed transaction.
    const failed = await call(h, "GET", "/transactions?status=failed", { key: h.keys.admin });
    expect(failed.body.items).toEqual([]);
  });

  it("takes every service type of the catalogue and refuses any other with the allowed values", async () => {
    const before = await footprint();
    for (const serviceType of ["frequency-regulaton", "x", "Peak-Shaving", ""]) {
      const response = await call(h, "POST", "/service-requests", {
        key: h.keys.admin,
        body: { ...(await validCreate()), serviceType },
      });
      expect([serviceType, response.status, response.body.code]).toEqual([serviceType, 400, "VALIDATION_FAILED"]);
      const issues = (response.body.details as { issues: { path: string; message: string }[] }).issues;
      expect(issues).toEqual([
        expect.objectContaining({ path: "serviceType", message: `must be one of ${SERVICE_TYPES.join(", ")}` }),
      ]);
    }
    expect(await footprint()).toEqual(before);

    const created = await Promise.all(
      SERVICE_TYPES.map(async (serviceType) => ({
        serviceType,
        request: await createRequest({ ...(await validCreate()), serviceType }),
      })),
    );
    for (const { serviceType, request } of created) {
      expect((await call(h, "GET", `/service-requests/${request.requestId}`)).body).toMatchObject({
        serviceType,
        status: "open",
      });
    }
    const documented = (await call(h, "GET", "/docs/json")).body as {
      paths: Record<string, { post?: { requestBody: { content: Record<string, { schema: unknown }> } } }>;
    };
    const schema = documented.paths["/service-requests"]!.post!.requestBody.content["application/json"]!.schema;
    expect(schema).toMatchObject({ properties: { serviceType: { enum: [...SERVICE_TYPES] } } });
  });

  it("refuses callers without credentials, with the wrong role or for a foreign principal or facility, changing nothing", async () => {
    const open = (await call(h, "GET", "/service-requests?status=open&limit=1")).body.items as { id: number }[];
    const id = open[0]!.id;
    const before = await footprint();
    const create = { serviceType: "reserve", powerKw: 1, energyKwh: 1, paymentUstx: "1", expiresAt: 100_000 };
    const cases: [string, string, string | undefined, unknown, number, string][] = [
      ["POST", "/service-requests", undefined, create, 401, "UNAUTHENTICATED"],
      ["POST", "/service-requests", "nope", create, 401, "INVALID_CREDENTIALS"],
      ["POST", "/service-requests", h.keys.owner, create, 403, "ROLE_NOT_ALLOWED"],
      ["PUT", "/frequency/target", h.keys.meter, { targetMhz: 60_000, deadbandMhz: 100 }, 403, "ROLE_NOT_ALLOWED"],
      ["POST", "/frequency/readings", h.keys.owner, { frequencyMhz: 40_000 }, 403, "ROLE_NOT_ALLOWED"],
      ["POST", `/service-requests/${id}/fulfil`, h.keys.owner, { performanceBps: 1 }, 403, "ROLE_NOT_ALLOWED"],
      ["POST", `/service-requests/${id}/cancel`, h.keys.meter, {}, 403, "ROLE_NOT_ALLOWED"],
      ["POST", `/service-requests/${id}/accept`, h.keys.admin, { facilityId }, 403, "ROLE_NOT_ALLOWED"],
      ["POST", "/admin/expiry-sweep", h.keys.owner, {}, 403, "ROLE_NOT_ALLOWED"],
      ["POST", `/service-requests/${id}/accept`, h.keys.foreignOwner, { facilityId }, 403, "FACILITY_NOT_AUTHORIZED"],
      [
        "POST",
        `/service-requests/${id}/accept`,
        h.keys.foreignOwner,
        { facilityId, actAs: h.accounts.wallet_1.address },
        403,
        "PRINCIPAL_NOT_ALLOWED",
      ],
      [
        "POST",
        `/service-requests/${id}/cancel`,
        h.keys.admin,
        { actAs: h.accounts.wallet_1.address },
        403,
        "PRINCIPAL_NOT_ALLOWED",
      ],
    ];
    for (const [method, path, key, body, status, code] of cases) {
      const response = await call(h, method, path, { ...(key ? { key } : {}), body });
      expect([method, path, response.status, response.body.code]).toEqual([method, path, status, code]);
    }
    // A block later still nothing: no transaction reached the chain or the database.
    const height = await h.devnet.mineBlock();
    // The follower has read the chain up to that block.
    expect(await h.service.app.get(GridSyncService).sync.syncToTip()).toBeGreaterThanOrEqual(height);
    expect(await footprint()).toEqual(before);
  });

  it("answers malformed bodies, wrong types, huge numbers, negative amounts and unknown ids with a 4xx and a clear code", async () => {
    const valid = { serviceType: "reserve", powerKw: 1, energyKwh: 1, paymentUstx: "1", expiresAt: 100_000 };
    const admin = h.keys.admin;
    const cases: [string, string, string, { body?: unknown; rawBody?: string }, number, string][] = [
      ["POST", "/service-requests", admin, { rawBody: '{"serviceType": ' }, 400, "MALFORMED_JSON"],
      ["POST", "/service-requests", admin, { body: { ...valid, paymentUstx: 1000 } }, 400, "VALIDATION_FAILED"],
      ["POST", "/service-requests", admin, { body: { ...valid, paymentUstx: "-5" } }, 400, "VALIDATION_FAILED"],
      ["POST", "/service-requests", admin, { body: { ...valid, paymentUstx: "1.5" } }, 400, "VALIDATION_FAILED"],
      [
        "POST",
        "/service-requests",
        admin,
        { body: { ...valid, paymentUstx: "9".repeat(40) } },
        400,
        "VALIDATION_FAILED",
      ],
      ["POST", "/service-requests", admin, { body: { ...valid, powerKw: 1e30 } }, 400, "VALIDATION_FAILED"],
      ["POST", "/service-requests", admin, { body: { ...valid, energyKwh: -1 } }, 400, "VALIDATION_FAILED"],
      ["POST", "/service-requests", admin, { body: { ...valid, serviceType: "é" } }, 400, "VALIDATION_FAILED"],
      ["POST", "/service-requests", admin, { body: { ...valid, extra: 1 } }, 400, "VALIDATION_FAILED"],
      ["POST", "/service-requests/abc/cancel", admin, { body: {} }, 400, "VALIDATION_FAILED"],
      ["POST", "/service-requests/99999999999/cancel", admin, { body: {} }, 400, "VALIDATION_FAILED"],
      ["POST", "/service-requests/424242/cancel", admin, { body: {} }, 404, "REQUEST_NOT_FOUND"],
      ["POST", "/service-requests/424242/fulfil", admin, { body: { performanceBps: 5 } }, 404, "REQUEST_NOT_FOUND"],
      ["POST", "/service-requests/1/fulfil", admin, { body: { performanceBps: 10_001 } }, 400, "VALIDATION_FAILED"],
      ["POST", "/service-requests/1/fulfil", admin, { body: { performanceBps: "all" } }, 400, "VALIDATION_FAILED"],
      ["POST", "/service-requests/424242/accept", h.keys.owner, { body: { facilityId } }, 404, "REQUEST_NOT_FOUND"],
      ["POST", "/service-requests/1/accept", h.keys.owner, { body: { facilityId: "one" } }, 400, "VALIDATION_FAILED"],
      ["POST", "/frequency/readings", h.keys.meter, { body: { readings: [] } }, 400, "VALIDATION_FAILED"],
      ["POST", "/frequency/readings", h.keys.meter, { body: { frequencyMhz: -50 } }, 400, "VALIDATION_FAILED"],
      ["POST", "/frequency/readings", h.keys.meter, { body: { frequencyMhz: 1e12 } }, 400, "VALIDATION_FAILED"],
      [
        "POST",
        "/frequency/readings",
        h.keys.meter,
        { body: { frequencyMhz: 50_000, measuredAt: "yesterday" } },
        400,
        "VALIDATION_FAILED",
      ],
      ["PUT", "/frequency/target", admin, { body: { targetMhz: "50Hz", deadbandMhz: 1 } }, 400, "VALIDATION_FAILED"],
    ];
    for (const [method, path, key, options, status, code] of cases) {
      const response = await call(h, method, path, { key, ...options });
      expect([method, path, response.status, response.body.code]).toEqual([method, path, status, code]);
      expect(typeof response.body.message).toBe("string");
    }
    expect((await call(h, "GET", "/service-requests/424242")).body.code).toBe("REQUEST_NOT_FOUND");
    expect((await call(h, "GET", "/service-requests?status=lost")).status).toBe(400);
    expect((await call(h, "GET", "/service-requests?limit=1000")).status).toBe(400);
  });

  it("pages and filters the read model", async () => {
    const byFacility = await call(h, "GET", `/service-requests?facility=${facilityId}`);
    const facilityIds = (byFacility.body.items as { id: number }[]).map((r) => r.id);
    expect(facilityIds).toHaveLength(2);
    expect(facilityIds[0]).toBe(fulfilledId);
    const fulfilled = await call(h, "GET", "/service-requests?status=fulfilled");
    expect((fulfilled.body.items as { id: number }[]).map((r) => r.id)).toEqual(facilityIds);
    const first = await call(h, "GET", "/service-requests?limit=2");
    expect((first.body.items as unknown[]).length).toBe(2);
    const after = first.body.nextAfter as number;
    const next = await call(h, "GET", `/service-requests?limit=100&after=${after}`);
    const ids = (next.body.items as { id: number }[]).map((r) => r.id);
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.every((id) => id > after)).toBe(true);
    expect(next.body.nextAfter).toBeNull();
  });

  it("rebuilds the same read model from height 0 without publishing anything again", async () => {
    const snapshot = async () => ({
      requests: (await call(h, "GET", "/service-requests?limit=100")).body,
      status: (await call(h, "GET", "/frequency/status")).body,
      oracles: (await call(h, "GET", "/frequency/oracles")).body,
    });
    const before = await snapshot();
    const received = h.received.length;
    const outbox = async () => (await h.db.query("SELECT count(*)::int AS n FROM outbox")).rows[0].n as number;
    const outboxBefore = await outbox();
    await h.db.query("UPDATE service_requests SET status = 'open', payout_ustx = 0");
    await h.db.query("DELETE FROM frequency_status");
    await h.db.query("DELETE FROM frequency_oracles");
    const response = await call(h, "POST", "/admin/resync", { key: h.keys.admin, body: { fromHeight: 0 } });
    expect(response.status).toBe(200);
    expect(await snapshot()).toEqual(before);
    expect(await outbox()).toBe(outboxBefore);
    await h.nats.flush();
    expect(h.received.length).toBe(received);
  });

  it("serves its OpenAPI document with every operation", async () => {
    const { status, body } = await call(h, "GET", "/docs/json");
    expect(status).toBe(200);
    expect(Object.keys(body.paths as object)).toEqual(
      expect.arrayContaining([
        "/frequency/target",
        "/frequency/readings",
        "/frequency/status",
        "/frequency/oracles",
        "/frequency/oracles/{principal}",
        "/service-requests",
        "/service-requests/{id}",
        "/service-requests/{id}/accept",
        "/service-requests/{id}/fulfil",
        "/service-requests/{id}/cancel",
        "/admin/expiry-sweep",
        "/admin/resync",
        "/transactions",
        "/dead-letters",
      ]),
    );
  });
});
