import { Cl } from "@stacks/transactions";
import { droopW, DYNAMIC_CONTAINMENT } from "@voltstack/scoring";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, confirmedCall, type Harness, startHarness, waitFor } from "./support/grid-harness.js";

// A frequency-containment program scored from telemetry: three facilities meter a frequency dip,
// one answers it fully, one by half, one sends nothing; the sweep scores the period from their
// 2-second samples, posts the performances and the cohort settles with exactly those numbers.
// Real devnet (100 ms blocks), PostgreSQL and NATS.

const PERIOD_BLOCKS = 60; // about 6 s of 100 ms blocks
const COMMITTED_KW = 100;
const CAPACITY_PRICE = 1_000n;
const ENERGY_PRICE = 10n;
// 100 mHz low: under the fast profile (deadband 15 mHz, full at 500 mHz within 1 s), 85/485 of the
// committed power at once; FCR's 30 s ramp would excuse a half answer over a period this short.
const DIP_MILLIHZ = 49_900;
const STEP_MS = 2_000;

let h: Harness;
let facilities: number[];
let programId: number;
let startHeight: number;

async function tipHeight(): Promise<number> {
  const response = await fetch(`${h.devnet.url}/v2/info`);
  return ((await response.json()) as { stacks_tip_height: number }).stacks_tip_height;
}

async function blockTime(height: number): Promise<number> {
  const response = await fetch(`${h.devnet.url}/extended/v2/blocks/${height}`);
  return ((await response.json()) as { block_time: number }).block_time * 1_000;
}

type Score = {
  facilityId: number;
  method: string;
  performanceBps: number;
  deliveredKwh: number;
  amountUstx: string;
  breakdown: Record<string, unknown>;
};

beforeAll(async () => {
  h = await startHarness({
    config: { PROGRAM_SETTLE_INTERVAL_MS: "0", PROGRAM_SCORING_INTERVAL_MS: "0", PROGRAM_SCORING_GRACE_S: "0" },
  });
  facilities = [];
  for (const name of ["Full answer", "Half answer", "Silent meter"]) {
    const { result } = await confirmedCall(h, h.accounts.wallet_1, "facility-registry", "register-facility", [
      Cl.stringUtf8(name),
      Cl.stringUtf8("Esbjerg, DK"),
      Cl.uint(2_000),
      Cl.uint(400),
    ]);
    facilities.push(Number(/\(ok u(\d+)\)/.exec(result)![1]));
  }
  for (const id of facilities) {
    await confirmedCall(h, h.accounts.deployer, "facility-registry", "approve-facility", [Cl.uint(id)]);
    await confirmedCall(h, h.accounts.wallet_1, "capacity-tracking", "initialize-capacity", [
      Cl.uint(id),
      Cl.uint(1_000),
    ]);
  }
}, 120_000);

afterAll(async () => {
  await h?.close();
});

