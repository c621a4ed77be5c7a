// Programs (grid-services) and batch distribution (revenue-sharing) on real STX
// balances: every public function's success path and print, every refusal of
// u4019-u4044 and u5013-u5014 with who may call, the money paths (escrow,
// settlement into slots, distribution to the micro-STX, refunds on close and
// cancellation, reservations given back), late enrolment, withdrawal, a program
// of more than one cohort, and calls sharing a block.
import { tx } from "@stacks/clarinet-sdk";
import { Cl, ClarityType, cvToString, type ClarityValue } from "@stacks/transactions";
import { beforeEach, describe, expect, it } from "vitest";
import {
  callOk,
  contractPrincipal,
  deployer,
  errorCode,
  expectPrinted,
  initializeCapacity,
  mineUntilNextCallAt,
  nextCallHeight,
  printedAllWithTopic,
  readCapacity,
  readOnly,
  registerApprovedFacility,
  registerFacility,
  setOperator,
  setShares,
  splitByShares,
  stxBalance,
  stxBalances,
  syntheticPrincipal,
  uintOf,
  wallet1,
  wallet2,
  wallet3,
  wallet4,
  wallet5,
  wallet6,
  wallet7,
  wallet8,
  type ShareSpec,
} from "./helpers.js";

const ERR = {
  NOT_ADMIN: errorCode("grid-services", "ERR_NOT_ADMIN"),
  NOT_REPORTER: errorCode("grid-services", "ERR_NOT_REPORTER"),
  INVALID_POWER: errorCode("grid-services", "ERR_INVALID_POWER"),
  NOT_AUTHORIZED: errorCode("grid-services", "ERR_NOT_AUTHORIZED"),
  FACILITY_NOT_APPROVED: errorCode("grid-services", "ERR_FACILITY_NOT_APPROVED"),
  INSUFFICIENT_CAPACITY: errorCode("grid-services", "ERR_INSUFFICIENT_CAPACITY"),
  INSUFFICIENT_POWER: errorCode("grid-services", "ERR_INSUFFICIENT_POWER"),
  INVALID_PERFORMANCE: errorCode("grid-services", "ERR_INVALID_PERFORMANCE"),
  INSUFFICIENT_FUNDS: errorCode("grid-services", "ERR_INSUFFICIENT_FUNDS"),
  INVALID_PRODUCT: errorCode("grid-services", "ERR_INVALID_PRODUCT"),
  INVALID_SCHEDULE: errorCode("grid-services", "ERR_INVALID_SCHEDULE"),
  INVALID_PRICE: errorCode("grid-services", "ERR_INVALID_PRICE"),
  INVALID_BUDGET: errorCode("grid-services", "ERR_INVALID_BUDGET"),
  PROGRAM_NOT_FOUND: errorCode("grid-services", "ERR_PROGRAM_NOT_FOUND"),
  PROGRAM_NOT_ACTIVE: errorCode("grid-services", "ERR_PROGRAM_NOT_ACTIVE"),
  ENROLMENT_CLOSED: errorCode("grid-services", "ERR_ENROLMENT_CLOSED"),
  ALREADY_ENROLLED: errorCode("grid-services", "ERR_ALREADY_ENROLLED"),
  NOT_ENROLLED: errorCode("grid-services", "ERR_NOT_ENROLLED"),
  INVALID_PERIOD: errorCode("grid-services", "ERR_INVALID_PERIOD"),
  PERIOD_NOT_ENDED: errorCode("grid-services", "ERR_PERIOD_NOT_ENDED"),
  SETTLEMENT_CLOSED: errorCode("grid-services", "ERR_SETTLEMENT_CLOSED"),
  PERIOD_ALREADY_SETTLED: errorCode("grid-services", "ERR_PERIOD_ALREADY_SETTLED"),
  COHORT_NOT_FOUND: errorCode("grid-services", "ERR_COHORT_NOT_FOUND"),
  LINES_MISMATCH: errorCode("grid-services", "ERR_LINES_MISMATCH"),
  NOT_ENROLLED_IN_PERIOD: errorCode("grid-services", "ERR_NOT_ENROLLED_IN_PERIOD"),
  DELIVERY_EXCEEDS_RESERVATION: errorCode("grid-services", "ERR_DELIVERY_EXCEEDS_RESERVATION"),
  BUDGET_EXCEEDED: errorCode("grid-services", "ERR_BUDGET_EXCEEDED"),
  PROGRAM_NOT_CLOSABLE: errorCode("grid-services", "ERR_PROGRAM_NOT_CLOSABLE"),
  PROGRAM_STARTED: errorCode("grid-services", "ERR_PROGRAM_STARTED"),
  AMOUNT_EXCEEDS_EARNINGS: errorCode("grid-services", "ERR_AMOUNT_EXCEEDS_EARNINGS"),
  NOTHING_TO_DISTRIBUTE: errorCode("grid-services", "ERR_NOTHING_TO_DISTRIBUTE"),
  ALREADY_WITHDRAWN: errorCode("grid-services", "ERR_ALREADY_WITHDRAWN"),
  NOTHING_TO_RELEASE: errorCode("grid-services", "ERR_NOTHING_TO_RELEASE"),
  NOT_PROGRAM_OPERATOR: errorCode("grid-services", "ERR_NOT_PROGRAM_OPERATOR"),
  PROGRAM_STILL_ACTIVE: errorCode("grid-services", "ERR_PROGRAM_STILL_ACTIVE"),
  REVENUE_INVALID_AMOUNT: errorCode("revenue-sharing", "ERR_INVALID_AMOUNT"),
  REVENUE_NO_SHARES: errorCode("revenue-sharing", "ERR_NO_SHARES"),
  REVENUE_NOT_AUTHORIZED: errorCode("revenue-sharing", "ERR_NOT_AUTHORIZED"),
  INSUFFICIENT_POOL: errorCode("revenue-sharing", "ERR_INSUFFICIENT_POOL"),
  EMPTY_BATCH: errorCode("revenue-sharing", "ERR_EMPTY_BATCH"),
} as const;

const GRID = "grid-services";
const REVENUE = "revenue-sharing";
const gridServices = contractPrincipal(GRID);
const revenueSharing = contractPrincipal(REVENUE);

const admin = deployer;
const owner = wallet1;
const operator = wallet2;
const otherOwner = wallet3;
const stranger = wallet4;
const secondAdmin = wallet5;
const oracle = wallet6;
const investor = wallet7;
const community = wallet8;
const MISSING = 999n;

// Facility A: owner wallet_1, operator wallet_2; 1,000 kWh total, 800 stored, 250 kW; split 3333/3333/3334.
let facilityA: bigint;
// Facility B: owner wallet_3; 1,000 kWh total, 800 stored, 250 kW; one stakeholder, its owner.
let facilityB: bigint;
const sharesA: ShareSpec[] = [
  [owner, 3_333],
  [investor, 3_333],
  [community, 3_334],
];
const sharesB: ShareSpec[] = [[otherOwner, 10_000]];

// ---- reading the chain -------------------------------------------------------

type Slot = {
  facilityId: bigint;
  committedKw: bigint;
  reservedKwh: bigint;
  fromPeriod: bigint;
  untilPeriod: bigint;
  earned: bigint;
  paid: bigint;
  released: boolean;
};

function someTuple(value: ClarityValue, what: string): Record<string, ClarityValue> {
  if (value.type !== ClarityType.OptionalSome || value.value.type !== ClarityType.Tuple) {
    throw new Error(`${what}: expected (some tuple), got ${cvToString(value)}`);
  }
  return value.value.value;
}

function programFields(programId: bigint): Record<string, ClarityValue> {
  return someTuple(readOnly(GRID, "get-program", [Cl.uint(programId)]), `program ${programId}`);
}

function programUint(programId: bigint, field: string): bigint {
  return uintOf(programFields(programId)[field]!);
}

function programStatus(programId: bigint): string {
  const status = programFields(programId).status!;
  if (status.type !== ClarityType.StringASCII) throw new Error("status is not a string");
  return status.value;
}

function cohortSlots(programId: bigint, cohort: bigint): Slot[] {
  const value = readOnly(GRID, "get-cohort", [Cl.uint(programId), Cl.uint(cohort)]);
  if (value.type !== ClarityType.OptionalSome || value.value.type !== ClarityType.List) {
    throw new Error(`cohort ${programId}/${cohort}: ${cvToString(value)}`);
  }
  return value.value.value.map((item) => {
    if (item.type !== ClarityType.Tuple) throw new Error("slot is not a tuple");
    const f = item.value;
    return {
      facilityId: uintOf(f["facility-id"]!),
      committedKw: uintOf(f["committed-kw"]!),
      reservedKwh: uintOf(f["reserved-kwh"]!),
      fromPeriod: uintOf(f["from-period"]!),
      untilPeriod: uintOf(f["until-period"]!),
      earned: uintOf(f.earned!),
      paid: uintOf(f.paid!),
      released: f.released!.type === ClarityType.BoolTrue,
    };
  });
}

const escrowedUstx = () => uintOf(readOnly(GRID, "get-escrowed-ustx", []));
const poolUstx = (facilityId: bigint) => uintOf(readOnly(REVENUE, "get-pool-balance", [Cl.uint(facilityId)]));
const reservedKwh = (facilityId: bigint) => readCapacity(facilityId).reservedKwh;

/** Every principal's STX, to prove that a call moved nothing. */
function allBalances(): Map<string, bigint> {
  return new Map(simnet.getAssetsMap().get("STX") ?? []);
}

function expectNothingMoved(before: Map<string, bigint>): void {
  expect(allBalances()).toStrictEqual(before);
}

/** The contract holds what it owes: its balance equals its escrow counter. */
function expectGridBacked(): void {
  expect(stxBalance(gridServices), "grid-services balance = get-escrowed-ustx").toBe(escrowedUstx());
}

// ---- programs ----------------------------------------------------------------

