// The whole test suite, as the README's test command and CI run it: the
// contract check, the servers the tests need, the generated Prisma clients,
// type-checking, lint and formatting, then each vitest suite. Prints one
// plain closing line "N passed, N failed, N skipped" over all suites and exits
// non-zero when anything failed or a suite could not run.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

type Suite = { name: string; args: string[] };
type VitestReport = {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  success: boolean;
};

const resultsDir = ".test-results";
const suites: Suite[] = [
  { name: "contracts", args: ["--config", "contracts/vitest.config.ts", "--silent=passed-only"] },
  { name: "libs-and-services", args: ["--config", "vitest.config.ts"] },
  // Alone and last: it kills services and servers of its own and times their recovery.
  { name: "chaos", args: ["--config", "test/chaos/vitest.config.ts"] },
];

function run(command: string, args: string[]): number {
  const { status } = spawnSync(command, args, { stdio: "inherit" });
  return status ?? 1;
}

rmSync(resultsDir, { recursive: true, force: true });
mkdirSync(resultsDir, { recursive: true });

const totals = { passed: 0, failed: 0, skipped: 0 };
let broken = false;

const prerequisites: [string, string[]][] = [
  ["npx", ["tsx", "scripts/check-contracts.ts"]],
  ["bash", ["scripts/ensure-infra.sh"]],
  ["npx", ["tsx", "scripts/prisma-generate.ts"]],
  ["npx", ["tsc", "-p", "tsconfig.json", "--noEmit"]],
  ["npx", ["eslint", "."]],
  ["npx", ["prettier", "--check", "--log-level=warn", "."]],
];
if (prerequisites.some(([command, args]) => run(command, args) !== 0)) {
  totals.failed += 1;
  broken = true;
}

for (const suite of broken ? [] : suites) {
  const output = join(resultsDir, `${suite.name}.json`);
  const status = run("npx", [
    "vitest",
    "run",
    ...suite.args,
    "--reporter=default",
    "--reporter=json",
    `--outputFile.json=${output}`,
  ]);
  if (!existsSync(output)) {
    console.error(`suite ${suite.name} produced no results (exit ${status})`);
    totals.failed += 1;
    continue;
  }
  const report = JSON.parse(readFileSync(output, "utf8")) as VitestReport;
  totals.passed += report.numPassedTests;
  totals.failed += report.numFailedTests;
  totals.skipped += report.numPendingTests + report.numTodoTests;
  if (status !== 0 && report.numFailedTests === 0) {
    console.error(`suite ${suite.name} failed outside any test (exit ${status})`);
    totals.failed += 1;
  }
}

console.log(`\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(totals.failed > 0 ? 1 : 0);
