// Walks one facility through the whole money path in the simnet and prints who
// was paid what: register, approve, initialise capacity, split revenue among
// three stakeholders, escrow a grid-service request, accept, fulfil at 95 %,
// distribute. Then a small program: a second facility, both enrolled, two
// periods settled, the earnings distributed and the rest refunded. Every
// number printed is read back from the chain state.
import { initSimnet } from "@stacks/clarinet-sdk";
import { Cl, ClarityType, cvToString, type ClarityValue } from "@stacks/transactions";

const simnet = await initSimnet("./Clarinet.toml", true);
const accounts = simnet.getAccounts();
const admin = accounts.get("deployer")!;
const owner = accounts.get("wallet_1")!;
const operator = accounts.get("wallet_2")!;
const investor = accounts.get("wallet_3")!;
const community = accounts.get("wallet_4")!;
const gridOperator = accounts.get("wallet_5")!;

function call(contract: string, method: string, args: ClarityValue[], sender: string): ClarityValue {
  const { result } = simnet.callPublicFn(contract, method, args, sender);
  if (result.type !== ClarityType.ResponseOk) {
    throw new Error(`${contract}.${method} failed: ${cvToString(result)}`);
  }
  return result.value;
}

function stx(principal: string): bigint {
  return simnet.getAssetsMap().get("STX")?.get(principal) ?? 0n;
}

const formatUstx = (ustx: bigint) => `${ustx.toLocaleString("en-US")} uSTX`;
const step = (text: string) => console.log(`- ${text}`);
const stakeholders = { owner, investor, community };
const before = Object.fromEntries(Object.entries(stakeholders).map(([name, who]) => [name, stx(who)]));
const requesterBefore = stx(gridOperator);

call("facility-registry", "add-admin", [Cl.principal(gridOperator)], admin);
step(`grid operator ${gridOperator} made an admin`);
const facilityId = call(
  "facility-registry",
  "register-facility",
  [Cl.stringUtf8("Harbour Battery 1"), Cl.stringUtf8("Rotterdam, NL"), Cl.uint(2_000), Cl.uint(500)],
  owner,
);
step(`facility ${cvToString(facilityId)} registered by owner ${owner}: 2,000 kWh, 500 kW`);
call("facility-registry", "approve-facility", [facilityId], admin);
call("facility-registry", "set-operator", [facilityId, Cl.principal(operator), Cl.bool(true)], owner);
step("approved by the admin; operator delegated");
call("capacity-tracking", "initialize-capacity", [facilityId, Cl.uint(1_600)], operator);
step("capacity initialised: 1,600 kWh stored");
call(
  "revenue-sharing",
  "set-stakeholder-shares",
  [
    facilityId,
    Cl.list([
      Cl.tuple({ stakeholder: Cl.principal(owner), "share-bps": Cl.uint(5_000) }),
      Cl.tuple({ stakeholder: Cl.principal(investor), "share-bps": Cl.uint(3_333) }),
      Cl.tuple({ stakeholder: Cl.principal(community), "share-bps": Cl.uint(1_667) }),
    ]),
  ],
  owner,
);
step("shares set: owner 50.00 %, investor 33.33 %, community 16.67 %");

const paymentUstx = 1_234_567_891n;
const expiresAt = simnet.blockHeight + 100;
const requestId = call(
  "grid-services",
  "create-service-request",
  [Cl.stringAscii("frequency-regulation"), Cl.uint(400), Cl.uint(800), Cl.uint(paymentUstx), Cl.uint(expiresAt)],
  gridOperator,
);
step(`request ${cvToString(requestId)} created: 400 kW, 800 kWh, ${formatUstx(paymentUstx)} escrowed`);
call("grid-services", "accept-request", [requestId, facilityId], operator);
step("accepted by the operator: 800 kWh reserved");
const payout = call("grid-services", "fulfill-request", [requestId, Cl.uint(9_500)], gridOperator);
step(`fulfilled at 95.00 % performance: ${cvToString(payout)} uSTX into the facility's revenue pool`);
call("revenue-sharing", "distribute-revenue", [facilityId], operator);
step("pool distributed");

console.log("\nWho was paid what:");
let paidTotal = 0n;
for (const [name, who] of Object.entries(stakeholders)) {
  const gain = stx(who) - before[name]!;
  paidTotal += gain;
  console.log(`  ${name.padEnd(10)} ${who}  +${formatUstx(gain)}`);
}
const refund = stx(gridOperator) - requesterBefore + paymentUstx;
console.log(
  `  ${"refund".padEnd(10)} ${gridOperator}  +${formatUstx(refund)} (unpaid 5.00 % returned to the requester)`,
);
console.log(
  `  paid to stakeholders ${formatUstx(paidTotal)} + refund ${formatUstx(refund)} = ${formatUstx(paidTotal + refund)}`,
);
if (paidTotal + refund !== paymentUstx) {
  console.error(`value not conserved: escrowed ${formatUstx(paymentUstx)}`);
  process.exit(1);
}
console.log(`  conserved: equals the escrowed ${formatUstx(paymentUstx)}`);