type ProgramTerms = {
  product?: string;
  startInBlocks?: bigint;
  periodBlocks?: bigint;
  periodCount?: bigint;
  capacityPrice?: bigint;
  energyPrice?: bigint;
  budgetUstx?: bigint;
  settleWindow?: bigint;
  creator?: string;
};

type Program = {
  id: bigint;
  operator: string;
  startHeight: bigint;
  periodBlocks: bigint;
  periodCount: bigint;
  capacityPrice: bigint;
  energyPrice: bigint;
  budgetUstx: bigint;
  settleWindow: bigint;
  endHeight: bigint;
};

function programArgs(terms: Required<Omit<ProgramTerms, "startInBlocks" | "creator">> & { startHeight: bigint }) {
  return [
    Cl.stringAscii(terms.product),
    Cl.uint(terms.startHeight),
    Cl.uint(terms.periodBlocks),
    Cl.uint(terms.periodCount),
    Cl.uint(terms.capacityPrice),
    Cl.uint(terms.energyPrice),
    Cl.uint(terms.budgetUstx),
    Cl.uint(terms.settleWindow),
  ];
}

const defaultTerms = {
  product: "frequency-regulation",
  periodBlocks: 5n,
  periodCount: 4n,
  capacityPrice: 1_001n,
  energyPrice: 37n,
  budgetUstx: 50_000_000n,
  settleWindow: 10n,
};

/** An admin's program starting `startInBlocks` after the call (10 by default); its budget escrowed from `creator`. */
function createProgram(terms: ProgramTerms = {}): Program {
  const full = { ...defaultTerms, ...terms };
  const startHeight = nextCallHeight() + (terms.startInBlocks ?? 10n);
  const creator = terms.creator ?? admin;
  const { value } = callOk(GRID, "create-program", programArgs({ ...full, startHeight }), creator);
  return {
    id: uintOf(value),
    operator: creator,
    startHeight,
    periodBlocks: full.periodBlocks,
    periodCount: full.periodCount,
    capacityPrice: full.capacityPrice,
    energyPrice: full.energyPrice,
    budgetUstx: full.budgetUstx,
    settleWindow: full.settleWindow,
    endHeight: startHeight + full.periodCount * full.periodBlocks,
  };
}

/** The first height at which `period` may be settled (the block after its last). */
const periodEnded = (p: Program, period: bigint) => p.startHeight + (period + 1n) * p.periodBlocks;

function enrol(p: Program, facilityId: bigint, committedKw: bigint, sender: string) {
  return simnet.callPublicFn(
    GRID,
    "enrol-facility",
    [Cl.uint(p.id), Cl.uint(facilityId), Cl.uint(committedKw)],
    sender,
  );
}

function enrolOk(p: Program, facilityId: bigint, committedKw: bigint, sender: string): void {
  expect(enrol(p, facilityId, committedKw, sender).result.type, "enrol-facility").toBe(ClarityType.ResponseOk);
}

function withdraw(p: Program, facilityId: bigint, sender: string) {
  return simnet.callPublicFn(GRID, "withdraw-facility", [Cl.uint(p.id), Cl.uint(facilityId)], sender);
}

type Line = readonly [performanceBps: bigint, deliveredKwh: bigint];
const linesCv = (lines: readonly Line[]) =>
  Cl.list(
    lines.map(([performance, delivered]) =>
      Cl.tuple({ "performance-bps": Cl.uint(performance), "delivered-kwh": Cl.uint(delivered) }),
    ),
  );
const reportHash = (seed: number) => Cl.buffer(new Uint8Array(32).fill(seed));

function settle(p: Program, cohort: bigint, period: bigint, lines: readonly Line[], sender = admin, seed = 7) {
  return simnet.callPublicFn(
    GRID,
    "settle-period",
    [Cl.uint(p.id), Cl.uint(cohort), Cl.uint(period), reportHash(seed), linesCv(lines)],
    sender,
  );
}

function settleOk(p: Program, cohort: bigint, period: bigint, lines: readonly Line[], sender = admin): bigint {
  const { result } = settle(p, cohort, period, lines, sender);
  if (result.type !== ClarityType.ResponseOk) throw new Error(`settle-period failed: ${cvToString(result)}`);
  return uintOf(result.value);
}

function distributeEarnings(p: Program, cohort: bigint, amounts: readonly bigint[], sender = admin) {
  return simnet.callPublicFn(
    GRID,
    "distribute-earnings",
    [Cl.uint(p.id), Cl.uint(cohort), Cl.list(amounts.map((a) => Cl.uint(a)))],
    sender,
  );
}

/** What the contract must credit a slot for a period: floor(kW x price x bps / 10,000) + kWh x price. */
const amountOf = (p: Program, committedKw: bigint, [performance, delivered]: Line) =>
  (committedKw * p.capacityPrice * performance) / 10_000n + delivered * p.energyPrice;

const batchCv = (lines: ReadonlyArray<readonly [bigint, bigint]>) =>
  Cl.list(
    lines.map(([facilityId, amount]) => Cl.tuple({ "facility-id": Cl.uint(facilityId), amount: Cl.uint(amount) })),
  );

// The SDK restarts the simnet before every test, so every test starts from this set-up.
beforeEach(() => {
  callOk("facility-registry", "add-admin", [Cl.principal(secondAdmin)], admin);
  callOk(GRID, "set-oracle", [Cl.principal(oracle), Cl.bool(true)], admin);
  facilityA = registerApprovedFacility(owner, { capacityKwh: 1_000, maxPowerKw: 250 });
  setOperator(facilityA, owner, operator);
  initializeCapacity(facilityA, 800, owner);
  setShares(facilityA, sharesA, owner);
  facilityB = registerApprovedFacility(otherOwner, { capacityKwh: 1_000, maxPowerKw: 250 });
  initializeCapacity(facilityB, 800, otherOwner);
  setShares(facilityB, sharesB, otherOwner);
});

describe("create-program", () => {
  it("escrows the budget from the creating admin, who becomes the program's operator, and prints program-created", () => {
    const before = stxBalances([secondAdmin, gridServices]);
    const startHeight = nextCallHeight() + 10n;
    const { value, events } = callOk(
      GRID,
      "create-program",
      programArgs({ ...defaultTerms, budgetUstx: 12_345_679n, startHeight }),
      secondAdmin,
    );
    expect(value).toStrictEqual(Cl.uint(1));
    expect(stxBalances([secondAdmin, gridServices])).toStrictEqual([
      before[0]! - 12_345_679n,
      before[1]! + 12_345_679n,
    ]);
    expect(escrowedUstx()).toBe(12_345_679n);
    expectPrinted(events, "program-created", {
      "program-id": Cl.uint(1),
      product: Cl.stringAscii("frequency-regulation"),
      operator: Cl.principal(secondAdmin),
      "start-height": Cl.uint(startHeight),
      "period-blocks": Cl.uint(5),
      "period-count": Cl.uint(4),
      "capacity-price": Cl.uint(1_001),
      "energy-price": Cl.uint(37),
      budget: Cl.uint(12_345_679),
      "settle-window": Cl.uint(10),
      "end-height": Cl.uint(startHeight + 20n),
    });
    const fields = programFields(1n);
    expect(fields.operator).toStrictEqual(Cl.principal(secondAdmin));
    expect(fields.status).toStrictEqual(Cl.stringAscii("active"));
    for (const zero of ["settled", "paid", "refunded", "cohort-count", "enrolled-count", "settlement-count"]) {
      expect(fields[zero], zero).toStrictEqual(Cl.uint(0));
    }
    expect(readOnly(GRID, "get-last-program-id", [])).toStrictEqual(Cl.uint(1));
    expect(readOnly(GRID, "get-program", [Cl.uint(2)])).toStrictEqual(Cl.none());
  });

  it("offers the fixed catalogue of products with their unit and duration, and nothing else", () => {
    const catalogue: Array<[string, string, number]> = [
      ["frequency-containment", "kw", 30],
      ["frequency-regulation", "kw", 60],
      ["afrr", "kw", 60],
      ["peak-shaving", "kwh", 120],
      ["demand-response", "kwh", 60],
    ];
    for (const [product, unit, minutes] of catalogue) {
      expect(readOnly(GRID, "get-product", [Cl.stringAscii(product)])).toStrictEqual(
        Cl.some(Cl.tuple({ unit: Cl.stringAscii(unit), "duration-minutes": Cl.uint(minutes) })),
      );
      expect(createProgram({ product }).id).toBeGreaterThan(0n);
    }
    expect(readOnly(GRID, "get-product", [Cl.stringAscii("capacity-market")])).toStrictEqual(Cl.none());
  });

  it.each([
    ["the owner of a facility", owner],
    ["an oracle", oracle],
    ["a stranger", stranger],
  ])("refuses %s (ERR_NOT_ADMIN) and escrows nothing", (_, sender) => {
    const before = allBalances();
    const args = programArgs({ ...defaultTerms, startHeight: nextCallHeight() + 10n });
    expect(simnet.callPublicFn(GRID, "create-program", args, sender).result).toBeErr(Cl.uint(ERR.NOT_ADMIN));
    expectNothingMoved(before);
    expect(readOnly(GRID, "get-last-program-id", [])).toStrictEqual(Cl.uint(0));
  });

  it.each([
    ["a product outside the catalogue", { product: "capacity-market" }, ERR.INVALID_PRODUCT],
    ["a start at the call's own height", { startInBlocks: 0n }, ERR.INVALID_SCHEDULE],
    ["periods of zero blocks", { periodBlocks: 0n }, ERR.INVALID_SCHEDULE],
    ["no periods", { periodCount: 0n }, ERR.INVALID_SCHEDULE],
    ["100,001 periods", { periodCount: 100_001n }, ERR.INVALID_SCHEDULE],
    ["no settle window", { settleWindow: 0n }, ERR.INVALID_SCHEDULE],
    ["both prices zero", { capacityPrice: 0n, energyPrice: 0n }, ERR.INVALID_PRICE],
    ["a zero budget", { budgetUstx: 0n }, ERR.INVALID_BUDGET],
    ["a budget beyond the admin's balance", { budgetUstx: 10n ** 16n }, ERR.INSUFFICIENT_FUNDS],
  ] as const)("refuses %s (u%s) and escrows nothing", (_, terms, code) => {
    const before = allBalances();
    const full = { ...defaultTerms, ...terms };
    const startHeight = nextCallHeight() + ((terms as ProgramTerms).startInBlocks ?? 10n);
    const { result } = simnet.callPublicFn(GRID, "create-program", programArgs({ ...full, startHeight }), admin);
    expect(result).toBeErr(Cl.uint(code));
    expectNothingMoved(before);
  });

  it("accepts the bounds: a start one block ahead, one-block periods, 100,000 periods, one price zero", () => {
    const p = createProgram({ startInBlocks: 1n, periodBlocks: 1n, periodCount: 100_000n, energyPrice: 0n });
    expect(p.id).toBe(1n);
    expect(createProgram({ capacityPrice: 0n, energyPrice: 1n }).id).toBe(2n);
    expectGridBacked();
  });

  it("get-current-period: none before the start, 0 from it, period-count past the end", () => {
    const p = createProgram();
    expect(readOnly(GRID, "get-current-period", [Cl.uint(p.id)])).toStrictEqual(Cl.none());
    expect(readOnly(GRID, "get-current-period", [Cl.uint(MISSING)])).toStrictEqual(Cl.none());
    // A read-only call sees the height of the last block mined.
    simnet.mineEmptyBlocks(Number(p.startHeight) - simnet.blockHeight);
    expect(readOnly(GRID, "get-current-period", [Cl.uint(p.id)])).toStrictEqual(Cl.some(Cl.uint(0)));
    simnet.mineEmptyBlocks(Number(p.endHeight) - simnet.blockHeight);
    expect(readOnly(GRID, "get-current-period", [Cl.uint(p.id)])).toStrictEqual(Cl.some(Cl.uint(p.periodCount)));
  });
});

