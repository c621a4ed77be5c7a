import { Cl, ClarityType, cvToHex, hexToCV } from "@stacks/transactions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectedSplit, runDemo, runProgramDemo } from "@voltstack/cli";
import { ApiRequestError, type Enrolment, settlementLineVerifies, type VoltstackClient } from "@voltstack/client";
import { waitFor } from "@voltstack/service-testing";
import { startSystem, type SystemUnderTest } from "./system-under-test.js";

// A program at fleet scale through the whole system: 101 facilities (two cohorts) enrolled by
// their owners over HTTP, three periods settled from posted performances, the earnings paid by
// the revenue service on its own, the program closed, and every micro-STX accounted for on chain.

const FACILITIES = 101;
const PERIOD_BLOCKS = 20;
const PERIOD_COUNT = 3;
const CAPACITY_PRICE_USTX = 37n;
const ENERGY_PRICE_USTX = 3n;
const BUDGET_USTX = 50_000_000n;
const SHARE_BPS = [5_000, 3_000, 2_000] as const;

let system: SystemUnderTest;

beforeAll(async () => {
  system = await startSystem();
}, 300_000);

afterAll(async () => {
  await system?.close();
}, 120_000);

async function tipHeight(): Promise<number> {
  const response = await fetch(`${system.stack.devnet.url}/v2/info`);
  return ((await response.json()) as { stacks_tip_height: number }).stacks_tip_height;
}

async function stxBalance(principal: string): Promise<bigint> {
  const response = await fetch(`${system.stack.devnet.url}/v2/accounts/${principal}?proof=0`);
  return BigInt(((await response.json()) as { balance: string }).balance);
}

/** Runs `work` over `items`, `limit` at a time. */
async function eachLimited<T>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const index = next++;
        await work(items[index]!, index);
      }
    }),
  );
}

/** Retries while another service has not heard yet of what the request depends on. */
async function whenKnown<T>(work: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      return await work();
    } catch (error) {
      const unknown = error instanceof ApiRequestError && /NOT_FOUND|UNKNOWN/.test(error.code);
      if (!unknown || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/** The report hash grid-services recorded for a cohort and period, read from the chain itself. */
async function recordedReportHash(programId: number, cohort: number, period: number): Promise<string> {
  const deployer = system.stack.devnet.accounts.get("deployer")!.address;
  const response = await fetch(
    `${system.stack.devnet.url}/v2/contracts/call-read/${deployer}/grid-services/get-settlement`,
    {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        sender: deployer,
        arguments: [Cl.uint(programId), Cl.uint(cohort), Cl.uint(period)].map(cvToHex),
      }),
    },
  );
  const value = hexToCV(((await response.json()) as { result: string }).result);
  if (value.type !== ClarityType.OptionalSome || value.value.type !== ClarityType.Tuple)
    throw new Error("no settlement");
  const hash = value.value.value["report-hash"]!;
  if (hash.type !== ClarityType.Buffer) throw new Error("no report hash");
  return hash.value;
}

const performanceOf = (index: number, period: number) => 6_000 + ((index * 37 + period * 101) % 4_001);

