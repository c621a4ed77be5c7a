import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import type { FailedWrite } from "./http-writes.js";
import type { MemorySampler } from "./memory-sampler.js";
import type { PerRequestRun } from "./per-request-load.js";
import type { ProgramRun } from "./program-load.js";
import type { CeilingResult } from "./simnet-ceiling.js";
import { distribution, type Distribution, seconds, slope } from "./stats.js";

export const SECTION_HEADING = "## The whole system under load (`npm run bench:load`)";
const DOC = "docs/benchmarks.md";

export interface LoadReportInput {
  command: string;
  date: Date;
  loadAverages: { label: string; values: number[] }[];
  blockIntervalMs: number;
  facilities: number;
  concurrency: number;
  /** Measured before the system started, and again after it stopped. */
  ceiling: CeilingResult;
  ceilingAfter?: CeilingResult;
  perRequest: PerRequestRun;
  failures: FailedWrite[];
  pendingAnswers: number;
  /** Failed transactions in the services' journals, `service function: code` -> count. */
  failedTransactions: Record<string, number>;
  abortedDistributions: number;
  conservation: { payoutsUstx: bigint; paidUstx: bigint };
  program: ProgramRun;
  memory: MemorySampler;
  processes: string[];
  afterS: number;
  startupMs: number;
  setupMs: number;
  /** Blocks mined and time passed during the per-request part. */
  chainDuringLoad: { blocks: number; ms: number };
}

const MB = 2 ** 20;
const mb = (bytes: number | undefined) => (bytes === undefined ? "–" : String(Math.round(bytes / MB)));
const rate = (value: number) => (Number.isFinite(value) ? value.toFixed(2) : "–");
const met = (ok: boolean | undefined) => (ok === undefined ? "not decided" : ok ? "met" : "missed");

function row(cells: (string | number)[]): string {
  return `| ${cells.join(" | ")} |`;
}

function stageRow(name: string, values: Distribution): string {
  return row([
    name,
    values.count,
    seconds(values.p50, 2),
    seconds(values.p95, 2),
    seconds(values.p99, 2),
    seconds(values.max, 2),
  ]);
}