describe("enrol-facility", () => {
  it("the owner and an operator enrol; the headroom is reserved, slots appended, program-enrolled printed", () => {
    const p = createProgram();
    const { value, events } = callOk(
      GRID,
      "enrol-facility",
      [Cl.uint(p.id), Cl.uint(facilityA), Cl.uint(200)],
      operator,
    );
    expect(value).toStrictEqual(Cl.tuple({ cohort: Cl.uint(0), slot: Cl.uint(0) }));
    expectPrinted(events, "program-enrolled", {
      "program-id": Cl.uint(p.id),
      "facility-id": Cl.uint(facilityA),
      "committed-kw": Cl.uint(200),
      "reserved-kwh": Cl.uint(200),
      cohort: Cl.uint(0),
      slot: Cl.uint(0),
      "from-period": Cl.uint(0),
      "enrolled-by": Cl.principal(operator),
    });
    expect(
      callOk(GRID, "enrol-facility", [Cl.uint(p.id), Cl.uint(facilityB), Cl.uint(250)], otherOwner).value,
    ).toStrictEqual(Cl.tuple({ cohort: Cl.uint(0), slot: Cl.uint(1) }));
    expect(reservedKwh(facilityA)).toBe(200n);
    expect(reservedKwh(facilityB)).toBe(250n);
    expect(cohortSlots(p.id, 0n)).toStrictEqual([
      {
        facilityId: facilityA,
        committedKw: 200n,
        reservedKwh: 200n,
        fromPeriod: 0n,
        untilPeriod: 4n,
        earned: 0n,
        paid: 0n,
        released: false,
      },
      {
        facilityId: facilityB,
        committedKw: 250n,
        reservedKwh: 250n,
        fromPeriod: 0n,
        untilPeriod: 4n,
        earned: 0n,
        paid: 0n,
        released: false,
      },
    ]);
    expect(readOnly(GRID, "get-enrolment", [Cl.uint(p.id), Cl.uint(facilityB)])).toStrictEqual(
      Cl.some(Cl.tuple({ cohort: Cl.uint(0), slot: Cl.uint(1) })),
    );
    expect(programUint(p.id, "cohort-count")).toBe(1n);
    expect(programUint(p.id, "enrolled-count")).toBe(2n);
  });

  it("reserves the product's headroom rounded up: 101 kW for 30 minutes is 51 kWh, for 120 minutes 202 kWh", () => {
    const containment = createProgram({ product: "frequency-containment" });
    const shaving = createProgram({ product: "peak-shaving" });
    const { events } = callOk(
      GRID,
      "enrol-facility",
      [Cl.uint(containment.id), Cl.uint(facilityA), Cl.uint(101)],
      owner,
    );
    expectPrinted(events, "program-enrolled", { "reserved-kwh": Cl.uint(51) });
    enrolOk(shaving, facilityA, 101n, owner);
    expect(reservedKwh(facilityA)).toBe(51n + 202n);
  });

  it("a facility enrolled after the start earns from the period after the current one", () => {
    const p = createProgram();
    enrolOk(p, facilityA, 100n, owner);
    mineUntilNextCallAt(p.startHeight + 6n); // inside period 1
    const { events } = callOk(GRID, "enrol-facility", [Cl.uint(p.id), Cl.uint(facilityB), Cl.uint(50)], otherOwner);
    expectPrinted(events, "program-enrolled", { "from-period": Cl.uint(2), slot: Cl.uint(1) });
    mineUntilNextCallAt(periodEnded(p, 1n));
    // Periods 0 and 1 are before its enrolment: only a zero line is accepted for it.
    expect(
      settle(p, 0n, 0n, [
        [10_000n, 0n],
        [1n, 0n],
      ]).result,
    ).toBeErr(Cl.uint(ERR.NOT_ENROLLED_IN_PERIOD));
    expect(
      settle(p, 0n, 1n, [
        [10_000n, 0n],
        [0n, 1n],
      ]).result,
    ).toBeErr(Cl.uint(ERR.NOT_ENROLLED_IN_PERIOD));
    expect(
      settleOk(p, 0n, 0n, [
        [10_000n, 0n],
        [0n, 0n],
      ]),
    ).toBe(100n * 1_001n);
    expect(
      settleOk(p, 0n, 1n, [
        [10_000n, 0n],
        [0n, 0n],
      ]),
    ).toBe(100n * 1_001n);
    mineUntilNextCallAt(periodEnded(p, 2n));
    expect(
      settleOk(p, 0n, 2n, [
        [5_000n, 0n],
        [10_000n, 3n],
      ]),
    ).toBe(50_050n + 50_050n + 3n * 37n);
    expect(cohortSlots(p.id, 0n).map((s) => s.earned)).toStrictEqual([250_250n, 50_050n + 111n]);
  });

  it.each([
    ["a stranger", stranger],
    ["the owner of another facility", otherOwner],
    ["an admin who neither owns nor operates it", admin],
  ])("refuses %s (ERR_NOT_AUTHORIZED) and reserves nothing", (_, sender) => {
    const p = createProgram();
    expect(enrol(p, facilityA, 100n, sender).result).toBeErr(Cl.uint(ERR.NOT_AUTHORIZED));
    expect(reservedKwh(facilityA)).toBe(0n);
    expect(readOnly(GRID, "get-enrolment", [Cl.uint(p.id), Cl.uint(facilityA)])).toStrictEqual(Cl.none());
  });

  it("refuses an unknown program, a facility not approved, zero or excessive power, and too little headroom", () => {
    const p = createProgram();
    expect(enrol({ ...p, id: MISSING }, facilityA, 100n, owner).result).toBeErr(Cl.uint(ERR.PROGRAM_NOT_FOUND));
    const pending = registerFacility(owner);
    expect(enrol(p, pending, 100n, owner).result).toBeErr(Cl.uint(ERR.FACILITY_NOT_APPROVED));
    callOk("facility-registry", "suspend-facility", [Cl.uint(facilityB)], admin);
    expect(enrol(p, facilityB, 100n, otherOwner).result).toBeErr(Cl.uint(ERR.FACILITY_NOT_APPROVED));
    expect(enrol(p, facilityA, 0n, owner).result).toBeErr(Cl.uint(ERR.INVALID_POWER));
    expect(enrol(p, facilityA, 251n, owner).result).toBeErr(Cl.uint(ERR.INSUFFICIENT_POWER));
    // 800 kWh stored: 250 kW of peak shaving (2 h) holds 500 kWh, leaving 300 for a second program.
    const shaving = createProgram({ product: "peak-shaving" });
    enrolOk(shaving, facilityA, 250n, owner);
    expect(enrol(p, facilityA, 250n, owner).result).toBeOk(Cl.tuple({ cohort: Cl.uint(0), slot: Cl.uint(0) }));
    const second = createProgram({ product: "demand-response" });
    expect(enrol(second, facilityA, 51n, owner).result).toBeErr(Cl.uint(ERR.INSUFFICIENT_CAPACITY));
    expect(enrol(second, facilityA, 50n, owner).result.type).toBe(ClarityType.ResponseOk);
    expect(reservedKwh(facilityA)).toBe(800n);
  });

  it("refuses a second enrolment of the same facility, also after withdrawing (ERR_ALREADY_ENROLLED)", () => {
    const p = createProgram();
    enrolOk(p, facilityA, 100n, owner);
    expect(enrol(p, facilityA, 50n, operator).result).toBeErr(Cl.uint(ERR.ALREADY_ENROLLED));
    expect(withdraw(p, facilityA, owner).result).toBeOk(Cl.uint(0));
    expect(enrol(p, facilityA, 50n, owner).result).toBeErr(Cl.uint(ERR.ALREADY_ENROLLED));
    expect(cohortSlots(p.id, 0n)).toHaveLength(1);
  });

  it("closes enrolment once the last period is under way (ERR_ENROLMENT_CLOSED) and after cancellation (ERR_PROGRAM_NOT_ACTIVE)", () => {
    const p = createProgram();
    mineUntilNextCallAt(p.startHeight + 14n); // the last block of period 2: period 3 is still ahead
    expect(enrol(p, facilityA, 100n, owner).result).toBeOk(Cl.tuple({ cohort: Cl.uint(0), slot: Cl.uint(0) }));
    expect(cohortSlots(p.id, 0n)[0]!.fromPeriod).toBe(3n);
    expect(enrol(p, facilityB, 100n, otherOwner).result).toBeErr(Cl.uint(ERR.ENROLMENT_CLOSED));
    const cancelled = createProgram();
    callOk(GRID, "cancel-program", [Cl.uint(cancelled.id)], admin);
    expect(enrol(cancelled, facilityB, 100n, otherOwner).result).toBeErr(Cl.uint(ERR.PROGRAM_NOT_ACTIVE));
  });
});

