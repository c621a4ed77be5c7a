// Runs the contract test suite with the Clarinet SDK's coverage tracking and
// prints line, branch and function coverage per contract from the lcov file it
// writes, with the lines no test reached.
// Usage: tsx scripts/contract-coverage.ts [test files...]   (default: every contract test)
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { relative } from "node:path";

const LCOV_PATH = "coverage/contracts/lcov.info";

type Counts = Map<string, number>;
type FileCoverage = { lines: Counts; branches: Counts; functions: Counts };

/**
 * The SDK writes one lcov record per test and contract, so each line, branch
 * and function appears once per test: hits are summed over the records.
 */
function parseLcov(text: string): Map<string, FileCoverage> {
  const files = new Map<string, FileCoverage>();
  let current: FileCoverage | undefined;
  const add = (counts: Counts, key: string, hits: number) => counts.set(key, (counts.get(key) ?? 0) + hits);
  for (const line of text.split("\n")) {
    const [tag, rest = ""] = line.split(/:(.*)/s, 2) as [string, string?];
    if (tag === "SF") {
      const path = relative(process.cwd(), rest.trim());
      current = files.get(path) ?? { lines: new Map(), branches: new Map(), functions: new Map() };
      files.set(path, current);
    } else if (tag === "end_of_record") {
      current = undefined;
    } else if (current && tag === "DA") {
      const [lineNo, hits] = rest.split(",");
      add(current.lines, lineNo!, Number(hits));
    } else if (current && tag === "BRDA") {
      const [lineNo, block, branch, taken] = rest.split(",");
      add(current.branches, `${lineNo},${block},${branch}`, taken === "-" ? 0 : Number(taken));
    } else if (current && tag === "FNDA") {
      const [hits, name] = rest.split(",");
      add(current.functions, name!, Number(hits));
    }
  }
  return files;
}

function ratio(counts: Counts): { hit: number; found: number; text: string } {
  const found = counts.size;
  const hit = [...counts.values()].filter((hits) => hits > 0).length;
  const percent = found === 0 ? 100 : (hit / found) * 100;
  return { hit, found, text: `${percent.toFixed(1).padStart(5)} % (${hit}/${found})` };
}

/** "12-14, 30" from [12, 13, 14, 30]. */
function ranges(numbers: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < numbers.length; i += 1) {
    let j = i;
    while (j + 1 < numbers.length && numbers[j + 1] === numbers[j]! + 1) j += 1;
    parts.push(i === j ? `${numbers[i]}` : `${numbers[i]}-${numbers[j]}`);
    i = j;
  }
  return parts.join(", ");
}

rmSync(LCOV_PATH, { force: true });
mkdirSync("coverage/contracts", { recursive: true });
const testFiles = process.argv.slice(2);
const run = spawnSync(
  "npx",
  [
    "vitest",
    "run",
    "--config",
    "contracts/vitest.config.ts",
    "--silent=passed-only",
    ...testFiles,
    "--",
    "--coverage",
    "--coverage-filename",
    LCOV_PATH,
  ],
  { stdio: "inherit" },
);
if (!existsSync(LCOV_PATH)) {
  console.error(`no coverage written to ${LCOV_PATH} (vitest exit ${run.status})`);
  process.exit(1);
}

const files = parseLcov(readFileSync(LCOV_PATH, "utf8"));
const all: FileCoverage = { lines: new Map(), branches: new Map(), functions: new Map() };
const width = Math.max(...[...files.keys()].map((path) => path.length), "total".length);
console.log(`\nContract coverage (${LCOV_PATH})\n`);
console.log(`${"contract".padEnd(width)}  ${"lines".padEnd(20)}  ${"branches".padEnd(20)}  functions`);
for (const [path, coverage] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
  console.log(
    `${path.padEnd(width)}  ${ratio(coverage.lines).text.padEnd(20)}  ${ratio(coverage.branches).text.padEnd(20)}  ${ratio(coverage.functions).text}`,
  );
  for (const kind of ["lines", "branches", "functions"] as const) {
    for (const [key, hits] of coverage[kind]) all[kind].set(`${path}:${key}`, hits);
  }
}
console.log(
  `${"total".padEnd(width)}  ${ratio(all.lines).text.padEnd(20)}  ${ratio(all.branches).text.padEnd(20)}  ${ratio(all.functions).text}`,
);

const gaps = [...files].filter(([, coverage]) => ratio(coverage.lines).hit < coverage.lines.size);
if (gaps.length > 0) console.log("\nLines no test reached:");
for (const [path, coverage] of gaps) {
  const missed = [...coverage.lines]
    .filter(([, hits]) => hits === 0)
    .map(([lineNo]) => Number(lineNo))
    .sort((a, b) => a - b);
  console.log(`  ${path}: ${ranges(missed)}`);
}
const branchGaps = [...files].filter(([, coverage]) => ratio(coverage.branches).hit < coverage.branches.size);
if (branchGaps.length > 0) console.log("\nLines with a branch no test took:");
for (const [path, coverage] of branchGaps) {
  const lines = [...coverage.branches].filter(([, hits]) => hits === 0).map(([key]) => Number(key.split(",")[0]));
  console.log(`  ${path}: ${ranges([...new Set(lines)].sort((a, b) => a - b))}`);
}
process.exit(run.status ?? 1);
