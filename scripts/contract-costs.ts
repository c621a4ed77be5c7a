// Measures what each public contract function costs as a share of the Stacks
// block limit, how distribute-revenue and set-stakeholder-shares scale with the
// number of stakeholders, and what programs cost per settled facility-period and
// per distributed facility against the goal; writes docs/contract-costs.md.
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

// ---- programs and batch distribution ----------------------------------------

const COHORT_SIZE = 100;
const POOL_BATCH = 50;
// The issue's goal: a settled facility-period and a distributed facility as a share of a tenure, in every dimension.
const SETTLED_GOAL_PERCENT = 0.01;
const DISTRIBUTED_GOAL_PERCENT = 0.02;
const BATCH_GOAL_PERCENT = 5;

/** Deterministic, unfunded stakeholder addresses for the fleet, apart from the scaling ones. */
const fleetStakeholder = (i: number, k: number) =>
  privateKeyToAddress(`${(0x10_000 + i * 4 + k).toString(16).padStart(64, "0")}01`, "testnet");
const fleetSplit = (i: number, holders: number) =>
  Cl.list(
    Array.from({ length: holders }, (_, k) =>
      Cl.tuple({
        stakeholder: Cl.principal(fleetStakeholder(i, k)),
        "share-bps": Cl.uint(k === 0 ? 10_000 - 3_333 * (holders - 1) : 3_333),
      }),
    ),
  );
const uintValue = (value: ClarityValue) => {
  if (value.type !== ClarityType.UInt) throw new Error(`expected a uint, got ${cvToString(value)}`);
  return BigInt(value.value);
};

const fleet: ClarityValue[] = [];
for (let i = 0; i < COHORT_SIZE; i += 1) {
  const id = (
    call(
      "facility-registry",
      "register-facility",
      [Cl.stringUtf8(`Fleet ${i}`), Cl.stringUtf8("Zeeland, NL"), Cl.uint(1_000), Cl.uint(100)],
      owner,
    ).result as { value: ClarityValue }
  ).value;
  call("facility-registry", "approve-facility", [id], admin);
  call("capacity-tracking", "initialize-capacity", [id, Cl.uint(800)], owner);
  call("revenue-sharing", "set-stakeholder-shares", [id, fleetSplit(i, 1)], owner);
  fleet.push(id);
}

const programArgs = (startHeight: number, periodCount: number, budget: number) => [
  Cl.stringAscii("frequency-regulation"),
  Cl.uint(startHeight),
  Cl.uint(10),
  Cl.uint(periodCount),
  Cl.uint(1_003),
  Cl.uint(41),
  Cl.uint(budget),
  Cl.uint(50),
];
// Every enrolment is a block of its own: the programs start after the last.
const fleetStart = simnet.blockHeight + 2 * COHORT_SIZE + 20;
const programOne = measure(
  "grid-services",
  "create-program",
  programArgs(fleetStart, 1, 900_000_000),
  admin,
  "escrows the budget",
);
const programTwo = call("grid-services", "create-program", programArgs(fleetStart, 1, 900_000_000), admin).result;
const programIdOf = (result: ClarityValue) => (result as { value: ClarityValue }).value;
const programTwoId = programIdOf(programTwo);

const enrolments: Costs[] = [];
for (const [i, id] of fleet.entries()) {
  enrolments.push(
    call("grid-services", "enrol-facility", [programOne, id, Cl.uint(10 + (i % 50))], owner).costs!.total,
  );
}
measurements.push({
  contract: "grid-services",
  fn: "enrol-facility",
  path: `the ${COHORT_SIZE}th slot of a cohort (the whole cohort entry is rewritten); reserves through capacity-tracking.reserve-capacity`,
  costs: enrolments[COHORT_SIZE - 1]!,
});
for (const [i, id] of fleet.entries())
  call("grid-services", "enrol-facility", [programTwoId, id, Cl.uint(10 + (i % 50))], owner);