describe("withdraw-facility", () => {
  it("before the start: the facility earns nothing at all and its reservation is released at once", () => {
    const p = createProgram();
    enrolOk(p, facilityA, 100n, owner);
    enrolOk(p, facilityB, 100n, otherOwner);
    const { value, events } = callOk(GRID, "withdraw-facility", [Cl.uint(p.id), Cl.uint(facilityA)], operator);
    expect(value).toStrictEqual(Cl.uint(0));
    expectPrinted(events, "program-withdrawn", {
      "program-id": Cl.uint(p.id),
      "facility-id": Cl.uint(facilityA),
      cohort: Cl.uint(0),
      slot: Cl.uint(0),
      "until-period": Cl.uint(0),
      "released-kwh": Cl.uint(100),
      "withdrawn-by": Cl.principal(operator),
    });
    expect(reservedKwh(facilityA)).toBe(0n);
    expect(cohortSlots(p.id, 0n)[0]).toMatchObject({ untilPeriod: 0n, released: true });
    mineUntilNextCallAt(periodEnded(p, 0n));
    expect(
      settle(p, 0n, 0n, [
        [1n, 0n],
        [10_000n, 0n],
      ]).result,
    ).toBeErr(Cl.uint(ERR.NOT_ENROLLED_IN_PERIOD));
    expect(
      settleOk(p, 0n, 0n, [
        [0n, 0n],
        [10_000n, 0n],
      ]),
    ).toBe(100_100n);
  });

  it("mid-program: what was settled stays, nothing is earned from the period under way on", () => {
    const p = createProgram();
    enrolOk(p, facilityA, 100n, owner);
    enrolOk(p, facilityB, 100n, otherOwner);
    mineUntilNextCallAt(periodEnded(p, 0n));
    settleOk(p, 0n, 0n, [
      [10_000n, 0n],
      [10_000n, 0n],
    ]);
    mineUntilNextCallAt(p.startHeight + 12n); // inside period 2
    expect(withdraw(p, facilityA, owner).result).toBeOk(Cl.uint(2));
    expect(reservedKwh(facilityA)).toBe(0n);
    settleOk(p, 0n, 1n, [
      [9_000n, 0n],
      [10_000n, 0n],
    ]); // period 1 ended before the withdrawal
    mineUntilNextCallAt(periodEnded(p, 2n));
    expect(
      settle(p, 0n, 2n, [
        [1n, 0n],
        [10_000n, 0n],
      ]).result,
    ).toBeErr(Cl.uint(ERR.NOT_ENROLLED_IN_PERIOD));
    settleOk(p, 0n, 2n, [
      [0n, 0n],
      [10_000n, 0n],
    ]);
    expect(cohortSlots(p.id, 0n)[0]).toMatchObject({ earned: 100_100n + 90_090n, untilPeriod: 2n, released: true });
    // The withdrawn facility's earnings are still paid to its stakeholders.
    const before = stxBalances([owner, investor, community]);
    expect(distributeEarnings(p, 0n, [190_190n, 0n]).result).toBeOk(Cl.uint(190_190n));
    const gains = stxBalances([owner, investor, community]).map((b, i) => b - before[i]!);
    expect(gains).toStrictEqual(splitByShares(190_190n, sharesA));
  });

  it("after the last period (program still open): until-period stays, the reservation is released", () => {
    const p = createProgram();
    enrolOk(p, facilityA, 100n, owner);
    mineUntilNextCallAt(p.endHeight + 1n);
    expect(withdraw(p, facilityA, owner).result).toBeOk(Cl.uint(4));
    expect(reservedKwh(facilityA)).toBe(0n);
    settleOk(p, 0n, 3n, [[10_000n, 0n]]);
  });

  it("refuses a stranger or an admin (ERR_NOT_AUTHORIZED), an unknown program, a facility not enrolled, a second withdrawal", () => {
    const p = createProgram();
    enrolOk(p, facilityA, 100n, owner);
    expect(withdraw(p, facilityA, stranger).result).toBeErr(Cl.uint(ERR.NOT_AUTHORIZED));
    expect(withdraw(p, facilityA, admin).result).toBeErr(Cl.uint(ERR.NOT_AUTHORIZED));
    expect(withdraw(p, facilityA, otherOwner).result).toBeErr(Cl.uint(ERR.NOT_AUTHORIZED));
    expect(withdraw({ ...p, id: MISSING }, facilityA, owner).result).toBeErr(Cl.uint(ERR.PROGRAM_NOT_FOUND));
    expect(withdraw(p, facilityB, otherOwner).result).toBeErr(Cl.uint(ERR.NOT_ENROLLED));
    expect(reservedKwh(facilityA)).toBe(100n);
    expect(withdraw(p, facilityA, owner).result).toBeOk(Cl.uint(0));
    expect(withdraw(p, facilityA, operator).result).toBeErr(Cl.uint(ERR.ALREADY_WITHDRAWN));
  });

  it("refuses once the program is cancelled (ERR_PROGRAM_NOT_ACTIVE); release-cohort gives the reservation back", () => {
    const p = createProgram();
    enrolOk(p, facilityA, 100n, owner);
    callOk(GRID, "cancel-program", [Cl.uint(p.id)], admin);
    expect(withdraw(p, facilityA, owner).result).toBeErr(Cl.uint(ERR.PROGRAM_NOT_ACTIVE));
    expect(reservedKwh(facilityA)).toBe(100n);
    expect(simnet.callPublicFn(GRID, "release-cohort", [Cl.uint(p.id), Cl.uint(0)], stranger).result).toBeOk(
      Cl.uint(100),
    );
    expect(reservedKwh(facilityA)).toBe(0n);
  });
});