export function renderLoadReport(input: LoadReportInput): string {
  const { perRequest, ceiling, memory, program } = input;
  const traces = perRequest.traces;
  const paid = traces.filter((trace) => trace.paidAtMs !== undefined);
  const fulfilled = traces.filter((trace) => trace.fulfilledAtMs !== undefined);
  const elapsedS = (perRequest.endedAtMs - perRequest.startedAtMs) / 1000;
  const paidPerS = paid.length / elapsedS;
  const httpPerS = fulfilled.length / ((perRequest.lastWriteAtMs - perRequest.startedAtMs) / 1000);
  const ceilings = [ceiling, ...(input.ceilingAfter ? [input.ceilingAfter] : [])];
  const ceilingPerS = ceilings.reduce((sum, c) => sum + c.fulfilmentsPerS, 0) / ceilings.length;
  const ratio = paidPerS / ceilingPerS;
  const toPaid = distribution(paid.map((trace) => trace.paidAtMs! - trace.startedAtMs));
  const toPaidBlocks = distribution(
    paid.flatMap((trace) =>
      trace.paidBlock !== undefined && trace.createdBlock !== undefined ? [trace.paidBlock - trace.createdBlock] : [],
    ),
  );
  const stages = {
    create: distribution(traces.flatMap((t) => (t.createdAtMs ? [t.createdAtMs - t.startedAtMs] : []))),
    accept: distribution(
      traces.flatMap((t) => (t.acceptedAtMs && t.createdAtMs ? [t.acceptedAtMs - t.createdAtMs] : [])),
    ),
    fulfil: distribution(
      traces.flatMap((t) => (t.fulfilledAtMs && t.acceptedAtMs ? [t.fulfilledAtMs - t.acceptedAtMs] : [])),
    ),
    payout: distribution(paid.map((t) => t.paidAtMs! - t.fulfilledAtMs!)),
  };
  const p99Intervals = toPaid.p99 === undefined ? undefined : toPaid.p99 / input.blockIntervalMs;
  const { blocks, ms } = input.chainDuringLoad;
  const meanBlockMs = blocks > 0 ? ms / blocks : undefined;

  // Memory: idle is the end of the quiet minute after start-up; peak is the largest sample
  // of the whole run; after is the end of the wait after the last payout.
  const idle = memory.lastOf("idle");
  const after = memory.lastOf("after");
  const allPhases = [...new Set(memory.samples.map((sample) => sample.phase))];
  const services = input.processes.filter((name) => name !== "devnet");
  const servicePeaks = services.map((name) => memory.peakOf(name, allPhases) ?? 0);
  const loadPhases = ["load", "program"];
  const devnetLoad = memory.samples
    .filter((sample) => loadPhases.includes(sample.phase) && sample.rss.devnet !== undefined)
    .map((sample) => ({ x: sample.atMs / 60_000, y: sample.rss.devnet! / MB }));
  const loadMinutes = devnetLoad.length > 1 ? devnetLoad.at(-1)!.x - devnetLoad[0]!.x : 0;
  const devnetSlope = slope(devnetLoad);
  const devnetFlat = loadMinutes >= 10 ? devnetSlope < 2 : undefined;
  const devnetSeries = memory.samples
    .filter((sample, index) => index % 30 === 0 && sample.rss.devnet !== undefined)
    .map((sample) => `${mb(sample.rss.devnet)} (${sample.phase})`);

  const failuresByCode = new Map<string, number>();
  for (const failure of input.failures) {
    const key = `${failure.step}: ${failure.status} ${failure.code}`;
    failuresByCode.set(key, (failuresByCode.get(key) ?? 0) + 1);
  }
  const programPerMin =
    program.status === "measured" && program.elapsedMs > 0
      ? program.facilityPeriodsPaid / (program.elapsedMs / 60_000)
      : undefined;
  const programLatency = distribution(program.periodEndToPaidMs);
  const programSettled = distribution(program.periodEndToSettledMs);
  const cpu = cpus()[0]?.model.trim() ?? "unknown CPU";

  const lines = [
    SECTION_HEADING,
    "",
    "Not part of `npm run bench` (which keeps this section when it rewrites the file): written by",
    `\`${input.command}\` on ${input.date.toISOString().slice(0, 16).replace("T", " ")} UTC.`,
    `Machine: ${cpus().length} cores (${cpu}), ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}; shared with other work.`,
    `Load average (1, 5, 15 min): ${input.loadAverages.map(({ label, values }) => `${label} ${values.map((v) => v.toFixed(1)).join(" / ")}`).join("; ")}.`,
    "",
    `The whole system as \`npm start\` runs it (devnet with ${input.blockIntervalMs / 1000}-second blocks in its own process, the five services`,
    `as processes, PostgreSQL and NATS JetStream on this machine; start-up took ${seconds(input.startupMs, 0)} s).`,
    `${input.facilities} facilities for the one-off requests and ${program.facilities} for the program were registered, approved,`,
    `capacity initialised and three stakeholders' shares set over HTTP (${seconds(input.setupMs, 0)} s). Then each one-off request goes`,
    "create (admin) → accept (the facility's owner) → fulfil at 95 % (admin) over HTTP, each write answering once confirmed,",
    `${input.concurrency} requests in their HTTP steps at once; the revenue service pays the stakeholders on its own.`,
    "A request counts as paid when the `revenue.distributed` events on NATS for its facility add up to every deposit",
    "up to its own (deposits are paid in order), whichever way revenue batches its distributions. Ceiling, in the same",
    `run before the system started and again after it stopped: the same four contract calls per fulfilment (create, accept, fulfil, and distribute-pools`,
    "paying the payout, one line, as revenue pays it but unbatched) in-process on the simnet, one block per call.",
    "Knobs: `BENCH_LOAD_*` in `scripts/bench-load/bench-options.ts`.",
    "",
    "| path | fulfilments | fulfilments/s | p50 request → paid | p95 | p99 |",
    "| --- | ---: | ---: | ---: | ---: | ---: |",
    ...ceilings.map((measured, index) =>
      row([
        `in-process simnet, four calls per fulfilment (ceiling, ${index === 0 ? "before the system started" : "after it stopped"})`,
        measured.fulfilments,
        rate(measured.fulfilmentsPerS),
        "–",
        "–",
        "–",
      ]),
    ),
    row([
      `whole system over HTTP, ${input.concurrency} concurrent`,
      `${paid.length} of ${traces.length}`,
      rate(paidPerS),
      `${seconds(toPaid.p50)} s`,
      `${seconds(toPaid.p95)} s`,
      `${seconds(toPaid.p99)} s`,
    ]),
    "",
    `Fulfilments/s over HTTP is paid requests / (last payout − first request sent), ${elapsedS.toFixed(1)} s; the HTTP steps alone`,
    `(first create sent to last fulfil answered) ran at ${rate(httpPerS)} fulfilments/s. Blocks from the create's block to the`,
    `payout's: p50 ${toPaidBlocks.p50 ?? "–"}, p99 ${toPaidBlocks.p99 ?? "–"}, max ${toPaidBlocks.max ?? "–"}; the devnet mined ${blocks} blocks in the`,
    `per-request part, one every ${seconds(meanBlockMs, 2)} s on average (the devnet skips a tick while it is still mining the previous block).`,
    "The local stack has two owners: every accept is signed by one of two keys, each allowed 25 unconfirmed transactions.",
    "",
    "Time in each stage (seconds; a write's stage ends when its confirmed answer arrives, the payout stage when the",
    "stakeholders' payment is on NATS):",
    "",
    "| stage | requests | p50 | p95 | p99 | max |",
    "| --- | ---: | ---: | ---: | ---: | ---: |",
    stageRow("create (admin)", stages.create),
    stageRow("accept (owner)", stages.accept),
    stageRow("fulfil (admin)", stages.fulfil),
    stageRow("fulfil answered → stakeholders paid", stages.payout),
    "",
    `Failed writes: ${input.failures.length}${
      failuresByCode.size > 0 ? ` (${[...failuresByCode].map(([key, count]) => `${count} × ${key}`).join(", ")})` : ""
    }; answers 202 pending first: ${input.pendingAnswers}; fulfilled but not paid when the run stopped waiting: ${perRequest.unpaid}.`,
    `Aborted distributions (revenue's journal, failed distribution transactions): ${input.abortedDistributions}.` +
      (Object.keys(input.failedTransactions).length > 0
        ? ` Failed transactions by service and function: ${Object.entries(input.failedTransactions)
            .map(([key, count]) => `${count} × ${key}`)
            .join(", ")}.`
        : " No service journal lists a failed transaction."),
    `Money: the fulfilments' payouts add up to ${input.conservation.payoutsUstx} µSTX; the distributions of these facilities paid ${input.conservation.paidUstx} µSTX.`,
    "",
    "### Programs",
    "",
    program.status === "measured"
      ? [
          `${program.facilities} facilities (two owners, three stakeholders each) enrolled in one frequency-regulation program of ${program.periods} periods`,
          `of ${program.periodBlocks} blocks; at each period's end the admin posts every facility's performance over HTTP, the grid`,
          "service settles each cohort and the revenue service pays the earnings out. A facility-period counts as paid when the",
          "`program.earnings.distributed` amounts of its slot add up to everything it earned up to that period.",
          `The program offered ${Math.round((program.facilities * 60_000) / (program.periodBlocks * input.blockIntervalMs))} facility-periods a minute (facilities / period length).`,
          "",
          "| facility-periods settled | paid | paid per minute | p50 period end → paid | p95 | p99 | failed writes |",
          "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
          row([
            program.facilityPeriodsSettled,
            program.facilityPeriodsPaid,
            programPerMin === undefined ? "–" : Math.round(programPerMin),
            `${seconds(programLatency.p50)} s`,
            `${seconds(programLatency.p95)} s`,
            `${seconds(programLatency.p99)} s`,
            program.failedWrites,
          ]),
          "",
          `From a period's end to its settlement on NATS: p50 ${seconds(programSettled.p50)} s, p99 ${seconds(programSettled.p99)} s; the rest of`,
          "the time is the revenue service's distribution.",
          `Paid per minute is facility-periods paid / (last payout − the program's first block), ${seconds(program.elapsedMs)} s, so the`,
          `time the last period's payout took counts against it. Money: settled`,
          `${program.settledUstx} µSTX, paid out ${program.paidUstx} µSTX.${program.note ? ` ${program.note}.` : ""}`,
        ].join("\n")
      : `Not measured in this run: ${program.note ?? "skipped"}.`,
    "",
    "### Resident memory (MB, VmRSS of each process)",
    "",
    `Idle: the end of a quiet spell after start-up, before any facility existed. Peak: the largest sample (one a second) of the`,
    `whole run. After: ${input.afterS} s after the last payout. The devnet's figure is its process's (the devnet and the stack launcher).`,
    "",
    row(["process", "idle", "peak", "after"]),
    row(["---", "---:", "---:", "---:"]),
    ...input.processes.map((name) =>
      row([name, mb(idle?.rss[name]), mb(memory.peakOf(name, allPhases)), mb(after?.rss[name])]),
    ),
    "",
    `Devnet over the run (every 30 s): ${devnetSeries.join(", ")}. Under load it grew ${devnetSlope.toFixed(1)} MB per minute`,
    `(least squares over ${loadMinutes.toFixed(1)} min of load).`,
    "",
    "### Goals (issue 11)",
    "",
    "| goal | measured | |",
    "| --- | --- | --- |",
    row([
      "per-request path ≥ 50 % of the in-process ceiling (same run)",
      `${(ratio * 100).toFixed(1)} % (${rate(paidPerS)} / ${rate(ceilingPerS)} fulfilments/s, the ceilings' mean)`,
      met(ratio >= 0.5),
    ]),
    row([
      `p99 request → paid within 6 block intervals (${(6 * input.blockIntervalMs) / 1000} s)`,
      `${seconds(toPaid.p99)} s (${p99Intervals === undefined ? "–" : p99Intervals.toFixed(1)} intervals; ${toPaidBlocks.p99 ?? "–"} blocks from the create's)`,
      met(p99Intervals === undefined ? undefined : p99Intervals <= 6),
    ]),
    row(["0 failed writes", String(input.failures.length), met(input.failures.length === 0)]),
    row(["0 aborted distributions", String(input.abortedDistributions), met(input.abortedDistributions === 0)]),
    row([
      "programs: ≥ 1,000 facility-periods settled and distributed per minute",
      programPerMin === undefined ? "not measured" : String(Math.round(programPerMin)),
      met(programPerMin === undefined ? undefined : programPerMin >= 1_000),
    ]),
    row([
      "every service < 200 MB resident at peak",
      `largest ${mb(Math.max(...servicePeaks))} MB (${services[servicePeaks.indexOf(Math.max(...servicePeaks))]})`,
      met(servicePeaks.every((peak) => peak < 200 * MB)),
    ]),
    row([
      "devnet memory flat over a 10-minute run (< 2 MB/min)",
      `${devnetSlope.toFixed(1)} MB/min over ${loadMinutes.toFixed(1)} min`,
      loadMinutes >= 10
        ? met(devnetFlat)
        : "not decided: under 10 min of load (BENCH_LOAD_DURATION_S=600 and requests enough to last)",
    ]),
    "",
  ];
  return lines.join("\n");
}

/** Puts the section into docs/benchmarks.md in place of the previous one (or at the end). */
export function writeLoadSection(section: string): void {
  const existing = existsSync(DOC) ? readFileSync(DOC, "utf8") : "# Benchmarks\n";
  const parts = existing.split(/\n(?=## )/);
  const index = parts.findIndex((part) => part.startsWith(SECTION_HEADING));
  const body = section.trimEnd() + "\n";
  if (index >= 0) parts[index] = body;
  else parts.push(body);
  writeFileSync(DOC, parts.map((part) => part.trimEnd() + "\n").join("\n"));
}