// A third program for the paths that end early: a withdrawal and a cancellation.
const programThree = programIdOf(
  call("grid-services", "create-program", programArgs(simnet.blockHeight + 20, 2, 5_000_000), admin).result,
);
call("grid-services", "enrol-facility", [programThree, facilityId, Cl.uint(100)], operator);
measure(
  "grid-services",
  "withdraw-facility",
  [programThree, facilityId],
  operator,
  "before the start: releases the reservation at once",
);
measure("grid-services", "cancel-program", [programThree], admin, "refunds the whole budget");

simnet.mineEmptyBlocks(fleetStart + 10 - simnet.blockHeight);
const fleetLines = Cl.list(
  fleet.map((_, i) =>
    Cl.tuple({ "performance-bps": Cl.uint(9_000 + ((i * 37) % 1_001)), "delivered-kwh": Cl.uint(i % 10) }),
  ),
);
const reportHash = Cl.buffer(new Uint8Array(32).fill(0xab));
const settleCohort = (program: ClarityValue) => {
  const result = call(
    "grid-services",
    "settle-period",
    [program, Cl.uint(0), Cl.uint(0), reportHash, fleetLines],
    oracle,
  );
  measurements.push({
    contract: "grid-services",
    fn: "settle-period",
    path: `a full cohort of ${COHORT_SIZE} facilities, by an oracle`,
    costs: result.costs!.total,
  });
  return result;
};
const settledCohort = settleCohort(programOne);
call("grid-services", "settle-period", [programTwoId, Cl.uint(0), Cl.uint(0), reportHash, fleetLines], oracle);

function earnedAmounts(program: ClarityValue): ClarityValue {
  const cohort = simnet.callReadOnlyFn("grid-services", "get-cohort", [program, Cl.uint(0)], admin).result;
  if (cohort.type !== ClarityType.OptionalSome || cohort.value.type !== ClarityType.List) {
    throw new Error("the fleet's cohort is missing");
  }
  return Cl.list(
    cohort.value.value.map((slot) => {
      if (slot.type !== ClarityType.Tuple) throw new Error("a slot is not a tuple");
      return Cl.uint(uintValue(slot.value.earned!) - uintValue(slot.value.paid!));
    }),
  );
}

function distributeCohort(program: ClarityValue, holders: number): Costs {
  const costs = call("grid-services", "distribute-earnings", [program, Cl.uint(0), earnedAmounts(program)], admin)
    .costs!.total;
  measurements.push({
    contract: "grid-services",
    fn: "distribute-earnings",
    path: `a full cohort of ${COHORT_SIZE} facilities, ${holders} stakeholder${holders > 1 ? "s" : ""} each, through revenue-sharing.distribute-payments`,
    costs,
  });
  return costs;
}

function distributePools(holders: number): Costs {
  for (const id of fleet.slice(0, POOL_BATCH)) {
    call("revenue-sharing", "deposit-revenue", [id, Cl.uint(1_000_007), Cl.stringAscii("capacity-market")], owner);
  }
  const lines = Cl.list(
    fleet.slice(0, POOL_BATCH).map((id) => Cl.tuple({ "facility-id": id, amount: Cl.uint(1_000_007) })),
  );
  const costs = call("revenue-sharing", "distribute-pools", [lines], admin).costs!.total;
  measurements.push({
    contract: "revenue-sharing",
    fn: "distribute-pools",
    path: `${POOL_BATCH} pools, ${holders} stakeholder${holders > 1 ? "s" : ""} each, by an admin`,
    costs,
  });
  return costs;
}

const distributedOne = distributeCohort(programOne, 1);
const poolsOne = distributePools(1);
for (const [i, id] of fleet.entries()) call("revenue-sharing", "set-stakeholder-shares", [id, fleetSplit(i, 2)], owner);
const distributedTwo = distributeCohort(programTwoId, 2);
const poolsTwo = distributePools(2);

measure(
  "revenue-sharing",
  "distribute-payments",
  [
    Cl.stringAscii("bonus"),
    Cl.list([
      Cl.tuple({ "facility-id": facilityId, amount: Cl.uint(1_000_003) }),
      Cl.tuple({ "facility-id": fleet[0]!, amount: Cl.uint(999_999) }),
    ]),
  ],
  admin,
  "2 facilities (3 and 2 stakeholders), paid by the caller",
);

