import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { FacilityRegistryClient, GridServicesClient, RevenueSharingClient } from "@voltstack/chain";
import { createEvent, type EventJson, payloadFromPrint } from "@voltstack/events";
import {
  approvedFacility,
  balanceOf,
  call,
  consumerAcknowledged,
  type Harness,
  publishAsRelay,
  startHarness,
  waitFor,
} from "./support/revenue-harness.js";

// Program earnings, end to end: a real program on the devnet (created, enrolled and settled
// through libs/chain's typed clients, as the grid service does), program.settled on NATS
// built from the settlement's print, and the revenue service paying each cohort's earnings
// in one distribute-earnings: stakeholders' balances to the micro-STX, the facilities'
// pools untouched, a facility without shares paid once its owner sets them.

const PERIOD_BLOCKS = 4;
const CAPACITY_PRICE = 1_003n;
const ENERGY_PRICE = 7n;

let h: Harness;
let facilities: number[];
let programId: bigint;
/** A second program with the first two facilities, settled alongside the first. */
let otherProgramId: bigint;
let startHeight: number;

const splits = () => [
  [
    { stakeholder: h.accounts.wallet_5.address, shareBps: 7_001 },
    { stakeholder: h.accounts.wallet_6.address, shareBps: 2_999 },
  ],
  [{ stakeholder: h.accounts.wallet_7.address, shareBps: 10_000 }],
  [
    { stakeholder: h.accounts.wallet_6.address, shareBps: 3_333 },
    { stakeholder: h.accounts.wallet_8.address, shareBps: 6_667 },
  ],
];

const principals = () => [
  h.accounts.wallet_5.address,
  h.accounts.wallet_6.address,
  h.accounts.wallet_7.address,
  h.accounts.wallet_8.address,
];

async function setShares(index: number): Promise<void> {
  const response = await call(h.service, "PUT", `/facilities/${facilities[index]}/shares`, {
    key: h.keys.owner,
    body: splits()[index],
  });
  expect(response.status).toBe(200);
}

/** What each principal gets when `amountUstx` is paid to facility `index`: floors, the remainder to the largest share. */
function paidTo(index: number, amountUstx: bigint): Map<string, bigint> {
  const shares = splits()[index]!;
  const floors = shares.map((s) => (amountUstx * BigInt(s.shareBps)) / 10_000n);
  const remainder = amountUstx - floors.reduce((sum, floor) => sum + floor, 0n);
  const largest = shares.reduce((best, s, i) => (s.shareBps > shares[best]!.shareBps ? i : best), 0);
  const paid = new Map<string, bigint>();
  shares.forEach((s, i) => paid.set(s.stakeholder, floors[i]! + (i === largest ? remainder : 0n)));
  return paid;
}

function expectGains(before: Map<string, bigint>, after: Map<string, bigint>, lines: [number, bigint][]): void {
  const expected = new Map(principals().map((p) => [p, 0n]));
  for (const [index, amount] of lines) {
    for (const [principal, part] of paidTo(index, amount)) expected.set(principal, expected.get(principal)! + part);
  }
  expect(Object.fromEntries(principals().map((p) => [p, after.get(p)! - before.get(p)!]))).toEqual(
    Object.fromEntries(expected),
  );
}

async function balances(): Promise<Map<string, bigint>> {
  return new Map(await Promise.all(principals().map(async (p) => [p, await balanceOf(h, p)] as const)));
}

/** Settles cohort 0 for `period` once it ended and returns program.settled built from its print. */
async function settle(
  period: number,
  performanceBps: bigint[],
  program = programId,
): Promise<EventJson<"program.settled">> {
  const endsAt = startHeight + (period + 1) * PERIOD_BLOCKS;
  await waitFor(`the end of period ${period}`, async () => (await h.chain.api.getTipHeight()) >= endsAt);
  const admin = new GridServicesClient(h.chain, { sender: await h.sender("deployer") });
  const settled = await admin.settlePeriod(
    program,
    0n,
    BigInt(period),
    randomBytes(32).toString("hex"),
    performanceBps.map((bps) => ({ performanceBps: bps, deliveredKwh: 3n })),
  );
  const print = settled.events.find(
    (event) => event.contract === "grid-services" && event.payload.topic === "program-settled",
  );
  if (!print) throw new Error(`settlement ${settled.txid} printed no program-settled`);
  const payload = payloadFromPrint("program.settled", print.payload as unknown as Record<string, unknown>);
  return createEvent("program.settled", payload, {
    eventId: randomUUID(),
    chain: { txId: `0x${settled.txid.replace(/^0x/, "")}`, blockHeight: settled.blockHeight },
    occurredAt: new Date().toISOString(),
    traceContext: { traceparent: `00-${randomBytes(16).toString("hex")}-${randomBytes(8).toString("hex")}-01` },
  }) as EventJson<"program.settled">;
}

