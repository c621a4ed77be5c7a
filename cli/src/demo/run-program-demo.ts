import { randomBytes } from "node:crypto";
import { Cl, ClarityType, cvToHex, hexToCV } from "@stacks/transactions";
import { type Enrolment, type ServiceName, settlementLineVerifies, VoltstackClient } from "@voltstack/client";
import { DYNAMIC_CONTAINMENT, droopW } from "@voltstack/scoring";
import { formatStx } from "../amounts.js";
import type { DemoCallers } from "./run-demo.js";
import { stxBalances, tipHeight } from "./stx-balances.js";

export interface ProgramDemoOptions {
  urls: Record<ServiceName, string>;
  devnetUrl: string;
  callers: DemoCallers;
  /** Two approved facilities with capacity initialised: the first owned by owner A, the second by owner B. */
  facilityIds: readonly [number, number];
  /** Who receives facility A's revenue (its shares are set already); facility B's goes to the first of them. */
  stakeholdersA: readonly string[];
  log?: (line: string) => void;
  progress?: <T>(label: string, work: () => Promise<T>) => Promise<T>;
  /** How long to wait for a period to end, for a settlement, or for the revenue service to pay. */
  timeoutMs?: number;
  /** The trace id every request carries (the request demo's, so one id follows the whole run); a new one by default. */
  traceId?: string;
}

export interface ProgramDemoReport {
  programId: number;
  budgetUstx: string;
  settledUstx: string;
  refundUstx: string;
  /** What each stakeholder received from the program, by principal. */
  receivedUstx: Record<string, string>;
  /** The performance each facility earned in each period, scored from its telemetry: [period][facility id]. */
  scoredBps: Record<number, number>[];
  /** Owner A's line of period 0, checked against the report hash the chain recorded. */
  lineVerified: boolean;
  /** Settled = paid to the stakeholders, and paid + refund = budget, to the micro-STX. */
  conserved: boolean;
}

// A frequency-containment program of two periods of five blocks, at 50 µSTX per committed kW
// per period at full performance, funded with 1 STX, scored from telemetry by the fast
// (dynamic containment) profile: the grid runs 100 mHz low throughout, facility A answers
// with all the power its droop asks for, facility B with 80 % of it.
const PERIOD_BLOCKS = 5;
const PERIOD_COUNT = 2;
const CAPACITY_PRICE_USTX = 50n;
const BUDGET_USTX = 1_000_000n;
const COMMITTED_KW = [400, 200] as const;
const RESPONSE_SHARE = [1, 0.8] as const;
const DIP_MILLIHZ = 49_900;
const SAMPLE_MS = 2_000;

/**
 * A small program after the request demo: both facilities enrolled, their meters sending
 * 2-second samples while the periods run, each period scored from those samples by the grid
 * service once it ends (which settles the cohort then), the earnings paid by the revenue
 * service on its own, the program closed and the rest refunded, and owner A's line of the
 * first period verified against the report hash on chain.
 */