measure("grid-services", "close-program", [programOne], admin, "every period settled: refunds budget - settled");
const releasedCohort = call("grid-services", "release-cohort", [programOne, Cl.uint(0)], owner).costs!.total;
measurements.push({
  contract: "grid-services",
  fn: "release-cohort",
  path: `a closed program's full cohort: ${COHORT_SIZE} reservations back through capacity-tracking.release-capacity`,
  costs: releasedCohort,
});

const perFacility = (costs: Costs, count: number): Costs =>
  Object.fromEntries(DIMENSIONS.map(([d]) => [d, costs[d] / count])) as Costs;
type Goal = { name: string; costs: Costs; goalPercent: number | undefined };
const perItemGoals: Goal[] = [
  {
    name: `settled facility-period: settle-period of a full cohort / ${COHORT_SIZE}`,
    costs: perFacility(settledCohort.costs!.total, COHORT_SIZE),
    goalPercent: SETTLED_GOAL_PERCENT,
  },
  {
    name: `distributed facility, 1 stakeholder: distribute-earnings of a full cohort / ${COHORT_SIZE}`,
    costs: perFacility(distributedOne, COHORT_SIZE),
    goalPercent: DISTRIBUTED_GOAL_PERCENT,
  },
  {
    name: `distributed facility, 2 stakeholders: distribute-earnings of a full cohort / ${COHORT_SIZE}`,
    costs: perFacility(distributedTwo, COHORT_SIZE),
    goalPercent: DISTRIBUTED_GOAL_PERCENT,
  },
  {
    name: `distributed facility from its pool, 1 stakeholder: distribute-pools of ${POOL_BATCH} / ${POOL_BATCH}`,
    costs: perFacility(poolsOne, POOL_BATCH),
    goalPercent: DISTRIBUTED_GOAL_PERCENT,
  },
  {
    name: `distributed facility from its pool, 2 stakeholders: distribute-pools of ${POOL_BATCH} / ${POOL_BATCH}`,
    costs: perFacility(poolsTwo, POOL_BATCH),
    goalPercent: DISTRIBUTED_GOAL_PERCENT,
  },
  {
    name: `enrolment: enrol-facility into the ${COHORT_SIZE}th slot of a cohort`,
    costs: enrolments[COHORT_SIZE - 1]!,
    goalPercent: undefined,
  },
  {
    name: "enrolment: enrol-facility into the 1st slot of a cohort",
    costs: enrolments[0]!,
    goalPercent: undefined,
  },
];
const batchGoals: Goal[] = [
  {
    name: `settle-period, a full cohort of ${COHORT_SIZE}`,
    costs: settledCohort.costs!.total,
    goalPercent: BATCH_GOAL_PERCENT,
  },
  {
    name: `distribute-earnings, ${COHORT_SIZE} facilities x 1 stakeholder`,
    costs: distributedOne,
    goalPercent: BATCH_GOAL_PERCENT,
  },
  {
    name: `distribute-earnings, ${COHORT_SIZE} facilities x 2 stakeholders`,
    costs: distributedTwo,
    goalPercent: BATCH_GOAL_PERCENT,
  },
  { name: `distribute-pools, ${POOL_BATCH} pools x 2 stakeholders`, costs: poolsTwo, goalPercent: BATCH_GOAL_PERCENT },
  { name: `release-cohort, ${COHORT_SIZE} reservations`, costs: releasedCohort, goalPercent: BATCH_GOAL_PERCENT },
];

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

// ---- programs: the goal per settled facility-period and distributed facility --

const meets = (costs: Costs, goalPercent: number) => DIMENSIONS.every(([d]) => percent(costs, d) <= goalPercent);
const goalRow = (goal: Goal) =>
  `| ${goal.name} | ${DIMENSIONS.map(([d]) => percent(goal.costs, d).toFixed(4)).join(" | ")} | ${
    goal.goalPercent === undefined ? "-" : `<= ${goal.goalPercent} %`
  } | ${goal.goalPercent === undefined ? "-" : meets(goal.costs, goal.goalPercent) ? "pass" : "**fail**"} |`;