describe("settle-period", () => {
  function twoFacilityProgram(terms: ProgramTerms = {}): Program {
    const p = createProgram(terms);
    enrolOk(p, facilityA, 123n, owner);
    enrolOk(p, facilityB, 200n, otherOwner);
    mineUntilNextCallAt(periodEnded(p, 0n));
    return p;
  }

  it.each([
    ["an admin", admin],
    ["a registered oracle", oracle],
  ])("%s settles: each slot credited by the rule, no STX moves, the report hash recorded", (_, sender) => {
    const p = twoFacilityProgram();
    const lines: Line[] = [
      [9_999n, 7n],
      [0n, 0n],
    ];
    const before = allBalances();
    const height = nextCallHeight();
    const { result, events } = settle(p, 0n, 0n, lines, sender, 42);
    // 123 kW x 1,001 x 9,999 / 10,000 = 123,110.69 -> 123,110; 7 kWh x 37 = 259.
    expect(amountOf(p, 123n, lines[0]!)).toBe(123_369n);
    expect(result).toBeOk(Cl.uint(123_369));
    expectNothingMoved(before);
    expectPrinted(events, "program-settled", {
      "program-id": Cl.uint(p.id),
      cohort: Cl.uint(0),
      period: Cl.uint(0),
      "report-hash": reportHash(42),
      total: Cl.uint(123_369),
      lines: Cl.list([
        Cl.tuple({
          "facility-id": Cl.uint(facilityA),
          "committed-kw": Cl.uint(123),
          "performance-bps": Cl.uint(9_999),
          "delivered-kwh": Cl.uint(7),
          amount: Cl.uint(123_369),
        }),
        Cl.tuple({
          "facility-id": Cl.uint(facilityB),
          "committed-kw": Cl.uint(200),
          "performance-bps": Cl.uint(0),
          "delivered-kwh": Cl.uint(0),
          amount: Cl.uint(0),
        }),
      ]),
      "settled-by": Cl.principal(sender),
    });
    expect(readOnly(GRID, "get-settlement", [Cl.uint(p.id), Cl.uint(0), Cl.uint(0)])).toStrictEqual(
      Cl.some(
        Cl.tuple({
          "report-hash": reportHash(42),
          total: Cl.uint(123_369),
          "settled-by": Cl.principal(sender),
          "settled-at": Cl.uint(height),
        }),
      ),
    );
    expect(cohortSlots(p.id, 0n).map((s) => [s.earned, s.paid])).toStrictEqual([
      [123_369n, 0n],
      [0n, 0n],
    ]);
    expect(programUint(p.id, "settled")).toBe(123_369n);
    expect(programUint(p.id, "settlement-count")).toBe(1n);
    expect(poolUstx(facilityA)).toBe(0n);
    expect(escrowedUstx()).toBe(p.budgetUstx);
    expectGridBacked();
  });

  it.each([
    ["a stranger", stranger],
    ["the facility's owner", owner],
    ["the facility's operator", operator],
  ])("refuses %s (ERR_NOT_REPORTER)", (_, sender) => {
    const p = twoFacilityProgram();
    expect(
      settle(
        p,
        0n,
        0n,
        [
          [10_000n, 0n],
          [10_000n, 0n],
        ],
        sender,
      ).result,
    ).toBeErr(Cl.uint(ERR.NOT_REPORTER));
    expect(readOnly(GRID, "get-settlement", [Cl.uint(p.id), Cl.uint(0), Cl.uint(0)])).toStrictEqual(Cl.none());
  });

  it("settles a period from the block after its last, never before (ERR_PERIOD_NOT_ENDED) nor beyond the last (ERR_INVALID_PERIOD)", () => {
    const p = createProgram();
    enrolOk(p, facilityA, 100n, owner);
    mineUntilNextCallAt(periodEnded(p, 0n) - 1n);
    expect(settle(p, 0n, 0n, [[10_000n, 0n]]).result).toBeErr(Cl.uint(ERR.PERIOD_NOT_ENDED));
    expect(settleOk(p, 0n, 0n, [[10_000n, 0n]])).toBe(100_100n);
    expect(settle(p, 0n, 1n, [[10_000n, 0n]]).result).toBeErr(Cl.uint(ERR.PERIOD_NOT_ENDED));
    expect(settle(p, 0n, 4n, [[10_000n, 0n]]).result).toBeErr(Cl.uint(ERR.INVALID_PERIOD));
  });

  it("accepts settlements until the window's last block, then refuses them (ERR_SETTLEMENT_CLOSED)", () => {
    const p = createProgram();
    enrolOk(p, facilityA, 100n, owner);
    mineUntilNextCallAt(p.endHeight + p.settleWindow - 1n);
    settleOk(p, 0n, 3n, [[10_000n, 0n]]);
    expect(settle(p, 0n, 2n, [[10_000n, 0n]]).result).toBeErr(Cl.uint(ERR.SETTLEMENT_CLOSED));
  });

  it("settles a (program, cohort, period) once, whoever posts and whatever the hash (ERR_PERIOD_ALREADY_SETTLED)", () => {
    const p = twoFacilityProgram();
    settleOk(p, 0n, 0n, [
      [10_000n, 0n],
      [10_000n, 0n],
    ]);
    const settled = programUint(p.id, "settled");
    expect(
      settle(
        p,
        0n,
        0n,
        [
          [10_000n, 0n],
          [10_000n, 0n],
        ],
        oracle,
        9,
      ).result,
    ).toBeErr(Cl.uint(ERR.PERIOD_ALREADY_SETTLED));
    expect(
      settle(
        p,
        0n,
        0n,
        [
          [0n, 0n],
          [0n, 0n],
        ],
        admin,
        7,
      ).result,
    ).toBeErr(Cl.uint(ERR.PERIOD_ALREADY_SETTLED));
    expect(programUint(p.id, "settled")).toBe(settled);
    expect(cohortSlots(p.id, 0n)[0]!.earned).toBe(123_123n);
  });

  it("refuses an unknown program or cohort, and a list that is not one line per slot (ERR_LINES_MISMATCH)", () => {
    const p = twoFacilityProgram();
    expect(settle({ ...p, id: MISSING }, 0n, 0n, [[0n, 0n]]).result).toBeErr(Cl.uint(ERR.PROGRAM_NOT_FOUND));
    expect(settle(p, 1n, 0n, [[0n, 0n]]).result).toBeErr(Cl.uint(ERR.COHORT_NOT_FOUND));
    expect(settle(p, 0n, 0n, [[10_000n, 0n]]).result).toBeErr(Cl.uint(ERR.LINES_MISMATCH));
    expect(
      settle(p, 0n, 0n, [
        [10_000n, 0n],
        [10_000n, 0n],
        [0n, 0n],
      ]).result,
    ).toBeErr(Cl.uint(ERR.LINES_MISMATCH));
  });

  // Clarity's map over an empty list beside a full one fails without a code: the lengths are checked first.
  it("refuses an empty list with ERR_LINES_MISMATCH, settling and paying nothing", () => {
    const p = twoFacilityProgram();
    expect(settle(p, 0n, 0n, []).result).toBeErr(Cl.uint(ERR.LINES_MISMATCH));
    expect(readOnly(GRID, "get-settlement", [Cl.uint(p.id), Cl.uint(0), Cl.uint(0)])).toStrictEqual(Cl.none());
    settleOk(p, 0n, 0n, [
      [10_000n, 0n],
      [10_000n, 0n],
    ]);
    const before = allBalances();
    expect(distributeEarnings(p, 0n, []).result).toBeErr(Cl.uint(ERR.LINES_MISMATCH));
    expectNothingMoved(before);
    expect(cohortSlots(p.id, 0n).map((s) => s.paid)).toStrictEqual([0n, 0n]);
  });

  it("refuses a performance above 10,000 bps and a delivery above the slot's reservation, in any slot", () => {
    const p = twoFacilityProgram();
    expect(
      settle(p, 0n, 0n, [
        [10_000n, 0n],
        [10_001n, 0n],
      ]).result,
    ).toBeErr(Cl.uint(ERR.INVALID_PERFORMANCE));
    expect(
      settle(p, 0n, 0n, [
        [10_000n, 124n],
        [0n, 0n],
      ]).result,
    ).toBeErr(Cl.uint(ERR.DELIVERY_EXCEEDS_RESERVATION));
    expect(
      settleOk(p, 0n, 0n, [
        [10_000n, 123n],
        [10_000n, 200n],
      ]),
    ).toBe(123n * 1_001n + 123n * 37n + 200n * 1_001n + 200n * 37n);
  });

  it("refuses a total above the remaining budget (ERR_BUDGET_EXCEEDED); a total equal to it is accepted", () => {
    // A period at full performance: 123 x 1,001 + 200 x 1,001 = 323,323; the budget holds two.
    const p = twoFacilityProgram({ budgetUstx: 2n * 323_323n });
    settleOk(p, 0n, 0n, [
      [10_000n, 0n],
      [10_000n, 0n],
    ]);
    mineUntilNextCallAt(periodEnded(p, 1n));
    const before = allBalances();
    expect(
      settle(p, 0n, 1n, [
        [10_000n, 1n],
        [10_000n, 0n],
      ]).result,
    ).toBeErr(Cl.uint(ERR.BUDGET_EXCEEDED));
    expectNothingMoved(before);
    expect(readOnly(GRID, "get-settlement", [Cl.uint(p.id), Cl.uint(0), Cl.uint(1)])).toStrictEqual(Cl.none());
    expect(
      settleOk(p, 0n, 1n, [
        [10_000n, 0n],
        [10_000n, 0n],
      ]),
    ).toBe(323_323n);
    expect(programUint(p.id, "settled")).toBe(p.budgetUstx);
    mineUntilNextCallAt(periodEnded(p, 2n));
    // 200 x 1,001 x 1 / 10,000 = 20 uSTX, with nothing left.
    expect(
      settle(p, 0n, 2n, [
        [0n, 0n],
        [1n, 0n],
      ]).result,
    ).toBeErr(Cl.uint(ERR.BUDGET_EXCEEDED));
    expect(
      settle(p, 0n, 2n, [
        [0n, 0n],
        [0n, 0n],
      ]).result,
    ).toBeOk(Cl.uint(0));
  });

  it("refuses once the program is closed (ERR_PROGRAM_NOT_ACTIVE)", () => {
    const p = twoFacilityProgram();
    mineUntilNextCallAt(p.endHeight + p.settleWindow);
    callOk(GRID, "close-program", [Cl.uint(p.id)], admin);
    expect(
      settle(p, 0n, 0n, [
        [0n, 0n],
        [0n, 0n],
      ]).result,
    ).toBeErr(Cl.uint(ERR.PROGRAM_NOT_ACTIVE));
  });
});

