// Measures what each public contract function costs as a share of the Stacks
// block limit, and how distribute-revenue and set-stakeholder-shares scale with
// the number of stakeholders; writes docs/contract-costs.md.
// Run with `npm run costs`.
import { execSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { initSimnet, type ParsedTransactionResult } from "@stacks/clarinet-sdk";
import { Cl, ClarityType, cvToString, privateKeyToAddress, type ClarityValue } from "@stacks/transactions";

type Dimension = "runtime" | "readCount" | "readLength" | "writeCount" | "writeLength";
type Costs = Record<Dimension, number>;
type Measurement = { contract: string; fn: string; path: string; costs: Costs };

const DIMENSIONS: Array<[Dimension, string]> = [
  ["runtime", "runtime"],
  ["readCount", "read_count"],
  ["readLength", "read_length"],
  ["writeCount", "write_count"],
  ["writeLength", "write_length"],
];
// A Nakamoto miner lets one block spend about a quarter of what is left of the tenure budget.
const TENURE_SHARE_PERCENT = 25;
const GOAL_PERCENT = 5;
const STAKEHOLDER_COUNTS = [1, 10, 25, 50, 100];
const MAX_STAKEHOLDERS = 100;

const simnet = await initSimnet("./Clarinet.toml", true, { trackCosts: true, trackCoverage: false });
const accounts = simnet.getAccounts();
const admin = accounts.get("deployer")!;
const owner = accounts.get("wallet_1")!;
const operator = accounts.get("wallet_2")!;
const secondAdmin = accounts.get("wallet_3")!;
const oracle = accounts.get("wallet_4")!;
const requester = admin;
let limit: Costs | undefined;

// The SDK echoes every Clarity `print` to console.log; the report keeps stdout for itself.
const quietLog = console.log;
function quietly<T>(action: () => T): T {
  console.log = () => undefined;
  try {
    return action();
  } finally {
    console.log = quietLog;
  }
}

function call(contract: string, fn: string, args: ClarityValue[], sender: string): ParsedTransactionResult {
  const result = quietly(() => simnet.callPublicFn(contract, fn, args, sender));
  if (result.result.type !== ClarityType.ResponseOk) {
    throw new Error(`${contract}.${fn} did not succeed: ${cvToString(result.result)}`);
  }
  if (!result.costs) throw new Error("the simnet returned no costs: is trackCosts on?");
  limit ??= result.costs.limit;
  return result;
}

const measurements: Measurement[] = [];
function measure(contract: string, fn: string, args: ClarityValue[], sender: string, path = ""): ClarityValue {
  const result = call(contract, fn, args, sender);
  measurements.push({ contract, fn, path, costs: result.costs!.total });
  return result.result.type === ClarityType.ResponseOk ? result.result.value : Cl.none();
}

const percent = (costs: Costs, dimension: Dimension) => (costs[dimension] / limit![dimension]) * 100;
const worst = (costs: Costs) =>
  DIMENSIONS.reduce((top, [d]) => (percent(costs, d) > percent(costs, top) ? d : top), "runtime" as Dimension);
const label = (dimension: Dimension) => DIMENSIONS.find(([d]) => d === dimension)![1];
const format = (value: number) =>
  value >= 0.01 ? value.toFixed(2) : value >= 0.0001 ? value.toFixed(4) : value === 0 ? "0" : "< 0.0001";

// ---- every public function on its success path -----------------------------

function registerApproved(name: string): ClarityValue {
  const id = measure(
    "facility-registry",
    "register-facility",
    [Cl.stringUtf8(name), Cl.stringUtf8("Rotterdam, NL"), Cl.uint(2_000), Cl.uint(500)],
    owner,
  );
  measure("facility-registry", "approve-facility", [id], admin);
  return id;
}

const facilityId = registerApproved("Harbour Battery 1");
const rejectedId = call(
  "facility-registry",
  "register-facility",
  [Cl.stringUtf8("Harbour Battery 2"), Cl.stringUtf8("Rotterdam, NL"), Cl.uint(2_000), Cl.uint(500)],
  owner,
).result;
measure(
  "facility-registry",
  "reject-facility",
  [(rejectedId as { value: ClarityValue }).value, Cl.stringAscii("no grid connection agreement")],
  admin,
);
measure("facility-registry", "suspend-facility", [facilityId], admin);
measure("facility-registry", "reinstate-facility", [facilityId], admin);
measure("facility-registry", "add-admin", [Cl.principal(secondAdmin)], admin);
measure("facility-registry", "remove-admin", [Cl.principal(secondAdmin)], admin);
measure("facility-registry", "set-operator", [facilityId, Cl.principal(operator), Cl.bool(true)], owner);

measure("capacity-tracking", "initialize-capacity", [facilityId, Cl.uint(1_200)], operator);
measure("capacity-tracking", "update-capacity", [facilityId, Cl.uint(1_400)], operator);

measure("charge-discharge", "set-grid-demand", [Cl.uint(80)], admin);
measure("charge-discharge", "set-demand-thresholds", [Cl.uint(25), Cl.uint(75)], admin);
measure(
  "charge-discharge",
  "record-charge",
  [facilityId, Cl.uint(300)],
  operator,
  "moves stored energy through capacity-tracking.adjust-stored",
);
measure(
  "charge-discharge",
  "record-discharge",
  [facilityId, Cl.uint(200)],
  operator,
  "moves stored energy through capacity-tracking.adjust-stored",
);

const threeWay = Cl.list([
  Cl.tuple({ stakeholder: Cl.principal(owner), "share-bps": Cl.uint(5_000) }),
  Cl.tuple({ stakeholder: Cl.principal(accounts.get("wallet_5")!), "share-bps": Cl.uint(3_333) }),
  Cl.tuple({ stakeholder: Cl.principal(accounts.get("wallet_6")!), "share-bps": Cl.uint(1_667) }),
]);
measure("revenue-sharing", "set-stakeholder-shares", [facilityId, threeWay], owner, "3 stakeholders");

measure("grid-services", "set-frequency-target", [Cl.uint(50_000), Cl.uint(150)], admin);
measure("grid-services", "set-oracle", [Cl.principal(oracle), Cl.bool(true)], admin);
measure("grid-services", "report-frequency", [Cl.uint(49_700)], oracle, "a deviating reading from an oracle");
const expiry = () => Cl.uint(simnet.blockHeight + 100);
const request = (paymentUstx: number) => [
  Cl.stringAscii("frequency-regulation"),
  Cl.uint(400),
  Cl.uint(800),
  Cl.uint(paymentUstx),
  expiry(),
];
const requestId = measure(
  "grid-services",
  "create-service-request",
  request(1_234_567_891),
  requester,
  "escrows the payment",
);
measure(
  "grid-services",
  "accept-request",
  [requestId, facilityId],
  operator,
  "reserves energy through capacity-tracking.reserve-capacity",
);
measure(
  "grid-services",
  "fulfill-request",
  [requestId, Cl.uint(9_500)],
  admin,
  "95 %: pays the pool through revenue-sharing.deposit-revenue, refunds the rest, releases the reservation",
);
const cancelledId = measure("grid-services", "create-service-request", request(500_000), requester);
measurements.pop();
measure("grid-services", "cancel-request", [cancelledId], admin, "full refund");

measure(
  "revenue-sharing",
  "deposit-revenue",
  [facilityId, Cl.uint(10_000_000), Cl.stringAscii("capacity-market")],
  owner,
  "a direct deposit",
);
measure("revenue-sharing", "distribute-revenue", [facilityId], operator, "3 stakeholders");

const contractOnly: Record<string, string> = {
  "reserve-capacity": "only grid-services may call it: its cost is inside accept-request",
  "release-capacity": "only grid-services may call it: its cost is inside fulfill-request",
  "adjust-stored": "only charge-discharge may call it: its cost is inside record-charge and record-discharge",
};

// Every public function of every contract is either measured or explained.
const interfaces = simnet.getContractsInterfaces();
const missing: string[] = [];
for (const [contractId, contractInterface] of interfaces) {
  const contract = contractId.split(".")[1]!;
  if (!contractId.startsWith(admin)) continue;
  for (const fn of contractInterface.functions.filter((f) => f.access === "public")) {
    if (!measurements.some((m) => m.contract === contract && m.fn === fn.name) && !contractOnly[fn.name])
      missing.push(`${contract}.${fn.name}`);
  }
}
if (missing.length > 0) throw new Error(`public functions without a measurement: ${missing.join(", ")}`);

// ---- scaling with the number of stakeholders --------------------------------

/** Deterministic, unfunded stakeholder addresses: receiving STX needs no prior balance. */
const stakeholderAddress = (i: number) => privateKeyToAddress(`${(i + 1).toString(16).padStart(64, "0")}01`, "testnet");

function splitOf(count: number): ClarityValue {
  const base = Math.floor(10_000 / count);
  return Cl.list(
    Array.from({ length: count }, (_, i) =>
      Cl.tuple({
        stakeholder: Cl.principal(stakeholderAddress(i)),
        "share-bps": Cl.uint(base + (i === 0 ? 10_000 - base * count : 0)),
      }),
    ),
  );
}

type Scaling = { count: number; setShares: Costs; distribute: Costs };
function scale(count: number): Scaling {
  const id = (
    call(
      "facility-registry",
      "register-facility",
      [Cl.stringUtf8(`Scale ${count}`), Cl.stringUtf8("Lab"), Cl.uint(1_000), Cl.uint(100)],
      owner,
    ).result as { value: ClarityValue }
  ).value;
  const setShares = call("revenue-sharing", "set-stakeholder-shares", [id, splitOf(count)], owner).costs!.total;
  // A pool that leaves a rounding remainder, so the remainder path is in the measurement.
  call("revenue-sharing", "deposit-revenue", [id, Cl.uint(1_000_000_007), Cl.stringAscii("scaling")], owner);
  const distribute = call("revenue-sharing", "distribute-revenue", [id], owner).costs!.total;
  return { count, setShares, distribute };
}

const scalings = STAKEHOLDER_COUNTS.map(scale);
const everyCount = Array.from({ length: MAX_STAKEHOLDERS }, (_, i) => scale(i + 1));
const largestWithin = (pick: (s: Scaling) => Costs, budgetPercent: number) =>
  everyCount
    .filter((s) => DIMENSIONS.every(([d]) => percent(pick(s), d) <= budgetPercent))
    .reduce((top, s) => Math.max(top, s.count), 0);

// ---- the report -------------------------------------------------------------

const sdkVersion = (
  JSON.parse(readFileSync("node_modules/@stacks/clarinet-sdk/package.json", "utf8")) as { version: string }
).version;
const manifest = readFileSync("Clarinet.toml", "utf8");
const clarity = /clarity_version\s*=\s*(\d+)/.exec(manifest)?.[1] ?? "?";
const epoch = /epoch\s*=\s*"([^"]+)"/.exec(manifest)?.[1] ?? "?";
const cpu = (() => {
  try {
    return execSync("nproc", { encoding: "utf8" }).trim();
  } catch {
    return String(availableParallelism());
  }
})();