describe("grid service: performance scored from telemetry", () => {
  it("scores each facility's period from its samples, posts the performances and settles the cohort with them", async () => {
    startHeight = (await tipHeight()) + 80;
    const created = await call(h, "POST", "/programs", {
      key: h.keys.admin,
      body: {
        product: "frequency-containment",
        startHeight,
        periodBlocks: PERIOD_BLOCKS,
        periodCount: 1,
        capacityPriceUstx: CAPACITY_PRICE.toString(),
        energyPriceUstx: ENERGY_PRICE.toString(),
        budgetUstx: "10000000",
        settleWindow: 600,
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    programId = created.body.programId as number;
    for (const facilityId of facilities) {
      const enrolled = await call(h, "POST", `/programs/${programId}/enrolments`, {
        key: h.keys.owner,
        body: { facilityId, committedKw: COMMITTED_KW },
      });
      expect(enrolled.status, JSON.stringify(enrolled.body)).toBe(201);
    }
    const enabled = await call(h, "PUT", `/programs/${programId}/scoring`, {
      key: h.keys.admin,
      body: { containmentProfile: "dynamic-containment" },
    });
    expect(enabled.body).toMatchObject({ programId, containmentProfile: "dynamic-containment", nextPeriod: 0 });

    // Before the period has ended, the sweep scores nothing.
    const early = await call(h, "POST", "/admin/scoring-sweep", { key: h.keys.admin, body: {} });
    expect(early.body).toMatchObject({ periods: [], failed: [] });

    const endsAt = startHeight + PERIOD_BLOCKS;
    await waitFor("the block after the period", async () => (await tipHeight()) >= endsAt, 30_000);
    const from = Math.floor((await blockTime(startHeight)) / STEP_MS) * STEP_MS - STEP_MS;
    const to = (await blockTime(endsAt)) + STEP_MS;
    const requiredW = droopW(DIP_MILLIHZ, COMMITTED_KW * 1_000, DYNAMIC_CONTAINMENT);
    expect(requiredW).toBeGreaterThan(15_000);
    const samples = (share: number) =>
      Array.from({ length: (to - from) / STEP_MS + 1 }, (_, index) => ({
        at: new Date(from + index * STEP_MS).toISOString(),
        powerW: Math.round(requiredW * share),
        frequencyMilliHz: DIP_MILLIHZ,
      }));
    for (const [facilityId, share] of [
      [facilities[0]!, 1],
      [facilities[1]!, 0.5],
    ] as const) {
      const posted = await call(h, "POST", `/facilities/${facilityId}/telemetry`, {
        key: h.keys.admin,
        body: { samples: samples(share) },
      });
      expect(posted.status, JSON.stringify(posted.body)).toBe(200);
    }

    const swept = await call(h, "POST", "/admin/scoring-sweep", { key: h.keys.admin, body: {} });
    expect(swept.status, JSON.stringify(swept.body)).toBe(200);
    expect(swept.body).toMatchObject({ periods: [{ programId, period: 0, scored: 3, posted: 3 }], failed: [] });

    const { items } = (await call(h, "GET", `/programs/${programId}/periods/0/scores`)).body as { items: Score[] };
    const [full, half, silent] = facilities.map((id) => items.find((score) => score.facilityId === id)!);
    expect(full).toMatchObject({ method: "containment" });
    expect(full!.performanceBps).toBeGreaterThanOrEqual(9_900);
    expect(half!.performanceBps).toBeGreaterThan(4_000);
    expect(half!.performanceBps).toBeLessThan(6_500);
    expect(silent!.performanceBps).toBe(0);

    // The settled lines carry exactly the scored numbers, and the score says what the line earns.
    for (const score of [full!, half!, silent!]) {
      const answer = await waitFor(`facility ${score.facilityId}'s settled line`, async () => {
        const response = await call(h, "GET", `/programs/${programId}/periods/0/facilities/${score.facilityId}`);
        return response.status === 200 ? response.body : undefined;
      });
      const line = answer.line as Record<string, string>;
      expect(line).toMatchObject({
        performanceBps: String(score.performanceBps),
        deliveredKwh: String(score.deliveredKwh),
        amountUstx: score.amountUstx,
      });
      expect(BigInt(score.amountUstx)).toBe(
        (BigInt(COMMITTED_KW) * CAPACITY_PRICE * BigInt(score.performanceBps)) / 10_000n +
          BigInt(score.deliveredKwh) * ENERGY_PRICE,
      );
    }

    // What an owner sees: the breakdown and a plot-ready series of required against delivered.
    const detail = await call(h, "GET", `/programs/${programId}/periods/0/facilities/${facilities[1]}/score`);
    expect(detail.body).toMatchObject({ method: "containment", breakdown: { profile: "dynamic-containment" } });
    const series = detail.body.series as { requiredW: number | null; responseW: number }[];
    expect(series.length).toBeGreaterThan(0);
    expect(series.some((point) => point.requiredW !== null && point.responseW < point.requiredW)).toBe(true);

    // Swept again, nothing is scored or posted twice.
    const again = await call(h, "POST", "/admin/scoring-sweep", { key: h.keys.admin, body: {} });
    expect(again.body).toMatchObject({ periods: [], failed: [] });
    const { rows } = await h.db.query(`SELECT count(*)::int AS n FROM program_performances WHERE program_id = $1`, [
      programId,
    ]);
    expect(rows[0].n).toBe(3);
  }, 120_000);

  it("fulfils a service request with the performance its facility's telemetry shows, keeps the score and pays by it", async () => {
    const facilityId = facilities[2]!;
    const created = await call(h, "POST", "/service-requests", {
      key: h.keys.admin,
      body: {
        serviceType: "peak-shaving",
        powerKw: 100,
        energyKwh: 100,
        paymentUstx: "1000000",
        expiresAt: (await tipHeight()) + 1_000,
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const requestId = created.body.requestId as number;
    const accepted = await call(h, "POST", `/service-requests/${requestId}/accept`, {
      key: h.keys.owner,
      body: { facilityId },
    });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);

    // Ten minutes at 75 kW against 100 kW asked: 75 % of the energy, 12 kWh delivered.
    const to = Math.floor(Date.now() / STEP_MS) * STEP_MS;
    const from = to - 600_000;
    const samples = Array.from({ length: 300 }, (_, index) => ({
      at: new Date(from + index * STEP_MS).toISOString(),
      powerW: 75_000,
    }));
    expect(
      (await call(h, "POST", `/facilities/${facilityId}/telemetry`, { key: h.keys.admin, body: { samples } })).status,
    ).toBe(200);

    const window = { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
    const future = await call(h, "POST", `/service-requests/${requestId}/fulfil-from-telemetry`, {
      key: h.keys.admin,
      body: { from: window.from, to: new Date(Date.now() + 600_000).toISOString() },
    });
    expect(future.status).toBe(400);
    expect(future.body).toMatchObject({ code: "SCORING_WINDOW_NOT_ENDED" });

    const fulfilled = await call(h, "POST", `/service-requests/${requestId}/fulfil-from-telemetry`, {
      key: h.keys.admin,
      body: window,
    });
    expect(fulfilled.status, JSON.stringify(fulfilled.body)).toBe(200);
    expect(fulfilled.body).toMatchObject({
      requestId,
      performanceBps: 7_500,
      payoutUstx: "750000",
      score: { method: "energy", performanceBps: 7_500, deliveredKwh: 12, window },
    });
    const kept = await call(h, "GET", `/service-requests/${requestId}/score`);
    expect(kept.body).toMatchObject({ requestId, facilityId, performanceBps: 7_500, deliveredKwh: 12 });
    const request = await waitFor("the fulfilled request in the read model", async () => {
      const response = await call(h, "GET", `/service-requests/${requestId}`);
      return response.body.status === "fulfilled" ? response.body : undefined;
    });
    expect(request).toMatchObject({ performanceBps: 7_500, payoutUstx: "750000" });
  });

  it("refuses to score a program for a caller that is neither an admin nor a scoring oracle, and a program it does not know", async () => {
    const refused = await call(h, "PUT", `/programs/${programId}/scoring`, {
      key: h.keys.notRegistryAdmin,
      body: {},
    });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: "ERR_NOT_REPORTER" });
    const unknown = await call(h, "PUT", `/programs/999/scoring`, { key: h.keys.admin, body: {} });
    expect(unknown.status).toBe(404);
    expect((await call(h, "GET", `/programs/999/scoring`)).status).toBe(404);
  });
});
