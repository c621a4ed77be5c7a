// The program half of the benchmark: many facilities enrolled in one program, performance
// posted for every facility at each period's end, settled by the grid service and paid out
// by the revenue service, period by period. It needs the grid service's program API
// (services/grid/src/programs); on a tree without it the half reports itself as not run.
import { existsSync } from "node:fs";
import type { ApiRequestError } from "@voltstack/client";
import type { BenchFacility, Owner } from "./facility-setup.js";
import { eachLimited, type HttpWrites } from "./http-writes.js";
import type { BlockClock, ProgramTracker } from "./program-tracker.js";

export interface ProgramRun {
  status: "measured" | "not-run";
  /** Why it was not run, or what went wrong part-way. */
  note?: string;
  facilities: number;
  periods: number;
  periodBlocks: number;
  /** Facility-periods settled on chain and paid to their stakeholders. */
  facilityPeriodsPaid: number;
  facilityPeriodsSettled: number;
  /** From the program's start (its first block seen) to the last payout. */
  elapsedMs: number;
  /** Per facility-period paid: from its period's end (its last block seen on the chain) to its payout. */
  periodEndToPaidMs: number[];
  /** Per facility-period settled: from its period's end to its settlement seen on NATS. */
  periodEndToSettledMs: number[];
  failedWrites: number;
  settledUstx: bigint;
  paidUstx: bigint;
}

export interface ProgramLoadContext {
  writes: HttpWrites;
  facilities: readonly BenchFacility[];
  admin: Owner;
  periods: number;
  periodBlocks: number;
  clock: BlockClock;
  tracker: ProgramTracker;
  /** Tells the tracker which program to follow. */
  onProgramCreated: (programId: number) => void;
  /** How long to wait for the last payouts after the last period ended. */
  payoutWaitMs: number;
  onProgress?: (line: string) => void;
}

export const PROGRAM_API_DIR = "services/grid/src/programs";
const COMMITTED_KW = 100;
const CAPACITY_PRICE_USTX = 1_003n;
const ENERGY_PRICE_USTX = 7n;
const DELIVERED_KWH = 20;
const SETTLE_WINDOW_BLOCKS = 600;
// The grid service takes at most this many performances in one request (ten full cohorts).
const MAX_PERFORMANCES_PER_REQUEST = 1_000;

const chunk = <T>(items: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, index) => items.slice(index * size, (index + 1) * size));

/** Whether this tree's grid service has the program API the program half drives. */
export function programApiPresent(): boolean {
  return existsSync(PROGRAM_API_DIR);
}

/** Performance of a facility in a period: varied, so the amounts differ and round. */
const performanceOf = (facilityId: number, period: number) => 8_000 + ((facilityId * 37 + period * 101) % 2_001);