const headRow = `| function | ${DIMENSIONS.map(([, name]) => `${name} %`).join(" | ")} | notes |`;
const ruleRow = `|---|${DIMENSIONS.map(() => "---:").join("|")}|---|`;
const row = (name: string, costs: Costs, note: string) =>
  `| ${name} | ${DIMENSIONS.map(([d]) => format(percent(costs, d))).join(" | ")} | ${note} |`;

const lines: string[] = [];
lines.push("# Contract costs", "");
lines.push(
  `Generated ${new Date().toISOString().slice(0, 10)} by \`npm run costs\` (scripts/contract-costs.ts) on a ${cpu}-core machine, Node ${process.version}, @stacks/clarinet-sdk ${sdkVersion}, Clarity ${clarity} at epoch ${epoch}. Regenerate with \`npm run costs\`.`,
  "",
  "Each number is the cost of one transaction as a percentage of the Stacks block limit in that dimension, measured in the SDK's simnet on the function's success path. The block limit (epochs 2.1 to 3.x):",
  "",
  `| ${DIMENSIONS.map(([, name]) => name).join(" | ")} |`,
  `|${DIMENSIONS.map(() => "---:").join("|")}|`,
  `| ${DIMENSIONS.map(([d]) => limit![d].toLocaleString("en-US")).join(" | ")} |`,
  "",
  `In Nakamoto the limit is a budget per tenure and a miner lets one block spend about ${TENURE_SHARE_PERCENT} % of what is left, so one transaction should stay far below ${TENURE_SHARE_PERCENT} %.`,
  "",
);

