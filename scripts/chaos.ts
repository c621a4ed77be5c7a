// The chaos experiments of test/chaos with bigger parameters than CI's: every service
// killed several times, NATS down for minutes, several PostgreSQL and devnet restarts.
// Each CHAOS_* variable below may be set to override its default. Prints one row per
// experiment: runs, how many held every invariant, how long the fault lasted (for a SIGKILL:
// the kill to the new process ready) and recovery times (from the fault's end to all five
// services ready, and to the backlog drained too).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ExperimentRun } from "../test/chaos/support/experiments.js";

const LONG_VARIANT: Record<string, string> = {
  CHAOS_KILL_ROUNDS: "3",
  CHAOS_NATS_OUTAGE_S: "300",
  CHAOS_POSTGRES_RESTARTS: "3",
  CHAOS_DEVNET_RESTARTS: "2",
  CHAOS_FULFILMENTS_BEFORE_FAULT: "3",
  CHAOS_RECOVERY_WITHIN_S: "300",
};

const resultsDir = mkdtempSync(join(tmpdir(), "voltstack-chaos-results-"));
const resultsFile = join(resultsDir, "runs.jsonl");
const env: NodeJS.ProcessEnv = { ...process.env, CHAOS_RESULTS_FILE: resultsFile };
for (const [name, value] of Object.entries(LONG_VARIANT)) env[name] ||= value;
console.log(
  Object.keys(LONG_VARIANT)
    .map((name) => `${name}=${env[name]}`)
    .join(" "),
);

const { status } = spawnSync("npx", ["vitest", "run", "--config", "test/chaos/vitest.config.ts"], {
  stdio: "inherit",
  env,
});

const runs: ExperimentRun[] = existsSync(resultsFile)
  ? readFileSync(resultsFile, "utf8")
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => JSON.parse(line) as ExperimentRun)
  : [];
rmSync(resultsDir, { recursive: true, force: true });

function percentile(values: number[], fraction: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)];
}

const seconds = (ms: number | undefined) => (ms === undefined ? "-" : (ms / 1000).toFixed(1));
const rows = [
  [
    "experiment",
    "runs",
    "held",
    "fault p50 s",
    "fault max s",
    "ready p50 s",
    "ready max s",
    "recovered p50 s",
    "recovered max s",
  ],
];
for (const experiment of [...new Set(runs.map((run) => run.experiment))]) {
  const of = runs.filter((run) => run.experiment === experiment);
  const faults = of.map((run) => run.faultMs);
  const ready = of.flatMap((run) => (run.readyMs === undefined ? [] : [run.readyMs]));
  const recovered = of.flatMap((run) => (run.recoveryMs === undefined ? [] : [run.recoveryMs]));
  rows.push([
    experiment,
    String(of.length),
    String(of.filter((run) => run.violations.length === 0).length),
    seconds(percentile(faults, 0.5)),
    seconds(Math.max(...faults)),
    seconds(percentile(ready, 0.5)),
    seconds(ready.length === 0 ? undefined : Math.max(...ready)),
    seconds(percentile(recovered, 0.5)),
    seconds(recovered.length === 0 ? undefined : Math.max(...recovered)),
  ]);
}
const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
console.log("");
for (const row of rows) console.log(`| ${row.map((cell, column) => cell.padEnd(widths[column]!)).join(" | ")} |`);
for (const run of runs.filter((candidate) => candidate.violations.length > 0)) {
  console.log(`\n${run.experiment} (${run.fault}, seed ${run.seed}):\n  ${run.violations.join("\n  ")}`);
}
process.exit(status ?? 1);