export async function runProgramLoad(context: ProgramLoadContext): Promise<ProgramRun> {
  const { writes, admin, clock, tracker, periods, periodBlocks } = context;
  const failuresBefore = writes.failures.length;
  const run: ProgramRun = {
    status: "not-run",
    facilities: context.facilities.length,
    periods,
    periodBlocks,
    facilityPeriodsPaid: 0,
    facilityPeriodsSettled: 0,
    elapsedMs: 0,
    periodEndToPaidMs: [],
    periodEndToSettledMs: [],
    failedWrites: 0,
    settledUstx: 0n,
    paidUstx: 0n,
  };
  if (context.facilities.length === 0) return { ...run, note: "no program facilities asked for" };
  if (!programApiPresent()) return { ...run, note: `the grid service has no program API yet (${PROGRAM_API_DIR})` };

  // Enrolment must be over before the start, or facilities would earn from a later period.
  const startHeight = (await clock.poll()) + 20 + Math.ceil(context.facilities.length / 6);
  const perFacilityPeriod = BigInt(COMMITTED_KW) * CAPACITY_PRICE_USTX + BigInt(DELIVERED_KWH) * ENERGY_PRICE_USTX;
  const budgetUstx = perFacilityPeriod * BigInt(context.facilities.length * periods);
  try {
    const created = await writes.write("create program", admin.apiKey, (client) =>
      client.request<{ programId: number }>("grid", "POST", "programs", {
        body: {
          product: "frequency-regulation",
          startHeight,
          periodBlocks,
          periodCount: periods,
          capacityPriceUstx: CAPACITY_PRICE_USTX.toString(),
          energyPriceUstx: ENERGY_PRICE_USTX.toString(),
          budgetUstx: budgetUstx.toString(),
          settleWindow: SETTLE_WINDOW_BLOCKS,
        },
      }),
    );
    const programId = created.programId;
    context.onProgramCreated(programId);
    context.onProgress?.(
      `  program ${programId}: start at block ${startHeight}, enrolling ${context.facilities.length} facilities`,
    );
    await eachLimited(context.facilities, 16, async (facility) => {
      await writes.write("enrol", facility.owner.apiKey, (client) =>
        client.request("grid", "POST", `programs/${programId}/enrolments`, {
          body: { facilityId: facility.facilityId, committedKw: COMMITTED_KW },
        }),
      );
    });
    if (clock.tip >= startHeight) run.note = `enrolment ended after the start (block ${clock.tip})`;

    // A period has ended once its last block is mined: the next transaction lands after it.
    const periodEnd = (period: number) => startHeight + (period + 1) * periodBlocks - 1;
    const notEnded = (error: ApiRequestError) => error.code === "ERR_PERIOD_NOT_ENDED";
    for (let period = 0; period < periods; period += 1) {
      await clock.reach(periodEnd(period));
      // Each request settles the cohorts it completes before it answers.
      const chunks = chunk(context.facilities, MAX_PERFORMANCES_PER_REQUEST);
      await Promise.all(
        chunks.map((facilities) =>
          writes.write(
            "post performances",
            admin.apiKey,
            (client) =>
              client.request("grid", "POST", `programs/${programId}/periods/${period}/performances`, {
                body: {
                  performances: facilities.map((facility) => ({
                    facilityId: facility.facilityId,
                    performanceBps: performanceOf(facility.facilityId, period),
                    deliveredKwh: DELIVERED_KWH,
                  })),
                },
              }),
            notEnded,
          ),
        ),
      );
      context.onProgress?.(
        `  period ${period} ended at block ${periodEnd(period)}: ${tracker.facilityPeriods.size} facility-periods settled so far`,
      );
    }

    const expected = context.facilities.length * periods;
    const deadline = Date.now() + context.payoutWaitMs;
    const paidCount = () => [...tracker.facilityPeriods.values()].filter((fp) => fp.paidAtMs !== undefined).length;
    while (paidCount() < expected && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 500));

    const paid = [...tracker.facilityPeriods.values()].filter((fp) => fp.paidAtMs !== undefined);
    const started = clock.seenAt(startHeight);
    run.status = "measured";
    run.facilityPeriodsSettled = tracker.facilityPeriods.size;
    run.facilityPeriodsPaid = paid.length;
    run.elapsedMs =
      started === undefined || paid.length === 0 ? 0 : Math.max(...paid.map((fp) => fp.paidAtMs!)) - started;
    run.periodEndToPaidMs = paid.flatMap((fp) => {
      const end = clock.seenAt(periodEnd(fp.period));
      return end === undefined ? [] : [fp.paidAtMs! - end];
    });
    run.periodEndToSettledMs = [...tracker.facilityPeriods.values()].flatMap((fp) => {
      const end = clock.seenAt(periodEnd(fp.period));
      return end === undefined ? [] : [fp.settledAtMs - end];
    });
    Object.assign(run, tracker.totals());
    if (paid.length < expected) {
      run.note = `${run.note ? `${run.note}; ` : ""}${expected - paid.length} of ${expected} facility-periods not paid when the run stopped waiting`;
    }
  } catch (error) {
    run.note = `stopped: ${error instanceof Error ? error.message : String(error)}`;
  }
  run.failedWrites = writes.failures.length - failuresBefore;
  return run;
}