describe("a program settled per period for a fleet", () => {
  it("settles 101 facilities over three periods, pays every stakeholder to the micro-STX, refunds the rest and proves each line", async () => {
    const admin = system.client("admin");
    const owners: [VoltstackClient, string][] = [
      [system.client("owner-1"), system.caller("owner-1").principal],
      [system.client("owner-2"), system.caller("owner-2").principal],
    ];
    const stakeholders = system.stack.stakeholders.slice(0, 3);
    const shares = stakeholders.map((stakeholder, index) => ({ stakeholder, shareBps: SHARE_BPS[index]! }));

    // The fleet: registered by two owners, approved, capacity initialised and revenue split. One
    // step at a time across the fleet: an owner's key is used by one service at a time (on a
    // real network each key is leased to one signing process).
    const indexes = [...Array(FACILITIES).keys()];
    const facilityIds: number[] = new Array<number>(FACILITIES);
    const ownerOf = (index: number) => owners[index % 2]!;
    await eachLimited(indexes, 24, async (index) => {
      const [owner, principal] = ownerOf(index);
      const { facilityId } = await owner.facilities.register({
        owner: principal,
        name: `Fleet battery ${index}`,
        location: `Feeder ${index % 7}`,
        capacityKwh: 1_000,
        maxPowerKw: 400,
      });
      facilityIds[index] = facilityId;
    });
    await eachLimited(facilityIds, 24, async (facilityId) => {
      await admin.facilities.approve(facilityId);
    });
    await eachLimited(facilityIds, 24, async (facilityId, index) => {
      await whenKnown(() => ownerOf(index)[0].capacity.initialize(facilityId, { storedKwh: 900 }));
    });
    await eachLimited(facilityIds, 24, async (facilityId, index) => {
      await whenKnown(() => ownerOf(index)[0].revenue.setShares(facilityId, shares));
    });

    const balancesBefore = new Map(
      await Promise.all(stakeholders.map(async (stakeholder) => [stakeholder, await stxBalance(stakeholder)] as const)),
    );
    // Blocks come every 150 ms here: the start leaves the owners about a minute to enrol the fleet.
    const startHeight = (await tipHeight()) + 400;
    const { programId } = await admin.programs.create({
      product: "frequency-containment",
      startHeight,
      periodBlocks: PERIOD_BLOCKS,
      periodCount: PERIOD_COUNT,
      capacityPriceUstx: CAPACITY_PRICE_USTX.toString(),
      energyPriceUstx: ENERGY_PRICE_USTX.toString(),
      budgetUstx: BUDGET_USTX.toString(),
      settleWindow: 400,
    });
    const committedKw = (index: number) => 100 + (index % 50);
    await eachLimited(facilityIds, 48, async (facilityId, index) => {
      const [owner] = ownerOf(index);
      await whenKnown(() => owner.programs.enrol(programId, { facilityId, committedKw: committedKw(index) }));
    });
    const enrolments = new Map<number, Enrolment>();
    for (let after: number | null | undefined; after !== null;) {
      const page = await admin.programs.enrolments(programId, after === undefined ? {} : { after });
      for (const enrolment of page.items) enrolments.set(enrolment.facilityId, enrolment);
      after = page.nextAfter;
    }
    expect(enrolments.size).toBe(FACILITIES);
    expect(new Set([...enrolments.values()].map((enrolment) => enrolment.cohort))).toEqual(new Set([0, 1]));

    // Each period's performance posted once it ends; the grid service settles the cohorts then.
    const expectedEarnings = new Map<number, bigint>(facilityIds.map((id) => [id, 0n]));
    for (let period = 0; period < PERIOD_COUNT; period += 1) {
      const periodEnd = startHeight + (period + 1) * PERIOD_BLOCKS;
      await waitFor(`block ${periodEnd}`, async () => (await tipHeight()) >= periodEnd, 120_000);
      const performances = facilityIds.flatMap((facilityId, index) => {
        const enrolment = enrolments.get(facilityId)!;
        if (period < enrolment.fromPeriod) return [];
        const performanceBps = performanceOf(index, period);
        const deliveredKwh = (index + period) % 40;
        const kw = BigInt(enrolment.committedKw);
        const amount =
          (kw * CAPACITY_PRICE_USTX * BigInt(performanceBps)) / 10_000n + BigInt(deliveredKwh) * ENERGY_PRICE_USTX;
        expectedEarnings.set(facilityId, expectedEarnings.get(facilityId)! + amount);
        return [{ facilityId, performanceBps, deliveredKwh }];
      });
      await admin.programs.postPerformances(programId, period, performances);
    }
    const settlements = await waitFor(
      "both cohorts settled for every period",
      async () => {
        const { items } = await admin.programs.settlements(programId);
        return items.length === 2 * PERIOD_COUNT ? items : undefined;
      },
      120_000,
    );
    const settledUstx = settlements.reduce((sum, settlement) => sum + BigInt(settlement.totalUstx), 0n);
    const expectedSettled = [...expectedEarnings.values()].reduce((sum, amount) => sum + amount, 0n);
    expect(settledUstx).toBe(expectedSettled);

    // Every settlement's report re-hashes to what the chain recorded, and each owner's line verifies.
    for (const settlement of settlements) {
      const recorded = await recordedReportHash(programId, settlement.cohort, settlement.period);
      expect(settlement.reportHash.replace(/^0x/, "")).toBe(recorded);
    }
    for (const [index, facilityId] of facilityIds.entries()) {
      if (index % 10 !== 0) continue;
      const [owner] = ownerOf(index);
      const answer = await owner.programs.line(programId, PERIOD_COUNT - 1, facilityId);
      const recorded = await recordedReportHash(programId, Number(answer.header.cohort), PERIOD_COUNT - 1);
      expect(settlementLineVerifies(answer, recorded), `facility ${facilityId}'s line`).toBe(true);
      expect(settlementLineVerifies({ ...answer, line: { ...answer.line, amountUstx: "1" } }, recorded)).toBe(false);
    }

    // The revenue service pays the earnings on its own, in batches; each stakeholder's balance
    // moves by exactly the contract's split of every distribution, to the micro-STX.
    const allEnrolments = async () => {
      const items: Enrolment[] = [];
      for (let after: number | null | undefined; after !== null;) {
        const page = await admin.programs.enrolments(programId, after === undefined ? {} : { after });
        items.push(...page.items);
        after = page.nextAfter;
      }
      return items;
    };
    await waitFor(
      "every enrolment's earnings paid",
      async () => (await allEnrolments()).every((enrolment) => enrolment.paidUstx === enrolment.earnedUstx),
      240_000,
    );
    // Revenue publishes the payments once its own follower read the batches: wait for them all.
    const programDistributions = () =>
      system.tail.events.filter(
        (tailed) =>
          tailed.subject === "revenue.distributed" &&
          (tailed.event.payload as { source?: string }).source === `program:${programId}`,
      );
    const distributions = await waitFor(
      "revenue.distributed for every micro-STX settled",
      () => {
        const events = programDistributions();
        const paid = events.reduce(
          (sum, { event }) => sum + BigInt((event.payload as { amountUstx: string }).amountUstx),
          0n,
        );
        return paid === expectedSettled ? events : undefined;
      },
      120_000,
    );
    const paidPerFacility = new Map<number, bigint>();
    const receivedPerStakeholder = new Map<string, bigint>(stakeholders.map((s) => [s, 0n]));
    for (const { event } of distributions) {
      const payload = event.payload as {
        facilityId: number;
        amountUstx: string;
        payments: { stakeholder: string; amountUstx: string }[];
      };
      const amount = BigInt(payload.amountUstx);
      paidPerFacility.set(payload.facilityId, (paidPerFacility.get(payload.facilityId) ?? 0n) + amount);
      const split = expectedSplit(amount, shares);
      for (const payment of payload.payments) {
        expect(BigInt(payment.amountUstx), `facility ${payload.facilityId} to ${payment.stakeholder}`).toBe(
          split.get(payment.stakeholder),
        );
        receivedPerStakeholder.set(
          payment.stakeholder,
          receivedPerStakeholder.get(payment.stakeholder)! + BigInt(payment.amountUstx),
        );
      }
    }
    for (const facilityId of facilityIds) {
      expect(paidPerFacility.get(facilityId) ?? 0n, `facility ${facilityId}`).toBe(expectedEarnings.get(facilityId));
    }
    for (const stakeholder of stakeholders) {
      expect(await stxBalance(stakeholder), stakeholder).toBe(
        balancesBefore.get(stakeholder)! + receivedPerStakeholder.get(stakeholder)!,
      );
    }
    // Fewer transactions than distributions: the earnings go out in batches.
    const batchTxids = new Set(distributions.map(({ event }) => event.chain?.txId));
    expect(batchTxids.size).toBeLessThan(distributions.length);

    // Closed, by the operator or by grid's sweep once the settle window passed (on a slow
    // machine the sweep gets there first): either way the operator gets back exactly what
    // was not settled.
    const endHeight = startHeight + PERIOD_COUNT * PERIOD_BLOCKS;
    await waitFor(`block ${endHeight}`, async () => (await tipHeight()) >= endHeight, 60_000);
    const closed = await admin.programs.close(programId).catch((error: unknown) => {
      if (error instanceof ApiRequestError && error.code === "ERR_PROGRAM_NOT_ACTIVE") return undefined;
      throw error;
    });
    if (closed) expect(BigInt(closed.refundUstx)).toBe(BUDGET_USTX - settledUstx);
    const program = await waitFor("the program closed in grid's read model", async () => {
      const view = await admin.programs.get(programId);
      return view.status === "closed" ? view : undefined;
    });
    expect(program).toMatchObject({
      settledUstx: settledUstx.toString(),
      distributedUstx: settledUstx.toString(),
      refundUstx: (BUDGET_USTX - settledUstx).toString(),
      remainingUstx: "0",
    });
  }, 900_000);

  it("runs the demo's small program: earnings paid on their own, the rest refunded, a line verified on chain", async () => {
    const callers = {
      admin: system.caller("admin"),
      ownerA: system.caller("owner-1"),
      ownerB: system.caller("owner-2"),
    };
    const stakeholders = system.stack.stakeholders.slice(0, 3) as [string, string, string];
    const demo = await runDemo({ urls: system.urls, devnetUrl: system.stack.devnet.url, callers, stakeholders });
    expect(demo.conserved).toBe(true);
    const program = await runProgramDemo({
      urls: system.urls,
      devnetUrl: system.stack.devnet.url,
      callers,
      facilityIds: demo.facilityIds,
      stakeholdersA: stakeholders,
    });
    expect(program).toMatchObject({ conserved: true, lineVerified: true });
    // Scored from the demo's metered samples: facility A answered the frequency dip in full (to the watt), B with 80 %.
    const [facilityA, facilityB] = demo.facilityIds;
    const lastPeriod = program.scoredBps[program.scoredBps.length - 1]!;
    expect(lastPeriod[facilityA]).toBeGreaterThanOrEqual(9_990);
    expect(lastPeriod[facilityB]).toBeGreaterThanOrEqual(7_500);
    expect(lastPeriod[facilityB]).toBeLessThan(8_500);
    expect(BigInt(program.settledUstx)).toBeGreaterThan(0n);
    expect(BigInt(program.settledUstx) + BigInt(program.refundUstx)).toBe(BigInt(program.budgetUstx));
  }, 300_000);
});