// A small program: frequency containment, two periods of 5 blocks, 40 uSTX per
// committed kW per period at full performance, no energy price.
console.log("\nA program, settled per period:");
const secondFacility = call(
  "facility-registry",
  "register-facility",
  [Cl.stringUtf8("Harbour Battery 2"), Cl.stringUtf8("Rotterdam, NL"), Cl.uint(1_000), Cl.uint(300)],
  owner,
);
call("facility-registry", "approve-facility", [secondFacility], admin);
call("capacity-tracking", "initialize-capacity", [secondFacility, Cl.uint(900)], owner);
call(
  "revenue-sharing",
  "set-stakeholder-shares",
  [secondFacility, Cl.list([Cl.tuple({ stakeholder: Cl.principal(owner), "share-bps": Cl.uint(10_000) })])],
  owner,
);
step(`facility ${cvToString(secondFacility)} registered, approved, 900 kWh stored, all revenue to the owner`);
const budgetUstx = 100_000n;
const programStart = simnet.blockHeight + 5;
const programId = call(
  "grid-services",
  "create-program",
  [
    Cl.stringAscii("frequency-containment"),
    Cl.uint(programStart),
    Cl.uint(5),
    Cl.uint(2),
    Cl.uint(40),
    Cl.uint(0),
    Cl.uint(budgetUstx),
    Cl.uint(20),
  ],
  gridOperator,
);
step(
  `program ${cvToString(programId)} created: 2 periods of 5 blocks, 40 uSTX/kW/period, ${formatUstx(budgetUstx)} escrowed`,
);
call("grid-services", "enrol-facility", [programId, facilityId, Cl.uint(400)], operator);
call("grid-services", "enrol-facility", [programId, secondFacility, Cl.uint(250)], owner);
step("enrolled: 400 kW and 250 kW (their 30-minute headroom reserved: 200 and 125 kWh)");
const programPayees = { ...stakeholders };
const programBefore = Object.fromEntries(Object.entries(programPayees).map(([name, who]) => [name, stx(who)]));
const operatorBefore = stx(gridOperator);
let settledTotal = 0n;
for (const [period, performances] of [
  [0, [10_000, 9_000]],
  [1, [8_750, 10_000]],
] as const) {
  const periodEnd = programStart + (period + 1) * 5;
  if (simnet.blockHeight < periodEnd) simnet.mineEmptyBlocks(periodEnd - simnet.blockHeight);
  const total = call(
    "grid-services",
    "settle-period",
    [
      programId,
      Cl.uint(0),
      Cl.uint(period),
      Cl.bufferFromHex("00".repeat(31) + String(period).padStart(2, "0")),
      Cl.list(performances.map((bps) => Cl.tuple({ "performance-bps": Cl.uint(bps), "delivered-kwh": Cl.uint(0) }))),
    ],
    gridOperator,
  );
  const totalUstx = BigInt(cvToString(total).slice(1));
  settledTotal += totalUstx;
  step(
    `period ${period} settled at ${performances.map((bps) => `${bps / 100} %`).join(" and ")}: ${formatUstx(totalUstx)}`,
  );
}
const earnings = [400n * 40n + (400n * 40n * 8_750n) / 10_000n, (250n * 40n * 9_000n) / 10_000n + 250n * 40n];
call(
  "grid-services",
  "distribute-earnings",
  [programId, Cl.uint(0), Cl.list(earnings.map((e) => Cl.uint(e)))],
  gridOperator,
);
step(`earnings distributed: ${earnings.map(formatUstx).join(" and ")}`);
call("grid-services", "close-program", [programId], gridOperator);
const programRefund = stx(gridOperator) - operatorBefore;
step(`program closed: ${formatUstx(programRefund)} returned to the operator`);
let programPaid = 0n;
for (const [name, who] of Object.entries(programPayees)) programPaid += stx(who) - programBefore[name]!;
console.log(
  `  paid to stakeholders ${formatUstx(programPaid)} + refund ${formatUstx(programRefund)} = ${formatUstx(programPaid + programRefund)}`,
);
if (programPaid !== settledTotal || programPaid + programRefund !== budgetUstx) {
  console.error(`value not conserved: budget ${formatUstx(budgetUstx)}, settled ${formatUstx(settledTotal)}`);
  process.exit(1);
}
console.log(`  conserved: equals the escrowed budget ${formatUstx(budgetUstx)}`);