const goalHead = `| measure | ${DIMENSIONS.map(([, name]) => `${name} %`).join(" | ")} | goal | verdict |`;
const goalRule = `|---|${DIMENSIONS.map(() => "---:").join("|")}|---|---|`;

lines.push("## Programs at fleet scale: the goal", "");
lines.push(
  `The goal: a settled facility-period costs at most ${SETTLED_GOAL_PERCENT} % of a tenure in every dimension (${Math.round(100 / SETTLED_GOAL_PERCENT).toLocaleString("en-US")} facility-periods per tenure), a distributed facility at most ${DISTRIBUTED_GOAL_PERCENT} %, and the largest batch stays under ${BATCH_GOAL_PERCENT} %. ` +
    `A fleet of ${COHORT_SIZE} facilities (frequency regulation, committed 10-59 kW) is enrolled in one cohort; one settle-period settles the cohort for a period, one distribute-earnings pays the whole cohort, one distribute-pools pays ${POOL_BATCH} pools; the per-facility figure is the transaction's cost divided by the number of facilities in it. Stakeholders are distinct addresses with no prior balance.`,
  "",
  goalHead,
  goalRule,
  ...perItemGoals.map(goalRow),
  "",
  "### The largest batches the contracts allow",
  "",
  goalHead.replace("measure", "transaction"),
  goalRule,
  ...batchGoals.map(goalRow),
  "",
);
const stakeholderDelta = (d: Dimension) => distributedTwo[d] / COHORT_SIZE - distributedOne[d] / COHORT_SIZE;
const stakeholdersWithinGoal = Math.min(
  ...DIMENSIONS.filter(([d]) => stakeholderDelta(d) > 0).map(([d]) =>
    Math.floor(
      1 + ((DISTRIBUTED_GOAL_PERCENT / 100) * limit![d] - distributedOne[d] / COHORT_SIZE) / stakeholderDelta(d),
    ),
  ),
);
const distributedDominant = worst(distributedOne);
const fullBatchStakeholders = Math.min(
  ...DIMENSIONS.filter(([d]) => distributedTwo[d] > distributedOne[d]).map(([d]) =>
    Math.floor(
      1 + ((BATCH_GOAL_PERCENT / 100) * limit![d] - distributedOne[d]) / (distributedTwo[d] - distributedOne[d]),
    ),
  ),
);
lines.push(
  `Where a distributed facility's cost comes from: distribute-earnings reads and rewrites the cohort entry once and makes one call to revenue-sharing for the whole cohort; per facility, distribute-payments reads its split (\`current-shares\`, one read) and pays each stakeholder with one \`stx-transfer?\` (a read and a write of the recipient's balance) and one \`print\`. ` +
    `${label(distributedDominant)} dominates; each stakeholder adds about ${format((stakeholderDelta(distributedDominant) / limit![distributedDominant]) * 100)} % of a tenure per facility. ` +
    `Extrapolated linearly from 1 and 2 stakeholders, a distributed facility stays within ${DISTRIBUTED_GOAL_PERCENT} % with up to **${Math.max(0, stakeholdersWithinGoal)}** stakeholder${stakeholdersWithinGoal === 1 ? "" : "s"}.`,
  "",
  `The contracts bound a batch by facilities (${COHORT_SIZE} per distribute-earnings, ${POOL_BATCH} per distribute-pools), not by stakeholders, whom a facility may have up to ${MAX_STAKEHOLDERS} of: extrapolated the same way, a full distribute-earnings stays under ${BATCH_GOAL_PERCENT} % of a tenure only while its facilities have at most **${fullBatchStakeholders}** stakeholders each on average, so whoever builds the batch has to bound it by the sum of the facilities' stakeholders.`,
  "",
);

mkdirSync("docs", { recursive: true });
writeFileSync("docs/contract-costs.md", `${lines.join("\n")}\n`);
process.stdout.write(`${lines.join("\n")}\nwrote docs/contract-costs.md\n`);