type EarningRow = { slot: number; period: number; status: string; amount_ustx: string; distribution_txid: string };

async function earnings(): Promise<EarningRow[]> {
  const { rows } = await h.db.query(
    `SELECT slot, period, status, amount_ustx::text AS amount_ustx, distribution_txid FROM earning_intents
      WHERE program_id = $1 ORDER BY period, slot`,
    [Number(programId)],
  );
  return rows as EarningRow[];
}

const earningsSettled = (count: number, final: (row: EarningRow) => boolean) =>
  waitFor(`${count} earnings to settle`, async () => {
    const rows = await earnings();
    return rows.length === count && rows.every(final) ? rows : undefined;
  });

// A test that holds blocks back and fails must not stall the next.
afterEach(() => h?.blocks.release());

beforeAll(async () => {
  // Two admins sign batches in turn.
  h = await startHarness((accounts) => ({
    DISTRIBUTION_SIGNERS: `${accounts.deployer.address},${accounts.wallet_2.address}`,
  }));
  await new FacilityRegistryClient(h.chain, { sender: await h.sender("deployer") }).addAdmin(
    h.accounts.wallet_2.address,
  );
  facilities = [];
  for (let i = 0; i < 3; i += 1) facilities.push(await approvedFacility(h));
  await setShares(0);
  await setShares(1);
  const admin = new GridServicesClient(h.chain, { sender: await h.sender("deployer") });
  // Far enough ahead for the enrolments below to land before the start, even on a loaded machine.
  startHeight = (await h.chain.api.getTipHeight()) + 150;
  const program = {
    product: "frequency-regulation",
    startHeight: BigInt(startHeight),
    periodBlocks: BigInt(PERIOD_BLOCKS),
    periodCount: 3n,
    capacityPriceUstx: CAPACITY_PRICE,
    energyPriceUstx: ENERGY_PRICE,
    budgetUstx: 50_000_000n,
    settleWindow: 500n,
  };
  programId = (await admin.createProgram(program)).value;
  otherProgramId = (await admin.createProgram(program)).value;
  const owner = new GridServicesClient(h.chain, { sender: await h.sender("wallet_1") });
  for (const [index, facility] of facilities.entries()) {
    const enrolled = await owner.enrolFacility(programId, BigInt(facility), BigInt(100 + index * 37));
    expect(enrolled.value).toEqual({ cohort: 0n, slot: BigInt(index) });
    if (index < 2) await owner.enrolFacility(otherProgramId, BigInt(facility), BigInt(100 + index * 37));
  }
  expect(await h.chain.api.getTipHeight()).toBeLessThan(startHeight);
}, 180_000);

afterAll(async () => {
  await h?.close();
});

/** committed-kw x capacity-price x bps / 10000 (floor) + delivered-kwh x energy-price, as settle-period computes it. */
const earned = (index: number, bps: bigint) =>
  (BigInt(100 + index * 37) * CAPACITY_PRICE * bps) / 10_000n + 3n * ENERGY_PRICE;