describe("distribute-earnings", () => {
  function settledProgram(): Program {
    const p = createProgram();
    enrolOk(p, facilityA, 97n, owner);
    enrolOk(p, facilityB, 200n, otherOwner);
    mineUntilNextCallAt(periodEnded(p, 0n));
    // A: 97 x 1,001 x 9,973 / 10,000 = 96,834.84 -> 96,834, + 13 x 37 = 481: 97,315. B: 200,200.
    expect(
      settleOk(p, 0n, 0n, [
        [9_973n, 13n],
        [10_000n, 0n],
      ]),
    ).toBe(97_315n + 200_200n);
    return p;
  }

  it("pays each facility's stakeholders exactly, the rounding remainder to the largest share, from grid-services", () => {
    const p = settledProgram();
    const holders = [owner, investor, community, otherOwner];
    const before = stxBalances(holders);
    const revenueBefore = stxBalance(revenueSharing);
    const gridBefore = stxBalance(gridServices);
    const { result, events } = distributeEarnings(p, 0n, [97_315n, 200_200n]);
    expect(result).toBeOk(Cl.uint(297_515));
    const gains = stxBalances(holders).map((b, i) => b - before[i]!);
    // 97,315 x 3,333 / 10,000 = 32,435.09 -> 32,435 (twice), x 3,334 / 10,000 = 32,444.82 -> 32,444, + the remainder 1.
    expect(splitByShares(97_315n, sharesA)).toStrictEqual([32_435n, 32_435n, 32_445n]);
    expect(gains).toStrictEqual([32_435n, 32_435n, 32_445n, 200_200n]);
    expect(gridBefore - stxBalance(gridServices)).toBe(297_515n);
    expect(stxBalance(revenueSharing)).toBe(revenueBefore);
    expect(poolUstx(facilityA)).toBe(0n);
    expect(escrowedUstx()).toBe(p.budgetUstx - 297_515n);
    expectGridBacked();
    expect(cohortSlots(p.id, 0n).map((s) => [s.earned, s.paid])).toStrictEqual([
      [97_315n, 97_315n],
      [200_200n, 200_200n],
    ]);
    expect(programUint(p.id, "paid")).toBe(297_515n);
    expectPrinted(events, "program-earnings-distributed", {
      "program-id": Cl.uint(p.id),
      cohort: Cl.uint(0),
      total: Cl.uint(297_515),
      amounts: Cl.list([Cl.uint(97_315), Cl.uint(200_200)]),
      "distributed-by": Cl.principal(admin),
    });
    const distributed = printedAllWithTopic(events, "revenue-distributed").map((t) => t.value);
    expect(distributed.map((t) => [t["facility-id"], t.amount, t.source, t["distributed-by"]])).toStrictEqual([
      [Cl.uint(facilityA), Cl.uint(97_315), Cl.stringAscii(`program:${p.id}`), Cl.principal(gridServices)],
      [Cl.uint(facilityB), Cl.uint(200_200), Cl.stringAscii(`program:${p.id}`), Cl.principal(gridServices)],
    ]);
    const paid = printedAllWithTopic(events, "revenue-paid").map((t) => [t.value.stakeholder, t.value.amount]);
    expect(paid).toStrictEqual([
      [Cl.principal(owner), Cl.uint(32_435)],
      [Cl.principal(investor), Cl.uint(32_435)],
      [Cl.principal(community), Cl.uint(32_445)],
      [Cl.principal(otherOwner), Cl.uint(200_200)],
    ]);
  });

  it("pays in parts: zero for a slot skips it, and no slot is ever paid more than it earned (ERR_AMOUNT_EXCEEDS_EARNINGS)", () => {
    const p = settledProgram();
    const bBefore = stxBalance(otherOwner);
    expect(distributeEarnings(p, 0n, [0n, 100_000n]).result).toBeOk(Cl.uint(100_000));
    expect(distributeEarnings(p, 0n, [1n, 100_201n]).result).toBeErr(Cl.uint(ERR.AMOUNT_EXCEEDS_EARNINGS));
    expect(distributeEarnings(p, 0n, [97_316n, 0n]).result).toBeErr(Cl.uint(ERR.AMOUNT_EXCEEDS_EARNINGS));
    expect(distributeEarnings(p, 0n, [97_315n, 100_200n]).result).toBeOk(Cl.uint(197_515));
    expect(stxBalance(otherOwner) - bBefore).toBe(200_200n);
    expect(distributeEarnings(p, 0n, [0n, 1n]).result).toBeErr(Cl.uint(ERR.AMOUNT_EXCEEDS_EARNINGS));
    expect(distributeEarnings(p, 0n, [0n, 0n]).result).toBeErr(Cl.uint(ERR.NOTHING_TO_DISTRIBUTE));
    expectGridBacked();
  });

  it.each([
    ["an oracle", oracle],
    ["the facility's owner", owner],
    ["the facility's operator", operator],
    ["a stranger", stranger],
  ])("refuses %s (ERR_NOT_ADMIN) and pays nothing", (_, sender) => {
    const p = settledProgram();
    const before = allBalances();
    expect(distributeEarnings(p, 0n, [97_315n, 0n], sender).result).toBeErr(Cl.uint(ERR.NOT_ADMIN));
    expectNothingMoved(before);
  });

  it("refuses an unknown program or cohort and a list that is not one amount per slot", () => {
    const p = settledProgram();
    expect(distributeEarnings({ ...p, id: MISSING }, 0n, [1n, 1n]).result).toBeErr(Cl.uint(ERR.PROGRAM_NOT_FOUND));
    expect(distributeEarnings(p, 1n, [1n, 1n]).result).toBeErr(Cl.uint(ERR.COHORT_NOT_FOUND));
    expect(distributeEarnings(p, 0n, [1n]).result).toBeErr(Cl.uint(ERR.LINES_MISMATCH));
    expect(distributeEarnings(p, 0n, [1n, 1n, 0n]).result).toBeErr(Cl.uint(ERR.LINES_MISMATCH));
  });

  it("refuses the whole batch when a paid facility has no shares (u5007); a zero amount for it passes", () => {
    const p = createProgram();
    const unsplit = registerApprovedFacility(otherOwner, { capacityKwh: 1_000, maxPowerKw: 250 });
    initializeCapacity(unsplit, 500, otherOwner);
    enrolOk(p, facilityA, 100n, owner);
    enrolOk(p, unsplit, 100n, otherOwner);
    mineUntilNextCallAt(periodEnded(p, 0n));
    settleOk(p, 0n, 0n, [
      [10_000n, 0n],
      [10_000n, 0n],
    ]);
    const before = allBalances();
    expect(distributeEarnings(p, 0n, [100_100n, 1n]).result).toBeErr(Cl.uint(ERR.REVENUE_NO_SHARES));
    expectNothingMoved(before);
    expect(cohortSlots(p.id, 0n).map((s) => s.paid)).toStrictEqual([0n, 0n]);
    expect(distributeEarnings(p, 0n, [100_100n, 0n]).result).toBeOk(Cl.uint(100_100));
  });

  it("still pays settled earnings after the program is closed", () => {
    const p = settledProgram();
    mineUntilNextCallAt(p.endHeight + p.settleWindow);
    callOk(GRID, "close-program", [Cl.uint(p.id)], admin);
    expect(escrowedUstx()).toBe(297_515n);
    expect(distributeEarnings(p, 0n, [97_315n, 200_200n]).result).toBeOk(Cl.uint(297_515));
    expect(escrowedUstx()).toBe(0n);
    expect(stxBalance(gridServices)).toBe(0n);
  });
});

describe("close-program", () => {
  it("refunds budget - settled exactly to the operator once every cohort settled every period, and prints program-closed", () => {
    const p = createProgram({ creator: secondAdmin, periodCount: 2n, budgetUstx: 1_000_003n });
    enrolOk(p, facilityA, 100n, owner);
    mineUntilNextCallAt(periodEnded(p, 1n));
    settleOk(p, 0n, 0n, [[10_000n, 1n]]);
    expect(simnet.callPublicFn(GRID, "close-program", [Cl.uint(p.id)], admin).result).toBeErr(
      Cl.uint(ERR.PROGRAM_NOT_CLOSABLE),
    );
    settleOk(p, 0n, 1n, [[3_333n, 0n]]);
    const settled = 100_100n + 37n + (100n * 1_001n * 3_333n) / 10_000n;
    expect(programUint(p.id, "settled")).toBe(settled);
    const before = stxBalances([secondAdmin, admin, gridServices]);
    // Inside the settle window, closable because nothing is left to settle; closed by another admin.
    const { value, events } = callOk(GRID, "close-program", [Cl.uint(p.id)], admin);
    expect(value).toStrictEqual(Cl.uint(1_000_003n - settled));
    expect(stxBalances([secondAdmin, admin, gridServices])).toStrictEqual([
      before[0]! + 1_000_003n - settled,
      before[1]!,
      before[2]! - (1_000_003n - settled),
    ]);
    expectPrinted(events, "program-closed", {
      "program-id": Cl.uint(p.id),
      refund: Cl.uint(1_000_003n - settled),
      settled: Cl.uint(settled),
      operator: Cl.principal(secondAdmin),
      "closed-by": Cl.principal(admin),
    });
    expect(programStatus(p.id)).toBe("closed");
    expect(programUint(p.id, "refunded")).toBe(1_000_003n - settled);
    expect(escrowedUstx()).toBe(settled);
    expectGridBacked();
    expect(simnet.callPublicFn(GRID, "close-program", [Cl.uint(p.id)], admin).result).toBeErr(
      Cl.uint(ERR.PROGRAM_NOT_ACTIVE),
    );
  });

  it("refuses before the last period ended, and while a period is unsettled inside the window (ERR_PROGRAM_NOT_CLOSABLE)", () => {
    const p = createProgram();
    enrolOk(p, facilityA, 100n, owner);
    const close = () => simnet.callPublicFn(GRID, "close-program", [Cl.uint(p.id)], admin).result;
    expect(close()).toBeErr(Cl.uint(ERR.PROGRAM_NOT_CLOSABLE));
    mineUntilNextCallAt(p.endHeight - 1n);
    expect(close()).toBeErr(Cl.uint(ERR.PROGRAM_NOT_CLOSABLE));
    for (const period of [0n, 1n, 2n]) settleOk(p, 0n, period, [[10_000n, 0n]]);
    mineUntilNextCallAt(p.endHeight + p.settleWindow - 1n);
    expect(close()).toBeErr(Cl.uint(ERR.PROGRAM_NOT_CLOSABLE));
    // The window passed: period 3 can no longer be settled, so the refund is final.
    const before = stxBalance(admin);
    expect(close()).toBeOk(Cl.uint(p.budgetUstx - 3n * 100_100n));
    expect(stxBalance(admin) - before).toBe(p.budgetUstx - 3n * 100_100n);
  });

  it("closes a program nobody enrolled in once it ended (0 cohorts x periods settled)", () => {
    const p = createProgram();
    mineUntilNextCallAt(p.endHeight);
    expect(simnet.callPublicFn(GRID, "close-program", [Cl.uint(p.id)], admin).result).toBeOk(Cl.uint(p.budgetUstx));
    expect(escrowedUstx()).toBe(0n);
  });

  it("refunds nothing and transfers nothing when the whole budget was settled", () => {
    const p = createProgram({ periodCount: 1n, budgetUstx: 100_100n });
    enrolOk(p, facilityA, 100n, owner);
    mineUntilNextCallAt(periodEnded(p, 0n));
    settleOk(p, 0n, 0n, [[10_000n, 0n]]);
    const { value, events } = callOk(GRID, "close-program", [Cl.uint(p.id)], admin);
    expect(value).toStrictEqual(Cl.uint(0));
    expect(events.filter((e) => e.event === "stx_transfer_event")).toStrictEqual([]);
    expectPrinted(events, "program-closed", { refund: Cl.uint(0), settled: Cl.uint(100_100) });
  });

  it("lets the program's operator close it after losing the admin role; refuses others (ERR_NOT_PROGRAM_OPERATOR)", () => {
    const p = createProgram({ creator: secondAdmin });
    callOk("facility-registry", "remove-admin", [Cl.principal(secondAdmin)], admin);
    mineUntilNextCallAt(p.endHeight);
    for (const sender of [stranger, owner, oracle]) {
      expect(simnet.callPublicFn(GRID, "close-program", [Cl.uint(p.id)], sender).result).toBeErr(
        Cl.uint(ERR.NOT_PROGRAM_OPERATOR),
      );
    }
    expect(simnet.callPublicFn(GRID, "close-program", [Cl.uint(MISSING)], admin).result).toBeErr(
      Cl.uint(ERR.PROGRAM_NOT_FOUND),
    );
    const { events } = callOk(GRID, "close-program", [Cl.uint(p.id)], secondAdmin);
    expectPrinted(events, "program-closed", { "closed-by": Cl.principal(secondAdmin), refund: Cl.uint(p.budgetUstx) });
  });
});

