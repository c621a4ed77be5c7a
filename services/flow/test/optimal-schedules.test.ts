import { Cl } from "@stacks/transactions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEvent, type EventJson } from "@voltstack/events";
import {
  call,
  confirmedCall,
  consumerAcknowledged,
  type Harness,
  publishAsRelay,
  type Received,
  startHarness,
  waitFor,
} from "./support/flow-harness.js";
import { ScheduleExecutionScheduler } from "../src/schedule/schedule-execution.scheduler.js";

// The optimal strategy in the running service: a price curve (HTTP and NATS), a facility that
// chose the strategy, the reserve its program enrolments commit, and the contract's rule as the
// fallback with the reason. Real devnet (the registry's read-only functions), PostgreSQL, NATS.

let h: Harness;
let facility: number;

const TOTAL_KWH = 2000;
const MAX_POWER_KW = 500;
const STORED_KWH = 1200;
const HOUR = 3_600_000;
const TRACE = { traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" };

type Step = { startsAt: string; action: "charge" | "discharge" | "hold"; energyKwh: number };
type Schedule = {
  scheduleVersion: number;
  strategy: string;
  expectedRevenueMicroStx: string | null;
  fallbackReason: string | null;
  stepMinutes: number;
  steps: Step[];
};

// Six cheap hours, six dear ones, then middling: a spread well above the round-trip loss.
const CHEAP = 20_000;
const DEAR = 120_000;
const startsAt = new Date(Math.floor(Date.now() / HOUR) * HOUR);
const prices = [...Array(7).fill(CHEAP), ...Array(6).fill(DEAR), ...Array(17).fill(60_000)] as number[];

beforeAll(async () => {
  h = await startHarness();
  const { result } = await confirmedCall(h, h.accounts.wallet_1, "facility-registry", "register-facility", [
    Cl.stringUtf8("Optimised Battery"),
    Cl.stringUtf8("Groningen, NL"),
    Cl.uint(TOTAL_KWH),
    Cl.uint(MAX_POWER_KW),
  ]);
  facility = Number(/^\(ok u(\d+)\)$/.exec(result)![1]);
  await confirmedCall(h, h.accounts.deployer, "facility-registry", "approve-facility", [Cl.uint(facility)]);
  const initialized = await confirmedCall(h, h.accounts.wallet_1, "capacity-tracking", "initialize-capacity", [
    Cl.uint(facility),
    Cl.uint(STORED_KWH),
  ]);
  await publishAsRelay(
    h,
    createEvent(
      "capacity.initialized",
      { facilityId: facility, totalKwh: TOTAL_KWH, storedKwh: STORED_KWH, reservedKwh: 0, availableKwh: STORED_KWH },
      { chain: { txId: initialized.txid, blockHeight: initialized.blockHeight }, traceContext: TRACE },
    ),
  );
  await scheduleWhere("the first schedule", (s) => s.scheduleVersion >= 1);
}, 60_000);

afterAll(async () => {
  await h?.close();
});

function scheduleWhere(what: string, predicate: (schedule: Schedule) => boolean): Promise<Schedule> {
  return waitFor(what, async () => {
    const { status, body } = await call(h, "GET", `/facilities/${facility}/schedule`);
    return status === 200 && predicate(body as unknown as Schedule) ? (body as unknown as Schedule) : undefined;
  });
}

/** Stored energy after each step, from the schedule's whole-kWh moves. */
function storedAfter(steps: Step[]): number[] {
  let stored = STORED_KWH;
  return steps.map((step) => {
    stored += step.action === "charge" ? step.energyKwh : step.action === "discharge" ? -step.energyKwh : 0;
    return stored;
  });
}

function programEvent(event: EventJson): Promise<number> {
  return publishAsRelay(h, event);
}

describe("optimal schedules", () => {
  it("plans a facility that chose the optimal strategy against the price curve: charges cheap, discharges dear, within every limit", async () => {
    const posted = await call(h, "POST", "/grid/prices", {
      key: h.keys.admin,
      body: { startsAt: startsAt.toISOString(), stepMinutes: 60, energyPricesMicroStxPerKwh: prices, source: "test" },
    });
    expect(posted.status).toBe(200);
    expect(posted.body).toMatchObject({ applied: true });

    const chosen = await call(h, "PUT", `/facilities/${facility}/schedule-settings`, {
      key: h.keys.owner,
      body: { strategy: "optimal", degradationMicroStxPerKwh: 1_000 },
    });
    expect(chosen.status).toBe(200);
    expect(chosen.body).toMatchObject({ facilityId: facility, strategy: "optimal", declared: true });

    const schedule = await scheduleWhere("an optimal schedule", (s) => s.strategy === "optimal");
    expect(schedule).toMatchObject({ stepMinutes: 60, fallbackReason: null });
    expect(BigInt(schedule.expectedRevenueMicroStx!)).toBeGreaterThan(0n);
    const priceOf = (step: Step) => prices[(Date.parse(step.startsAt) - startsAt.getTime()) / HOUR]!;
    expect(schedule.steps[0]!.startsAt).toBe(new Date(startsAt.getTime() + HOUR).toISOString());
    // Charging may refill at middling prices to meet the end target, never at dear ones.
    expect(schedule.steps.filter((s) => s.action === "charge").every((s) => priceOf(s) !== DEAR)).toBe(true);
    expect(schedule.steps.filter((s) => s.action === "discharge").every((s) => priceOf(s) !== CHEAP)).toBe(true);
    expect(schedule.steps.some((s) => s.action === "charge")).toBe(true);
    expect(schedule.steps.some((s) => s.action === "discharge" && priceOf(s) === DEAR)).toBe(true);
    expect(schedule.steps.every((s) => s.energyKwh <= MAX_POWER_KW)).toBe(true);
    const stored = storedAfter(schedule.steps);
    expect(Math.min(...stored)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...stored)).toBeLessThanOrEqual(TOTAL_KWH);
    // The default end target: at least what is stored now.
    expect(stored[stored.length - 1]).toBeGreaterThanOrEqual(STORED_KWH - 1);

    const published = await waitFor("flow.schedule.updated by the optimal strategy", () =>
      h.received.find(
        (r: Received) => r.subject === "flow.schedule.updated" && (r.event.payload as Schedule).strategy === "optimal",
      ),
    );
    expect(published.event.payload).toMatchObject({
      facilityId: facility,
      strategy: "optimal",
      expectedRevenueMicroStx: schedule.expectedRevenueMicroStx,
      fallbackReason: null,
    });
  });

  it("holds the reserve a program enrolment commits: power headroom both ways and the energy to deliver it for the product's duration", async () => {
    const before = await scheduleWhere("the optimal schedule", (s) => s.strategy === "optimal");
    await programEvent(
      createEvent(
        "program.created",
        {
          programId: 1,
          product: "frequency-containment",
          operator: h.accounts.deployer.address,
          startHeight: 10,
          periodBlocks: 10,
          periodCount: 5,
          capacityPriceUstx: 100n,
          energyPriceUstx: 0n,
          budgetUstx: 1_000_000n,
          settleWindow: 10,
          endHeight: 60,
        },
        { chain: { txId: `0x${"a1".repeat(32)}`, blockHeight: 5 }, traceContext: TRACE },
      ),
    );
    await programEvent(
      createEvent(
        "program.enrolled",
        {
          programId: 1,
          facilityId: facility,
          committedKw: 400,
          reservedKwh: 200,
          cohort: 0,
          slot: 0,
          fromPeriod: 0,
          enrolledBy: h.accounts.wallet_1.address,
        },
        { chain: { txId: `0x${"a2".repeat(32)}`, blockHeight: 6 }, traceContext: TRACE },
      ),
    );
    const held = await scheduleWhere(
      "a schedule holding the reserve",
      (s) => s.scheduleVersion > before.scheduleVersion && s.strategy === "optimal",
    );
    // 400 kW of 500 held both ways: 100 kW left to trade, at most 100 / 0.95 = 105.3 kWh an hour out of
    // storage (106 once rounded to the whole kWh the chain records, the remainder carried to the next step).
    expect(Math.max(...held.steps.map((s) => s.energyKwh))).toBeLessThanOrEqual(106);
    expect(held.steps.some((s) => s.energyKwh > 0)).toBe(true);
    // 30 minutes of 400 kW up needs 400 x 0.5 / 0.95 = 211 kWh stored, down 400 x 0.5 x 0.95 = 190 kWh of room.
    const stored = storedAfter(held.steps);
    expect(Math.min(...stored)).toBeGreaterThanOrEqual(210);
    expect(Math.max(...stored)).toBeLessThanOrEqual(TOTAL_KWH - 189);
    expect(BigInt(held.expectedRevenueMicroStx!)).toBeLessThan(BigInt(before.expectedRevenueMicroStx!));
  });

  it("refuses settings no schedule can meet, naming the constraint and changing nothing; a commitment beyond the battery falls back to the contract's rule with the reason", async () => {
    await programEvent(
      createEvent(
        "program.created",
        {
          programId: 2,
          product: "frequency-regulation",
          operator: h.accounts.deployer.address,
          startHeight: 10,
          periodBlocks: 10,
          periodCount: 5,
          capacityPriceUstx: 100n,
          energyPriceUstx: 0n,
          budgetUstx: 1_000_000n,
          settleWindow: 10,
          endHeight: 60,
        },
        { chain: { txId: `0x${"b1".repeat(32)}`, blockHeight: 7 }, traceContext: TRACE },
      ),
    );
    await programEvent(
      createEvent(
        "program.enrolled",
        {
          programId: 2,
          facilityId: facility,
          committedKw: 300,
          reservedKwh: 300,
          cohort: 0,
          slot: 0,
          fromPeriod: 0,
          enrolledBy: h.accounts.wallet_1.address,
        },
        { chain: { txId: `0x${"b2".repeat(32)}`, blockHeight: 8 }, traceContext: TRACE },
      ),
    );
    // 400 + 300 kW committed on a 500 kW battery: no schedule holds both.
    const fallen = await scheduleWhere("the contract rule's fallback", (s) => s.strategy === "contract-rule");
    expect(fallen.fallbackReason).toMatch(/SCHEDULE_INFEASIBLE \(reserve-power\)/);
    expect(fallen.stepMinutes).toBe(60);

    const settingsBefore = await call(h, "GET", `/facilities/${facility}/schedule-settings`);
    const refused = await call(h, "PUT", `/facilities/${facility}/schedule-settings`, {
      key: h.keys.owner,
      body: { strategy: "optimal", degradationMicroStxPerKwh: 5_000 },
    });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({
      code: "SCHEDULE_INFEASIBLE",
      details: { facilityId: facility, constraint: "reserve-power", maxPowerKw: MAX_POWER_KW },
    });
    expect((await call(h, "GET", `/facilities/${facility}/schedule-settings`)).body).toEqual(settingsBefore.body);

    const stranger = await call(h, "PUT", `/facilities/${facility}/schedule-settings`, {
      key: h.keys.stranger,
      body: { strategy: "contract-rule" },
    });
    expect(stranger.status).toBe(403);
    expect(stranger.body).toMatchObject({ code: "NOT_FACILITY_SIGNER" });

    // Withdrawn from the second program, the facility is planned optimally again.
    await programEvent(
      createEvent(
        "program.withdrawn",
        {
          programId: 2,
          facilityId: facility,
          cohort: 0,
          slot: 0,
          untilPeriod: 1,
          releasedKwh: 300,
          withdrawnBy: h.accounts.wallet_1.address,
        },
        { chain: { txId: `0x${"b3".repeat(32)}`, blockHeight: 9 }, traceContext: TRACE },
      ),
    );
    await scheduleWhere("optimal again", (s) => s.strategy === "optimal" && s.fallbackReason === null);
  });

  it("replans on grid.prices.updated from NATS; a curve published before the one in force changes nothing", async () => {
    const before = await scheduleWhere("the optimal schedule", (s) => s.strategy === "optimal");
    // Dear first, cheap later: the plan turns round.
    const turned = [...Array(7).fill(DEAR), ...Array(6).fill(CHEAP), ...Array(17).fill(60_000)] as number[];
    const curve = createEvent(
      "grid.prices.updated",
      { startsAt: startsAt.toISOString(), stepMinutes: 60, energyPricesMicroStxPerKwh: turned, source: "feed" },
      { chain: null, traceContext: TRACE },
    );
    await publishAsRelay(h, curve);
    const replanned = await scheduleWhere(
      "a schedule for the new curve",
      (s) => s.scheduleVersion > before.scheduleVersion,
    );
    expect(replanned.strategy).toBe("optimal");
    expect(replanned.steps.slice(0, 6).some((s) => s.action === "discharge")).toBe(true);
    expect((await call(h, "GET", "/grid/prices")).body).toMatchObject({
      source: "feed",
      energyPricesMicroStxPerKwh: turned,
    });

    const late = createEvent(
      "grid.prices.updated",
      { startsAt: startsAt.toISOString(), stepMinutes: 60, energyPricesMicroStxPerKwh: prices, source: "late" },
      { chain: null, occurredAt: new Date(Date.parse(curve.occurredAt) - 60_000), traceContext: TRACE },
    );
    const seq = await publishAsRelay(h, late);
    await consumerAcknowledged(h, "flow", "grid.prices.updated", seq);
    expect((await call(h, "GET", "/grid/prices")).body).toMatchObject({ source: "feed" });
    const after = await call(h, "GET", `/facilities/${facility}/schedule`);
    expect((after.body as unknown as Schedule).scheduleVersion).toBe(replanned.scheduleVersion);
  });

  it("records each step on chain as it arrives for a facility that asked for it, once however often the executor runs", async () => {
    const chosen = await call(h, "PUT", `/facilities/${facility}/schedule-settings`, {
      key: h.keys.owner,
      body: { strategy: "optimal", executeOnChain: true },
    });
    expect(chosen.status, JSON.stringify(chosen.body)).toBe(200);
    const schedule = await scheduleWhere("an optimal schedule", (s) => s.strategy === "optimal");
    const step = schedule.steps.find((candidate) => candidate.action !== "hold")!;
    expect(step).toBeDefined();
    // The executor's tick, as it runs when the step's time comes.
    const executor = h.service.app.get(ScheduleExecutionScheduler);
    const at = new Date(Date.parse(step.startsAt) + 1_000);
    const [executed] = await executor.runOnce(at);
    expect(executed).toMatchObject({
      facilityId: facility,
      stepStartsAt: step.startsAt,
      action: step.action,
      energyKwh: step.energyKwh,
      status: "recorded",
    });
    const record = await waitFor("the step's flow record in the read model", async () => {
      const { body } = await call(h, "GET", `/flow-records?facilityId=${facility}`);
      return (body.items as { action: string; energyKwh: number; txid: string }[]).find(
        (item) => item.txid === executed!.txid,
      );
    });
    expect(record).toMatchObject({ action: step.action, energyKwh: step.energyKwh });
    expect(await executor.runOnce(at)).toEqual([]);
    const { body } = await call(h, "GET", `/facilities/${facility}/schedule-executions`);
    expect(body.items).toEqual([
      expect.objectContaining({ stepStartsAt: step.startsAt, status: "recorded", txid: executed!.txid }),
    ]);
  });

  it("refuses a price curve that does not start on its step or runs past a week, storing nothing", async () => {
    const misaligned = await call(h, "POST", "/grid/prices", {
      key: h.keys.admin,
      body: {
        startsAt: new Date(startsAt.getTime() + 60_000).toISOString(),
        stepMinutes: 15,
        energyPricesMicroStxPerKwh: [1],
      },
    });
    expect(misaligned.status).toBe(400);
    expect(misaligned.body).toMatchObject({ code: "VALIDATION_FAILED" });
    const tooLong = await call(h, "POST", "/grid/prices", {
      key: h.keys.admin,
      body: { startsAt: startsAt.toISOString(), stepMinutes: 60, energyPricesMicroStxPerKwh: Array(169).fill(1) },
    });
    expect(tooLong.status).toBe(400);
    const notAdmin = await call(h, "POST", "/grid/prices", {
      key: h.keys.owner,
      body: { startsAt: startsAt.toISOString(), stepMinutes: 60, energyPricesMicroStxPerKwh: [1] },
    });
    expect(notAdmin.status).toBe(403);
    expect((await call(h, "GET", "/grid/prices")).body).toMatchObject({ source: "feed" });
  });
});