for (const contract of [
  "facility-registry",
  "capacity-tracking",
  "charge-discharge",
  "grid-services",
  "revenue-sharing",
]) {
  lines.push(`## ${contract}`, "", headRow, ruleRow);
  for (const m of measurements.filter((x) => x.contract === contract)) lines.push(row(m.fn, m.costs, m.path));
  for (const [fn, note] of Object.entries(contractOnly)) {
    if (interfaces.get(`${admin}.${contract}`)?.functions.some((f) => f.name === fn))
      lines.push(`| ${fn} | ${DIMENSIONS.map(() => "-").join(" | ")} | ${note} |`);
  }
  lines.push("");
}

const at100 = scalings.find((s) => s.count === MAX_STAKEHOLDERS)!;
const dominant = worst(at100.distribute);
const goalMet = DIMENSIONS.every(([d]) => percent(at100.distribute, d) < GOAL_PERCENT);
const perStakeholder = (d: Dimension) => (at100.distribute[d] - scalings[0]!.distribute[d]) / (MAX_STAKEHOLDERS - 1);

lines.push("## Scaling with the number of stakeholders", "");
lines.push(
  "A fresh facility per row; the pool is 1,000,000,007 uSTX so that a rounding remainder is paid; stakeholders are distinct addresses with no prior balance.",
  "",
);
lines.push("### distribute-revenue", "", headRow.replace("function", "stakeholders"), ruleRow);
for (const s of scalings) lines.push(row(String(s.count), s.distribute, `largest: ${label(worst(s.distribute))}`));
lines.push("", "### set-stakeholder-shares", "", headRow.replace("function", "stakeholders"), ruleRow);
for (const s of scalings) lines.push(row(String(s.count), s.setShares, `largest: ${label(worst(s.setShares))}`));
lines.push("");