describe("cancel-program", () => {
  it("refunds the whole budget to the operator before the start and prints program-cancelled", () => {
    const p = createProgram({ creator: secondAdmin, budgetUstx: 7_777_777n });
    enrolOk(p, facilityA, 100n, owner);
    const before = stxBalances([secondAdmin, gridServices]);
    const { value, events } = callOk(GRID, "cancel-program", [Cl.uint(p.id)], admin);
    expect(value).toStrictEqual(Cl.uint(7_777_777));
    expect(stxBalances([secondAdmin, gridServices])).toStrictEqual([before[0]! + 7_777_777n, before[1]! - 7_777_777n]);
    expectPrinted(events, "program-cancelled", {
      "program-id": Cl.uint(p.id),
      refund: Cl.uint(7_777_777),
      operator: Cl.principal(secondAdmin),
      "cancelled-by": Cl.principal(admin),
    });
    expect(programStatus(p.id)).toBe("cancelled");
    expect(programUint(p.id, "refunded")).toBe(7_777_777n);
    expect(escrowedUstx()).toBe(0n);
    expectGridBacked();
    // The reservation stays until release-cohort gives it back.
    expect(reservedKwh(facilityA)).toBe(100n);
  });

  it("refuses at the start height (ERR_PROGRAM_STARTED), twice (ERR_PROGRAM_NOT_ACTIVE), and from others (ERR_NOT_PROGRAM_OPERATOR)", () => {
    const p = createProgram({ creator: secondAdmin, startInBlocks: 30n });
    callOk("facility-registry", "remove-admin", [Cl.principal(secondAdmin)], admin);
    for (const sender of [stranger, owner, oracle]) {
      expect(simnet.callPublicFn(GRID, "cancel-program", [Cl.uint(p.id)], sender).result).toBeErr(
        Cl.uint(ERR.NOT_PROGRAM_OPERATOR),
      );
    }
    expect(simnet.callPublicFn(GRID, "cancel-program", [Cl.uint(MISSING)], admin).result).toBeErr(
      Cl.uint(ERR.PROGRAM_NOT_FOUND),
    );
    const started = createProgram({ startInBlocks: 2n });
    mineUntilNextCallAt(started.startHeight);
    const before = allBalances();
    expect(simnet.callPublicFn(GRID, "cancel-program", [Cl.uint(started.id)], admin).result).toBeErr(
      Cl.uint(ERR.PROGRAM_STARTED),
    );
    expectNothingMoved(before);
    // The operator who is no longer an admin may still cancel its own program.
    expect(simnet.callPublicFn(GRID, "cancel-program", [Cl.uint(p.id)], secondAdmin).result).toBeOk(
      Cl.uint(p.budgetUstx),
    );
    expect(simnet.callPublicFn(GRID, "cancel-program", [Cl.uint(p.id)], secondAdmin).result).toBeErr(
      Cl.uint(ERR.PROGRAM_NOT_ACTIVE),
    );
    expect(simnet.callPublicFn(GRID, "close-program", [Cl.uint(p.id)], admin).result).toBeErr(
      Cl.uint(ERR.PROGRAM_NOT_ACTIVE),
    );
  });
});

describe("release-cohort", () => {
  it("anyone gives the cohort's remaining reservations back once the program is closed, skipping withdrawn slots", () => {
    const p = createProgram();
    enrolOk(p, facilityA, 100n, owner);
    enrolOk(p, facilityB, 200n, otherOwner);
    mineUntilNextCallAt(p.startHeight + 1n);
    expect(withdraw(p, facilityA, owner).result).toBeOk(Cl.uint(0));
    const release = (sender = stranger) =>
      simnet.callPublicFn(GRID, "release-cohort", [Cl.uint(p.id), Cl.uint(0)], sender);
    expect(release().result).toBeErr(Cl.uint(ERR.PROGRAM_STILL_ACTIVE));
    mineUntilNextCallAt(p.endHeight + p.settleWindow);
    callOk(GRID, "close-program", [Cl.uint(p.id)], admin);
    expect(reservedKwh(facilityB)).toBe(200n);
    const { result, events } = release();
    expect(result).toBeOk(Cl.uint(200));
    expectPrinted(events, "program-cohort-released", {
      "program-id": Cl.uint(p.id),
      cohort: Cl.uint(0),
      "released-kwh": Cl.uint(200),
    });
    expect(reservedKwh(facilityA)).toBe(0n);
    expect(reservedKwh(facilityB)).toBe(0n);
    expect(cohortSlots(p.id, 0n).map((s) => s.released)).toStrictEqual([true, true]);
    expect(release(admin).result).toBeErr(Cl.uint(ERR.NOTHING_TO_RELEASE));
    expect(simnet.callPublicFn(GRID, "release-cohort", [Cl.uint(p.id), Cl.uint(1)], stranger).result).toBeErr(
      Cl.uint(ERR.COHORT_NOT_FOUND),
    );
    expect(simnet.callPublicFn(GRID, "release-cohort", [Cl.uint(MISSING), Cl.uint(0)], stranger).result).toBeErr(
      Cl.uint(ERR.PROGRAM_NOT_FOUND),
    );
  });

  it("has nothing to release when every slot withdrew (ERR_NOTHING_TO_RELEASE)", () => {
    const p = createProgram();
    enrolOk(p, facilityA, 100n, owner);
    expect(withdraw(p, facilityA, operator).result).toBeOk(Cl.uint(0));
    callOk(GRID, "cancel-program", [Cl.uint(p.id)], admin);
    expect(simnet.callPublicFn(GRID, "release-cohort", [Cl.uint(p.id), Cl.uint(0)], owner).result).toBeErr(
      Cl.uint(ERR.NOTHING_TO_RELEASE),
    );
  });
});

describe("a program of more than 100 facilities", () => {
  it("fills a cohort of 100, opens a second, and settles, distributes and closes both to the micro-STX", () => {
    const fleet = 101;
    const facilities: bigint[] = [];
    for (let i = 0; i < fleet; i += 1) {
      const id = registerApprovedFacility(owner, { capacityKwh: 100, maxPowerKw: 50 });
      initializeCapacity(id, 100, owner);
      setShares(id, [[syntheticPrincipal(i), 10_000]], owner);
      facilities.push(id);
    }
    // Every enrolment is a block of its own: the program starts after the last.
    const p = createProgram({ periodCount: 1n, budgetUstx: 1_000_000_000n, startInBlocks: 110n });
    for (const [i, id] of facilities.entries()) {
      const { value } = callOk(GRID, "enrol-facility", [Cl.uint(p.id), Cl.uint(id), Cl.uint(10 + (i % 40))], owner);
      expect(value).toStrictEqual(Cl.tuple({ cohort: Cl.uint(i < 100 ? 0 : 1), slot: Cl.uint(i % 100) }));
    }
    expect(programUint(p.id, "cohort-count")).toBe(2n);
    expect(programUint(p.id, "enrolled-count")).toBe(101n);
    expect(cohortSlots(p.id, 0n)).toHaveLength(100);
    expect(cohortSlots(p.id, 1n)).toHaveLength(1);
    mineUntilNextCallAt(periodEnded(p, 0n));
    const lines = (count: number, offset: number): Line[] =>
      Array.from({ length: count }, (_, i) => [BigInt(((offset + i) * 997) % 10_001), BigInt((offset + i) % 5)]);
    const committed = (i: number) => BigInt(10 + (i % 40));
    const expected = facilities.map((_, i) =>
      amountOf(p, committed(i), i < 100 ? lines(100, 0)[i]! : lines(1, 100)[0]!),
    );
    const total0 = settleOk(p, 0n, 0n, lines(100, 0));
    const total1 = settleOk(p, 1n, 0n, lines(1, 100));
    expect(total0).toBe(expected.slice(0, 100).reduce((a, b) => a + b, 0n));
    expect(total1).toBe(expected[100]);
    expect(cohortSlots(p.id, 0n).map((s) => s.earned)).toStrictEqual(expected.slice(0, 100));
    // Every facility's amount goes whole to its one stakeholder, who held nothing before.
    expect(distributeEarnings(p, 0n, expected.slice(0, 100)).result.type).toBe(ClarityType.ResponseOk);
    expect(distributeEarnings(p, 1n, [expected[100]!]).result).toBeOk(Cl.uint(expected[100]!));
    expect(facilities.map((_, i) => stxBalance(syntheticPrincipal(i)))).toStrictEqual(expected);
    // Both cohorts settled their one period: closable inside the window.
    const before = stxBalance(admin);
    expect(simnet.callPublicFn(GRID, "close-program", [Cl.uint(p.id)], admin).result).toBeOk(
      Cl.uint(p.budgetUstx - total0 - total1),
    );
    expect(stxBalance(admin) - before).toBe(p.budgetUstx - total0 - total1);
    expect(stxBalance(gridServices)).toBe(0n);
    expectGridBacked();
    for (const cohort of [0n, 1n]) {
      expect(simnet.callPublicFn(GRID, "release-cohort", [Cl.uint(p.id), Cl.uint(cohort)], stranger).result.type).toBe(
        ClarityType.ResponseOk,
      );
    }
    expect(facilities.every((id) => reservedKwh(id) === 0n)).toBe(true);
  });
});

