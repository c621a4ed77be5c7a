// `npm run bench:load`: the whole system under load, as issue 11 asks it to be measured.
// 1. the ceiling: the same four contract calls per fulfilment in-process on the simnet;
// 2. the whole system started locally (devnet with 1-second blocks in a process of its own,
//    the five services), idle for a while, then N facilities set up over HTTP;
// 3. M one-off requests through create -> accept -> fulfil -> stakeholders paid;
// 4. a program with many facilities over several periods (once the grid service has programs);
// 5. a quiet minute, then everything stopped and the section written into docs/benchmarks.md.
// Knobs: scripts/bench-load/bench-options.ts. Resident memory of every process is sampled
// once a second throughout.
import { fork } from "node:child_process";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { VoltstackClient } from "@voltstack/client";
import { tailEvents } from "@voltstack/local-stack";
import { benchOptionsFromEnv, describeOptions } from "./bench-options.js";
import { setUpFacilities } from "./facility-setup.js";
import { failedTransactions, HttpWrites } from "./http-writes.js";
import { type LoadReportInput, renderLoadReport, writeLoadSection } from "./load-report.js";
import { MemorySampler } from "./memory-sampler.js";
import { PayoutTracker } from "./payout-tracker.js";
import { BlockClock, ProgramTracker } from "./program-tracker.js";
import { runPerRequestLoad } from "./per-request-load.js";
import { runProgramLoad } from "./program-load.js";
import { measureSimnetCeiling } from "./simnet-ceiling.js";
import type { HostMessage, StackHandle } from "./stack-host.js";

const PAYOUT_WAIT_MS = 180_000;

const options = benchOptionsFromEnv();
const say = (line: string) => console.error(line);
const loadAverages: { label: string; values: number[] }[] = [];
const noteLoad = (label: string) => loadAverages.push({ label, values: loadavg() });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
say(`bench:load ${describeOptions(options)}`);

noteLoad("ceiling");
say(`simnet ceiling: ${options.ceilingFulfilments} fulfilments over ${options.facilities} facilities...`);
const ceiling = await measureSimnetCeiling(options.facilities, options.ceilingFulfilments);
say(`  ${ceiling.fulfilmentsPerS.toFixed(1)} fulfilments/s (${ceiling.callsPerS.toFixed(0)} calls/s)`);

say("starting the system (devnet, migrations, five services)...");
const startedAt = Date.now();
const host = fork(fileURLToPath(new URL("./stack-host.ts", import.meta.url)), [], {
  execArgv: ["--import", "tsx", "--conditions=voltstack-source"],
  env: { ...process.env, BENCH_LOAD_BLOCK_MS: String(options.blockIntervalMs) },
  stdio: ["ignore", "inherit", "inherit", "ipc"],
});
const stack = await new Promise<StackHandle>((resolve, reject) => {
  host.on("message", (message: HostMessage) => {
    if ("ready" in message) resolve(message.ready);
    else if ("failed" in message) reject(new Error(`the system did not start: ${message.failed}`));
    else if ("progress" in message) say(`  ${message.progress}`);
    else if ("serviceExit" in message) say(`  ! ${message.serviceExit}`);
  });
  host.once("exit", (code) => reject(new Error(`the stack process exited (code ${code})`)));
});
const startupMs = Date.now() - startedAt;
say(`system ready in ${(startupMs / 1000).toFixed(0)} s`);