export async function runProgramDemo(options: ProgramDemoOptions): Promise<ProgramDemoReport> {
  const log = options.log ?? (() => undefined);
  const progress = options.progress ?? (<T>(_label: string, work: () => Promise<T>) => work());
  const timeoutMs = options.timeoutMs ?? 120_000;
  const traceId = options.traceId ?? randomBytes(16).toString("hex");
  const traceparent = `00-${traceId}-${randomBytes(8).toString("hex")}-01`;
  const client = (apiKey: string) => new VoltstackClient({ urls: options.urls, apiKey, traceparent });
  const admin = client(options.callers.admin.apiKey);
  const owners = [client(options.callers.ownerA.apiKey), client(options.callers.ownerB.apiKey)] as const;
  const [facilityA, facilityB] = options.facilityIds;

  // Facility B's revenue goes to the first of A's stakeholders: none of the payees signs anything
  // here, so their balances move by what they are paid and nothing else.
  await owners[1].revenue.setShares(facilityB, [{ stakeholder: options.stakeholdersA[0]!, shareBps: 10_000 }]);
  const payees = [...options.stakeholdersA];
  const before = await stxBalances(options.devnetUrl, payees);

  // Enrolments made after the start earn from the next period on: the start leaves them a few blocks.
  const startHeight = (await tipHeight(options.devnetUrl)) + 15;
  const { programId, txid } = await progress("creating the program", () =>
    admin.programs.create({
      product: "frequency-containment",
      startHeight,
      periodBlocks: PERIOD_BLOCKS,
      periodCount: PERIOD_COUNT,
      capacityPriceUstx: CAPACITY_PRICE_USTX.toString(),
      energyPriceUstx: "0",
      budgetUstx: BUDGET_USTX.toString(),
      settleWindow: 100,
    }),
  );
  log(`  ✓ ${`program ${programId}: frequency containment, ${formatStx(BUDGET_USTX)} escrowed`.padEnd(44)} tx ${txid}`);
  await Promise.all(
    [facilityA, facilityB].map(async (facilityId, index) => {
      const committedKw = COMMITTED_KW[index as 0 | 1];
      const enrolled = await owners[index as 0 | 1].programs.enrol(programId, { facilityId, committedKw });
      log(`  ✓ ${`enrol facility ${facilityId}: ${committedKw} kW`.padEnd(44)} tx ${enrolled.txid}`);
    }),
  );
  const scoring = await admin.programs.enableScoring(programId, { containmentProfile: "dynamic-containment" });
  log(`  ✓ ${`program ${programId} scored from telemetry`.padEnd(44)} ${scoring.containmentProfile} profile`);

  // The sites' meters: every sample from now on, sent as the demo waits, as a site would stream them.
  let nextSampleAt = Math.floor(Date.now() / SAMPLE_MS) * SAMPLE_MS;
  const meter = async () => {
    const upTo = Date.now();
    const instants: number[] = [];
    for (; nextSampleAt <= upTo; nextSampleAt += SAMPLE_MS) instants.push(nextSampleAt);
    if (instants.length === 0) return;
    await Promise.all(
      [facilityA, facilityB].map((facilityId, index) => {
        const requiredW = droopW(DIP_MILLIHZ, COMMITTED_KW[index as 0 | 1] * 1_000, DYNAMIC_CONTAINMENT);
        const powerW = Math.round(requiredW * RESPONSE_SHARE[index as 0 | 1]);
        return admin.telemetry.post(
          facilityId,
          instants.map((at) => ({ at: new Date(at).toISOString(), powerW, frequencyMilliHz: DIP_MILLIHZ })),
        );
      }),
    );
  };
  const lastEnd = startHeight + PERIOD_COUNT * PERIOD_BLOCKS;
  await progress(`metering both facilities until the last period ends (block ${lastEnd})`, () =>
    waitFor(
      async () => {
        await meter();
        return (await tipHeight(options.devnetUrl)) >= lastEnd;
      },
      timeoutMs,
      `block ${lastEnd}`,
    ),
  );
  await meter();

  const settlements = await progress("waiting for every period to be scored and settled", () =>
    waitFor(
      async () => {
        // The grid scores periods on its own every few seconds; asking now saves the wait.
        await admin.programs.runScoringSweep();
        const { items } = await admin.programs.settlements(programId);
        return items.length === PERIOD_COUNT ? items : undefined;
      },
      timeoutMs,
      "the settlements",
    ),
  );
  const scoredBps: Record<number, number>[] = [];
  for (let period = 0; period < PERIOD_COUNT; period += 1) {
    const { items } = await admin.programs.scores(programId, period);
    scoredBps.push(Object.fromEntries(items.map((score) => [score.facilityId, score.performanceBps])));
    const scored = items.map((score) => `facility ${score.facilityId} ${score.performanceBps} bps`).join(", ");
    log(`  ✓ ${`period ${period} scored from telemetry`.padEnd(44)} ${scored || "no facility earning yet"}`);
  }
  const settledUstx = settlements.reduce((sum, settlement) => sum + BigInt(settlement.totalUstx), 0n);
  await progress("waiting for the revenue service to pay the earnings", () =>
    waitFor(
      async () => {
        const { items } = await admin.programs.enrolments(programId);
        return items.every((enrolment: Enrolment) => enrolment.paidUstx === enrolment.earnedUstx) ? true : undefined;
      },
      timeoutMs,
      "the program's earnings to be paid",
    ),
  );
  const closed = await progress("closing the program", () =>
    waitFor(
      () =>
        admin.programs.close(programId).catch((error: { code?: string }) => {
          if (error.code === "ERR_PROGRAM_NOT_CLOSABLE") return undefined;
          throw error;
        }),
      timeoutMs,
      "the program to be closable",
    ),
  );
  log(`  ✓ ${`program closed: ${formatStx(closed.refundUstx)} refunded`.padEnd(44)} tx ${closed.txid}`);

  const answer = await owners[0].programs.line(programId, 0, facilityA);
  const recordedRoot = await recordedReportHash(options.devnetUrl, answer.header.contract, programId, answer);
  const lineVerified = settlementLineVerifies(answer, recordedRoot);
  log(
    `  ${lineVerified ? "✓" : "✗"} facility ${facilityA}'s line of period 0 (${formatStx(answer.line.amountUstx)}) ` +
      `${lineVerified ? "is" : "is NOT"} in the report whose hash the chain recorded`,
  );

  const after = await stxBalances(options.devnetUrl, payees);
  const receivedUstx = Object.fromEntries(
    payees.map((principal) => [principal, (after.get(principal)! - before.get(principal)!).toString()]),
  );
  const paid = Object.values(receivedUstx).reduce((sum, amount) => sum + BigInt(amount), 0n);
  const refundUstx = BigInt(closed.refundUstx);
  return {
    programId,
    budgetUstx: BUDGET_USTX.toString(),
    settledUstx: settledUstx.toString(),
    refundUstx: refundUstx.toString(),
    receivedUstx,
    scoredBps,
    lineVerified,
    conserved: paid === settledUstx && paid + refundUstx === BUDGET_USTX,
  };
}

/** The report hash grid-services recorded for the line's settlement, read from the chain's node. */
async function recordedReportHash(
  nodeUrl: string,
  contract: string,
  programId: number,
  answer: { header: { cohort: string; period: string } },
): Promise<string> {
  const [address, name] = contract.split(".") as [string, string];
  const response = await fetch(new URL(`/v2/contracts/call-read/${address}/${name}/get-settlement`, nodeUrl), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      sender: address,
      arguments: [Cl.uint(programId), Cl.uint(answer.header.cohort), Cl.uint(answer.header.period)].map(cvToHex),
    }),
  });
  const body = (await response.json()) as { okay: boolean; result?: string };
  const value = body.okay && body.result ? hexToCV(body.result) : undefined;
  if (value?.type !== ClarityType.OptionalSome || value.value.type !== ClarityType.Tuple) {
    throw new Error(`The chain has no settlement for program ${programId}, cohort ${answer.header.cohort}.`);
  }
  const hash = value.value.value["report-hash"];
  if (hash?.type !== ClarityType.Buffer) throw new Error("The settlement on chain has no report hash.");
  return hash.value;
}

async function waitFor<T>(probe: () => Promise<T | undefined | false>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Waited ${timeoutMs / 1000} s for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