describe("calls sharing a block", () => {
  it("a settlement and a distribution of stated amounts in one block succeed in either order", () => {
    const p = createProgram();
    enrolOk(p, facilityA, 100n, owner);
    enrolOk(p, facilityB, 100n, otherOwner);
    mineUntilNextCallAt(periodEnded(p, 1n));
    settleOk(p, 0n, 0n, [
      [10_000n, 0n],
      [10_000n, 0n],
    ]);
    const settleTx = (period: number) =>
      tx.callPublicFn(
        GRID,
        "settle-period",
        [
          Cl.uint(p.id),
          Cl.uint(0),
          Cl.uint(period),
          reportHash(period),
          linesCv([
            [10_000n, 0n],
            [5_000n, 0n],
          ]),
        ],
        oracle,
      );
    const distributeTx = (a: bigint, b: bigint) =>
      tx.callPublicFn(
        GRID,
        "distribute-earnings",
        [Cl.uint(p.id), Cl.uint(0), Cl.list([Cl.uint(a), Cl.uint(b)])],
        admin,
      );
    const holders = [owner, investor, community, otherOwner];
    const before = stxBalances(holders);
    // The distribution states what was earned before the block; the settlement lands first.
    const first = simnet.mineBlock([settleTx(1), distributeTx(100_100n, 100_100n)]);
    expect(first.map((r) => r.result)).toStrictEqual([Cl.ok(Cl.uint(150_150)), Cl.ok(Cl.uint(200_200))]);
    mineUntilNextCallAt(periodEnded(p, 2n));
    // The other order: the distribution first, the settlement after it.
    const second = simnet.mineBlock([distributeTx(100_100n, 0n), settleTx(2)]);
    expect(second.map((r) => r.result)).toStrictEqual([Cl.ok(Cl.uint(100_100)), Cl.ok(Cl.uint(150_150))]);
    const gains = stxBalances(holders).map((b, i) => b - before[i]!);
    const toA = splitByShares(100_100n, sharesA).map((x) => x * 2n);
    expect(gains).toStrictEqual([...toA, 100_100n]);
    expect(cohortSlots(p.id, 0n).map((s) => [s.earned, s.paid])).toStrictEqual([
      [300_300n, 200_200n],
      [200_200n, 100_100n],
    ]);
    expectGridBacked();
  });

  it("distribute-pools pays its stated amount when a deposit lands first in the same block", () => {
    callOk(
      REVENUE,
      "deposit-revenue",
      [Cl.uint(facilityA), Cl.uint(1_000_003), Cl.stringAscii("capacity-market")],
      stranger,
    );
    const before = stxBalances([owner, investor, community]);
    const block = simnet.mineBlock([
      tx.callPublicFn(REVENUE, "deposit-revenue", [Cl.uint(facilityA), Cl.uint(500), Cl.stringAscii("late")], stranger),
      tx.callPublicFn(REVENUE, "distribute-pools", [batchCv([[facilityA, 1_000_003n]])], operator),
    ]);
    expect(block[0]!.result.type).toBe(ClarityType.ResponseOk);
    expect(block[1]!.result.type).toBe(ClarityType.ResponseOk);
    const gains = stxBalances([owner, investor, community]).map((b, i) => b - before[i]!);
    expect(gains).toStrictEqual(splitByShares(1_000_003n, sharesA));
    expect(poolUstx(facilityA)).toBe(500n);
    expect(stxBalance(revenueSharing)).toBe(500n);
  });
});

describe("revenue-sharing batch distribution", () => {
  function fundPools(amountA: bigint, amountB: bigint): void {
    callOk(REVENUE, "deposit-revenue", [Cl.uint(facilityA), Cl.uint(amountA), Cl.stringAscii("manual")], stranger);
    callOk(REVENUE, "deposit-revenue", [Cl.uint(facilityB), Cl.uint(amountB), Cl.stringAscii("manual")], stranger);
  }

  it("distribute-pools: an admin pays stated amounts out of several pools, split exactly, with source pool", () => {
    fundPools(2_000_000n, 999_999n);
    const holders = [owner, investor, community, otherOwner];
    const before = stxBalances(holders);
    const revenueBefore = stxBalance(revenueSharing);
    const lastBefore = uintOf(readOnly(REVENUE, "get-last-distribution-id", []));
    const { value, events } = callOk(
      REVENUE,
      "distribute-pools",
      [
        batchCv([
          [facilityA, 1_234_567n],
          [facilityB, 999_999n],
        ]),
      ],
      admin,
    );
    expect(value).toStrictEqual(Cl.uint(lastBefore + 2n));
    const gains = stxBalances(holders).map((b, i) => b - before[i]!);
    expect(gains).toStrictEqual([...splitByShares(1_234_567n, sharesA), 999_999n]);
    expect(revenueBefore - stxBalance(revenueSharing)).toBe(1_234_567n + 999_999n);
    expect(poolUstx(facilityA)).toBe(2_000_000n - 1_234_567n);
    expect(poolUstx(facilityB)).toBe(0n);
    expect(uintOf(readOnly(REVENUE, "get-total-distributed", [Cl.uint(facilityA)]))).toBe(1_234_567n);
    const distributed = printedAllWithTopic(events, "revenue-distributed").map((t) => t.value);
    expect(distributed.map((t) => [t["distribution-id"], t.amount, t.source, t["distributed-by"]])).toStrictEqual([
      [Cl.uint(lastBefore + 1n), Cl.uint(1_234_567), Cl.stringAscii("pool"), Cl.principal(admin)],
      [Cl.uint(lastBefore + 2n), Cl.uint(999_999), Cl.stringAscii("pool"), Cl.principal(admin)],
    ]);
    expect(printedAllWithTopic(events, "revenue-paid")).toHaveLength(4);
  });

  it("distribute-pools: the owner or operator of every listed facility may; anyone else is refused (u5009)", () => {
    fundPools(1_000n, 1_000n);
    const refused = (lines: Array<[bigint, bigint]>, sender: string) =>
      simnet.callPublicFn(REVENUE, "distribute-pools", [batchCv(lines)], sender).result;
    expect(refused([[facilityA, 10n]], stranger)).toBeErr(Cl.uint(ERR.REVENUE_NOT_AUTHORIZED));
    expect(
      refused(
        [
          [facilityA, 10n],
          [facilityB, 10n],
        ],
        owner,
      ),
    ).toBeErr(Cl.uint(ERR.REVENUE_NOT_AUTHORIZED));
    expect(
      refused(
        [
          [facilityA, 10n],
          [facilityB, 10n],
        ],
        oracle,
      ),
    ).toBeErr(Cl.uint(ERR.REVENUE_NOT_AUTHORIZED));
    expect(poolUstx(facilityA)).toBe(1_000n);
    expect(refused([[facilityA, 10n]], operator)).toBeOk(Cl.uint(1));
    expect(refused([[facilityB, 10n]], otherOwner)).toBeOk(Cl.uint(2));
  });

  it("distribute-pools refuses more than a pool holds (u5013), a zero line (u5006), no shares (u5007), no lines (u5014)", () => {
    fundPools(1_000n, 1_000n);
    const unsplit = registerApprovedFacility(owner);
    callOk(REVENUE, "deposit-revenue", [Cl.uint(unsplit), Cl.uint(50), Cl.stringAscii("manual")], stranger);
    const result = (lines: Array<[bigint, bigint]>) =>
      simnet.callPublicFn(REVENUE, "distribute-pools", [batchCv(lines)], admin).result;
    const before = allBalances();
    expect(result([[facilityA, 1_001n]])).toBeErr(Cl.uint(ERR.INSUFFICIENT_POOL));
    // Two lines for one facility draw on the same pool.
    expect(
      result([
        [facilityA, 600n],
        [facilityA, 401n],
      ]),
    ).toBeErr(Cl.uint(ERR.INSUFFICIENT_POOL));
    expect(
      result([
        [facilityB, 10n],
        [facilityA, 0n],
      ]),
    ).toBeErr(Cl.uint(ERR.REVENUE_INVALID_AMOUNT));
    expect(
      result([
        [facilityA, 10n],
        [unsplit, 50n],
      ]),
    ).toBeErr(Cl.uint(ERR.REVENUE_NO_SHARES));
    expect(result([])).toBeErr(Cl.uint(ERR.EMPTY_BATCH));
    expectNothingMoved(before);
    expect([poolUstx(facilityA), poolUstx(facilityB), poolUstx(unsplit)]).toStrictEqual([1_000n, 1_000n, 50n]);
    expect(
      result([
        [facilityA, 600n],
        [facilityA, 400n],
      ]),
    ).toBeOk(Cl.uint(2));
    expect(poolUstx(facilityA)).toBe(0n);
  });

  it("distribute-payments: anyone pays stated amounts from their own STX, split exactly; refuses u5014, u5006, u5007", () => {
    const holders = [owner, investor, community, otherOwner];
    const before = stxBalances([...holders, stranger, revenueSharing]);
    const pay = (lines: Array<[bigint, bigint]>, source = "bonus") =>
      simnet.callPublicFn(REVENUE, "distribute-payments", [Cl.stringAscii(source), batchCv(lines)], stranger);
    const { result, events } = pay([
      [facilityA, 10_001n],
      [facilityB, 7n],
    ]);
    expect(result).toBeOk(Cl.uint(2));
    const after = stxBalances([...holders, stranger, revenueSharing]);
    expect(after.map((b, i) => b - before[i]!)).toStrictEqual([...splitByShares(10_001n, sharesA), 7n, -10_008n, 0n]);
    expect(printedAllWithTopic(events, "revenue-distributed").map((t) => t.value.source)).toStrictEqual([
      Cl.stringAscii("bonus"),
      Cl.stringAscii("bonus"),
    ]);
    const unsplit = registerApprovedFacility(owner);
    const snapshot = allBalances();
    expect(pay([]).result).toBeErr(Cl.uint(ERR.EMPTY_BATCH));
    expect(
      pay([
        [facilityA, 5n],
        [facilityB, 0n],
      ]).result,
    ).toBeErr(Cl.uint(ERR.REVENUE_INVALID_AMOUNT));
    expect(
      pay([
        [facilityA, 5n],
        [unsplit, 5n],
      ]).result,
    ).toBeErr(Cl.uint(ERR.REVENUE_NO_SHARES));
    expectNothingMoved(snapshot);
  });
});