let exitCode = 0;
let reportInput: LoadReportInput | undefined;
const memory = new MemorySampler(stack.pids);
const tracker = new PayoutTracker();
let programId: number | undefined;
const programTracker = new ProgramTracker(() => programId);
const clock = new BlockClock(stack.devnetUrl);
const tail = await tailEvents(stack.natsUrl, stack.subjectPrefix, (tailed) => {
  tracker.onEvent(tailed);
  programTracker.onEvent(tailed);
});
try {
  const caller = (name: string) => {
    const found = stack.callers.find((candidate) => candidate.name === name);
    if (!found) throw new Error(`the stack has no caller ${name}`);
    return { apiKey: found.apiKey, principal: found.principal };
  };
  const admin = caller("admin");
  const owners = [caller("owner-1"), caller("owner-2")];
  const adminClient = new VoltstackClient({ urls: stack.urls, apiKey: admin.apiKey });
  const tipHeight = () => clock.poll();

  say(`idle for ${options.idleS} s...`);
  await sleep(options.idleS * 1000);

  memory.phase = "setup";
  say(`setting up ${options.facilities + options.programFacilities} facilities...`);
  const setupStarted = Date.now();
  const setupWrites = new HttpWrites(stack.urls);
  const all = await setUpFacilities({
    writes: setupWrites,
    count: options.facilities + options.programFacilities,
    label: "Bench",
    owners,
    admin,
    stakeholders: stack.stakeholders,
    // Two owners with 25 unconfirmed transactions each.
    concurrency: 40,
  });
  const setupMs = Date.now() - setupStarted;
  say(`  set up in ${(setupMs / 1000).toFixed(0)} s`);
  const requestFacilities = all.slice(0, options.facilities);
  const programFacilities = all.slice(options.facilities);
  for (const facility of requestFacilities) tracker.track(facility.facilityId);

  memory.phase = "load";
  noteLoad("load start");
  say(`${options.requests} requests, ${options.concurrency} at once...`);
  const writes = new HttpWrites(stack.urls);
  const loadStartTip = await clock.poll();
  const perRequest = await runPerRequestLoad({
    writes,
    facilities: requestFacilities,
    admin,
    tracker,
    count: options.requests,
    concurrency: options.concurrency,
    durationMs: options.durationS * 1000,
    tipHeight,
    payoutWaitMs: PAYOUT_WAIT_MS,
    onProgress: say,
  });
  say(`  per-request load done: ${tracker.paid.size} paid`);
  const chainDuringLoad = {
    blocks: (await clock.poll()) - loadStartTip,
    ms: perRequest.endedAtMs - perRequest.startedAtMs,
  };

  memory.phase = "program";
  const programWrites = new HttpWrites(stack.urls);
  const program = await runProgramLoad({
    writes: programWrites,
    facilities: programFacilities,
    admin,
    periods: options.programPeriods,
    periodBlocks: options.programPeriodBlocks,
    clock,
    tracker: programTracker,
    onProgramCreated: (id) => (programId = id),
    payoutWaitMs: PAYOUT_WAIT_MS,
    onProgress: say,
  });
  say(`  program: ${program.status}${program.note ? ` (${program.note})` : ""}`);
  noteLoad("load end");

  memory.phase = "after";
  say(`quiet for ${options.afterS} s...`);
  await sleep(options.afterS * 1000);
  memory.sample();

  const failedByKind: Record<string, number> = {};
  let abortedDistributions = 0;
  for (const service of ["grid", "revenue"] as const) {
    for (const failed of await failedTransactions(adminClient, service)) {
      const key = `${service} ${failed.functionName}: ${failed.errorCode ?? "no code"}`;
      failedByKind[key] = (failedByKind[key] ?? 0) + 1;
      if (service === "revenue" && failed.functionName.startsWith("distribute")) abortedDistributions += 1;
    }
  }
  const payoutsUstx = perRequest.traces.reduce((sum, trace) => sum + (trace.payoutUstx ?? 0n), 0n);

  reportInput = {
    command: `${describeOptions(options)} npm run bench:load`,
    date: new Date(),
    loadAverages,
    blockIntervalMs: options.blockIntervalMs,
    facilities: options.facilities,
    concurrency: options.concurrency,
    ceiling,
    perRequest,
    failures: writes.failures,
    pendingAnswers: writes.pendingAnswers,
    failedTransactions: failedByKind,
    abortedDistributions,
    conservation: { payoutsUstx, paidUstx: tracker.totals().distributedUstx },
    program,
    memory,
    processes: Object.keys(stack.pids),
    afterS: options.afterS,
    startupMs,
    setupMs,
    chainDuringLoad,
  };
} catch (error) {
  exitCode = 1;
  say(`bench:load failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  say(`the services' logs: ${stack.stateDir}/logs (removed when the stack stops)`);
} finally {
  memory.stop();
  clock.stop();
  await tail.close();
  const exited = new Promise((resolve) => host.once("exit", resolve));
  host.send("stop");
  await exited;
}

if (reportInput) {
  // The ceiling again with the system stopped: the machine's other load moves over a run,
  // so the ratio is taken against the mean of both.
  noteLoad("ceiling after");
  say(`simnet ceiling again: ${options.ceilingFulfilments} fulfilments...`);
  reportInput.ceilingAfter = await measureSimnetCeiling(options.facilities, options.ceilingFulfilments);
  say(`  ${reportInput.ceilingAfter.fulfilmentsPerS.toFixed(1)} fulfilments/s`);
  const section = renderLoadReport(reportInput);
  console.log(section);
  if (options.writeDocs) {
    writeLoadSection(section);
    say("wrote the section into docs/benchmarks.md");
  }
}
process.exit(exitCode);