const margin = (costs: Costs) => TENURE_SHARE_PERCENT / percent(costs, worst(costs));
const largestDistribute = largestWithin((s) => s.distribute, TENURE_SHARE_PERCENT);
const largestShares = largestWithin((s) => s.setShares, TENURE_SHARE_PERCENT);
lines.push("### Largest stakeholder list within the tenure share", "");
lines.push(
  `Every list length from 1 to ${MAX_STAKEHOLDERS} was measured. The contract bounds the list at ${MAX_STAKEHOLDERS} (\`(list 100 ...)\`).`,
  "",
  `- distribute-revenue: the largest list within ${TENURE_SHARE_PERCENT} % of the block limit in every dimension is **${largestDistribute}** stakeholders. ${
    largestDistribute === MAX_STAKEHOLDERS
      ? `100 fits: its largest dimension, ${label(dominant)}, is at ${format(percent(at100.distribute, dominant))} %, a margin of ${margin(at100.distribute).toFixed(1)}x below ${TENURE_SHARE_PERCENT} %.`
      : `100 does not fit: ${label(dominant)} reaches ${format(percent(at100.distribute, dominant))} %.`
  }`,
  `- set-stakeholder-shares: the largest list within ${TENURE_SHARE_PERCENT} % is **${largestShares}** stakeholders. ${
    largestShares === MAX_STAKEHOLDERS
      ? `100 fits: its largest dimension, ${label(worst(at100.setShares))}, is at ${format(percent(at100.setShares, worst(at100.setShares)))} %, a margin of ${margin(at100.setShares).toFixed(1)}x.`
      : `100 does not fit: ${label(worst(at100.setShares))} reaches ${format(percent(at100.setShares, worst(at100.setShares)))} %.`
  }`,
  "",
);

lines.push(`### Goal: a ${MAX_STAKEHOLDERS}-stakeholder distribution under ${GOAL_PERCENT} % of every dimension`, "");
const dims100 = DIMENSIONS.map(([d, name]) => `${name} ${format(percent(at100.distribute, d))} %`).join(", ");
if (goalMet) {
  lines.push(
    `**Met.** A ${MAX_STAKEHOLDERS}-stakeholder distribution costs ${dims100}. The largest dimension is ${label(dominant)}.`,
    "",
  );
} else {
  lines.push(
    `**Not met.** A ${MAX_STAKEHOLDERS}-stakeholder distribution costs ${dims100}. ${label(dominant)} dominates: each extra stakeholder adds about ${Math.round(perStakeholder(dominant)).toLocaleString("en-US")} (${format((perStakeholder(dominant) / limit![dominant]) * 100)} % of the limit).`,
    "",
  );
}
lines.push(
  "Where the per-stakeholder cost comes from (revenue-sharing.clar, `pay-stakeholder`, once per stakeholder): one `stx-transfer?` (reads and writes the contract's and the stakeholder's STX balances), a `map-insert` into `payments`, a `map-get?` plus `map-set` on `stakeholder-earnings`, and a `print`. " +
    `Per stakeholder that is about ${Math.round(perStakeholder("writeCount"))} writes and ${Math.round(perStakeholder("readCount"))} reads (write_count and read_count limits are both 15,000).`,
  "",
);

// Costs grow linearly with the list: extrapolate where each budget would bind if the list bound were lifted.
const fixedCost = (d: Dimension) => scalings[0]!.distribute[d] - perStakeholder(d);
const stakeholdersWithin = (budgetPercent: number) =>
  Math.min(
    ...DIMENSIONS.map(([d]) => Math.floor(((budgetPercent / 100) * limit![d] - fixedCost(d)) / perStakeholder(d))),
  );
lines.push(
  `Extrapolated linearly, a list longer than the contract allows would reach ${GOAL_PERCENT} % of a dimension at about ${stakeholdersWithin(GOAL_PERCENT)} stakeholders and ${TENURE_SHARE_PERCENT} % at about ${stakeholdersWithin(TENURE_SHARE_PERCENT)}, ${label(dominant)} first.`,
  "",
);

mkdirSync("docs", { recursive: true });
writeFileSync("docs/contract-costs.md", `${lines.join("\n")}\n`);
process.stdout.write(`${lines.join("\n")}\nwrote docs/contract-costs.md\n`);