describe("program earnings on program.settled", () => {
  it("pays a cohort's settled earnings in one distribute-earnings; a slot without shares waits, the pools stay as they were", async () => {
    const before = await balances();
    const poolsBefore = await Promise.all(facilities.map((f) => call(h.service, "GET", `/facilities/${f}/pool`)));
    const event = await settle(0, [9_500n, 10_000n, 8_000n]);
    await publishAsRelay(h, event);
    // The same settlement under another event id changes nothing.
    await publishAsRelay(h, { ...event, eventId: randomUUID() });

    const rows = await earningsSettled(3, (row) => row.status === "distributed" || row.status === "waiting_for_shares");
    expect(rows.map((row) => [row.slot, row.status, row.amount_ustx])).toEqual([
      [0, "distributed", earned(0, 9_500n).toString()],
      [1, "distributed", earned(1, 10_000n).toString()],
      [2, "waiting_for_shares", earned(2, 8_000n).toString()],
    ]);
    const txid = rows[0]!.distribution_txid;
    expect(rows[1]!.distribution_txid).toBe(txid);
    expectGains(before, await balances(), [
      [0, earned(0, 9_500n)],
      [1, earned(1, 10_000n)],
    ]);
    const { rows: batches } = await h.db.query(
      "SELECT kind, program_id, cohort, lines, status FROM distribution_batches WHERE txid = $1",
      [txid],
    );
    expect(batches).toEqual([
      {
        kind: "earnings",
        program_id: Number(programId),
        cohort: 0,
        lines: [earned(0, 9_500n).toString(), earned(1, 10_000n).toString()],
        status: "confirmed",
      },
    ]);
    const slots = await new GridServicesClient(h.chain).getProgramCohort(programId, 0n);
    expect(slots!.map((slot) => slot.paid)).toEqual([earned(0, 9_500n), earned(1, 10_000n), 0n]);

    // Payments come from the program, not from the pools: source program:<id>, pools unchanged.
    const message = await waitFor("revenue.distributed of slot 0", () =>
      h.received.find(
        (r) =>
          r.subject === "revenue.distributed" && r.event.chain?.txId === txid && r.event.facilityId === facilities[0],
      ),
    );
    expect(message.event.payload).toMatchObject({
      amountUstx: earned(0, 9_500n).toString(),
      source: `program:${programId}`,
      paymentCount: 2,
    });
    const history = await call(h.service, "GET", `/facilities/${facilities[1]}/payments`);
    expect(history.body.items).toEqual([
      expect.objectContaining({ source: `program:${programId}`, amountUstx: earned(1, 10_000n).toString(), txid }),
    ]);
    for (const [index, facility] of facilities.entries()) {
      const pool = await call(h.service, "GET", `/facilities/${facility}/pool`);
      expect([pool.status, pool.body]).toEqual([poolsBefore[index]!.status, poolsBefore[index]!.body]);
    }
  }, 90_000);

  it("pays the next period, and the slot that waited once its owner set shares, each slot's earned amount exactly", async () => {
    const before = await balances();
    const event = await settle(1, [10_000n, 5_000n, 10_000n]);
    await setShares(2);
    await publishAsRelay(h, event);

    const rows = await earningsSettled(6, (row) => row.status === "distributed");
    const period1 = rows.filter((row) => row.period === 1 && row.slot < 2);
    expect(new Set(period1.map((row) => row.distribution_txid)).size).toBe(1);
    expectGains(before, await balances(), [
      [0, earned(0, 10_000n)],
      [1, earned(1, 5_000n)],
      [2, earned(2, 8_000n) + earned(2, 10_000n)],
    ]);
    const slots = await new GridServicesClient(h.chain).getProgramCohort(programId, 0n);
    expect(slots!.map((slot) => slot.paid)).toEqual(slots!.map((slot) => slot.earned));
    const dead = await h.db.query("SELECT count(*)::int AS n FROM dead_letters");
    expect(dead.rows[0].n).toBe(0);
    // Nothing of it went through the pools.
    expect(await new RevenueSharingClient(h.chain).getPoolBalance(BigInt(facilities[2]!))).toBe(0n);
  }, 90_000);

  it("pays two programs' cohorts settled at once in two batches in flight together, signed by two admins", async () => {
    const before = await balances();
    const first = await settle(2, [9_900n, 10_000n, 10_000n]);
    const second = await settle(0, [6_000n, 9_999n], otherProgramId);
    // Both final before they are heard of; then no block until both batches are signed, so that
    // they are in flight together by construction, whatever the machine's speed.
    const finalAt = Math.max(first.chain!.blockHeight, second.chain!.blockHeight) + 3;
    await waitFor("both settlements final", async () => (await h.chain.api.getTipHeight()) >= finalAt);
    await h.blocks.hold();
    const heldTip = await h.chain.api.getTipHeight();
    await consumerAcknowledged(h, "revenue", "program.settled", await publishAsRelay(h, first));
    await consumerAcknowledged(h, "revenue", "program.settled", await publishAsRelay(h, second));
    const signedWhileHeld = await waitFor("both batches signed while no block is mined", async () => {
      const result = await h.db.query(
        `SELECT b.id FROM distribution_batches b
          JOIN chain_transactions t ON t.requested_by = 'distribution-batch:' || b.id::text AND t.txid IS NOT NULL
          WHERE b.kind = 'earnings' AND ((b.program_id = $1 AND b.lines->>0 = $2) OR b.program_id = $3)`,
        [Number(programId), earned(0, 9_900n).toString(), Number(otherProgramId)],
      );
      return result.rows.length === 2 ? result.rows.length : undefined;
    });
    expect(signedWhileHeld).toBe(2);
    expect(await h.chain.api.getTipHeight()).toBe(heldTip);
    h.blocks.release();

    const { rows } = await waitFor("both cohorts' batches confirmed", async () => {
      const result = await h.db.query(
        `SELECT b.id::text AS id, b.program_id, b.signer, b.status, t.created_at AS signed_at, t.updated_at AS settled_at
           FROM distribution_batches b JOIN chain_transactions t ON t.requested_by = 'distribution-batch:' || b.id::text
          WHERE b.kind = 'earnings' AND ((b.program_id = $1 AND b.lines->>0 = $2) OR b.program_id = $3)`,
        [Number(programId), earned(0, 9_900n).toString(), Number(otherProgramId)],
      );
      return result.rows.length === 2 && result.rows.every((row) => row.status === "confirmed") ? result : undefined;
    });
    expect(new Set(rows.map((row) => row.signer))).toEqual(
      new Set([h.accounts.deployer.address, h.accounts.wallet_2.address]),
    );
    expectGains(before, await balances(), [
      [0, earned(0, 9_900n) + earned(0, 6_000n)],
      [1, earned(1, 10_000n) + earned(1, 9_999n)],
      [2, earned(2, 10_000n)],
    ]);
  }, 90_000);

  it("gives a payout up after DISTRIBUTION_MAX_ATTEMPTS refusals, with the chain's reason, without holding the others", async () => {
    const before = await balances();
    const real = await settle(1, [8_000n, 7_000n], otherProgramId);
    // An event claiming earnings the chain never settled (a producer's bug): slot 0 of a period
    // that is not settled, far beyond what the slot earned.
    const forged: EventJson<"program.settled"> = {
      ...real,
      eventId: randomUUID(),
      payload: {
        ...real.payload,
        period: 2,
        totalUstx: "1000000000000",
        lines: [{ ...real.payload.lines[0]!, amountUstx: "1000000000000" }],
      },
    };
    await publishAsRelay(h, real);
    await publishAsRelay(h, forged);

    const key = [Number(otherProgramId)];
    const { rows } = await waitFor(
      "the real earnings paid and the forged one given up",
      async () => {
        const result = await h.db.query(
          `SELECT period, slot, status, attempts, error_code FROM earning_intents
            WHERE program_id = $1 AND period >= 1 ORDER BY period, slot`,
          key,
        );
        const final = result.rows.every((row) => row.status === "distributed" || row.status === "failed");
        return result.rows.length === 3 && final ? result : undefined;
      },
      60_000,
    );
    expect(rows.map((row) => [row.period, row.slot, row.status])).toEqual([
      [1, 0, "distributed"],
      [1, 1, "distributed"],
      [2, 0, "failed"],
    ]);
    // Refused with the real lines once, then twice alone; the devnet reports a refused call as
    // aborted by its post-condition (nothing moved, not the stated sum), a node by its response.
    expect(rows[2]).toMatchObject({ attempts: h.config.DISTRIBUTION_MAX_ATTEMPTS });
    expect(["ERR_AMOUNT_EXCEEDS_EARNINGS", "POST_CONDITION_ABORT"]).toContain(rows[2].error_code);
    const refused = async () =>
      (
        await h.db.query(
          "SELECT count(*)::int AS n FROM distribution_batches WHERE program_id = $1 AND status = 'failed'",
          key,
        )
      ).rows[0].n as number;
    expect(await refused()).toBe(h.config.DISTRIBUTION_MAX_ATTEMPTS);
    expectGains(before, await balances(), [
      [0, earned(0, 8_000n)],
      [1, earned(1, 7_000n)],
    ]);
    // Not sent again.
    await new Promise((resolve) => setTimeout(resolve, 3 * h.config.DISTRIBUTION_BATCH_INTERVAL_MS));
    expect(await refused()).toBe(h.config.DISTRIBUTION_MAX_ATTEMPTS);
    const slots = await new GridServicesClient(h.chain).getProgramCohort(otherProgramId, 0n);
    expect(slots!.map((slot) => slot.paid)).toEqual(slots!.map((slot) => slot.earned));
  }, 120_000);
});
