// The money paths end to end, checked on the simnet's real STX balances to the
// micro-STX: escrow, payout into the pool, refund, distribution and
// cancellation. After every step grid-services holds exactly its open escrow
// and revenue-sharing exactly the sum of its pools.
import { Cl, type ClarityValue } from "@stacks/transactions";
import { beforeEach, describe, expect, it } from "vitest";
import {
  callOk,
  contractPrincipal,
  deployer,
  errorCode,
  expectPrinted,
  initializeCapacity,
  nextCallHeight,
  readOnly,
  registerApprovedFacility,
  setOperator,
  setShares,
  stxBalance,
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

const ERR_NOT_ADMIN = errorCode("grid-services", "ERR_NOT_ADMIN");
const ERR_REQUEST_NOT_OPEN = errorCode("grid-services", "ERR_REQUEST_NOT_OPEN");
const ERR_REQUEST_EXPIRED = errorCode("grid-services", "ERR_REQUEST_EXPIRED");
const ERR_INVALID_PERFORMANCE = errorCode("grid-services", "ERR_INVALID_PERFORMANCE");
const ERR_NO_SHARES = errorCode("revenue-sharing", "ERR_NO_SHARES");
const ERR_EMPTY_POOL = errorCode("revenue-sharing", "ERR_EMPTY_POOL");

const GRID = "grid-services";
const REVENUE = "revenue-sharing";
const gridServices = contractPrincipal(GRID);
const revenueSharing = contractPrincipal(REVENUE);

const admin = deployer;
const owner = wallet1;
const operator = wallet2;
const otherOwner = wallet3;
const investor = wallet4;
const gridOperator = wallet5;
const community = wallet6;
const landlord = wallet7;
const stranger = wallet8;

const tracked = [admin, owner, operator, otherOwner, investor, gridOperator, community, landlord, stranger];

let facilityA: bigint;

type Ledger = Map<string, bigint>;

function snapshot(principals: readonly string[] = []): Ledger {
  const all = [...tracked, gridServices, revenueSharing, ...principals];
  return new Map(all.map((principal) => [principal, stxBalance(principal)]));
}

/** Every principal in the snapshot moved by exactly its delta (0 when not listed); nothing was created. */
function expectMoved(before: Ledger, deltas: Record<string, bigint>): void {
  const actual = Object.fromEntries(
    [...before].map(([principal, balance]) => [principal, stxBalance(principal) - balance]),
  );
  const expected = Object.fromEntries([...before.keys()].map((principal) => [principal, deltas[principal] ?? 0n]));
  expect(actual).toStrictEqual(expected);
  expect(Object.values(actual).reduce((sum, delta) => sum + delta, 0n)).toBe(0n);
}

function escrowedUstx(): bigint {
  return uintOf(readOnly(GRID, "get-escrowed-ustx", []));
}

function pool(facilityId: bigint): bigint {
  return uintOf(readOnly(REVENUE, "get-pool-balance", [Cl.uint(facilityId)]));
}

/** The contracts hold exactly what they owe: open escrow, and the sum of every facility's pool. */
function expectContractsBacked(): void {
  expect(stxBalance(gridServices), "grid-services balance = get-escrowed-ustx").toBe(escrowedUstx());
  const lastFacilityId = uintOf(readOnly("facility-registry", "get-last-facility-id", []));
  let pools = 0n;
  for (let facilityId = 1n; facilityId <= lastFacilityId; facilityId += 1n) pools += pool(facilityId);
  expect(stxBalance(revenueSharing), "revenue-sharing balance = sum of pools").toBe(pools);
}

/** The spec's split, computed independently: floor of pool x share, remainder to the largest share (first on a tie). */
function expectedSplit(poolUstx: bigint, shares: readonly ShareSpec[]): bigint[] {
  const floors = shares.map(([, shareBps]) => (poolUstx * BigInt(shareBps)) / 10_000n);
  const remainder = poolUstx - floors.reduce((sum, amount) => sum + amount, 0n);
  let largest = 0;
  shares.forEach(([, shareBps], index) => {
    if (BigInt(shareBps) > BigInt(shares[largest]![1])) largest = index;
  });
  floors[largest]! += remainder;
  return floors;
}

function createRequest(paymentUstx: bigint, options: { energyKwh?: bigint; expiresInBlocks?: bigint } = {}): bigint {
  const { value } = callOk(
    GRID,
    "create-service-request",
    [
      Cl.stringAscii("frequency-regulation"),
      Cl.uint(100),
      Cl.uint(options.energyKwh ?? 100n),
      Cl.uint(paymentUstx),
      Cl.uint(nextCallHeight() + (options.expiresInBlocks ?? 100n)),
    ],
    gridOperator,
  );
  return uintOf(value);
}

function accept(requestId: bigint, facilityId: bigint, sender = operator): void {
  callOk(GRID, "accept-request", [Cl.uint(requestId), Cl.uint(facilityId)], sender);
}

function fulfil(
  requestId: bigint,
  performanceBps: bigint,
): { payout: bigint; events: ReturnType<typeof callOk>["events"] } {
  const { value, events } = callOk(
    GRID,
    "fulfill-request",
    [Cl.uint(requestId), Cl.uint(performanceBps)],
    gridOperator,
  );
  return { payout: uintOf(value), events };
}

function distribute(facilityId: bigint, sender = owner): ReturnType<typeof callOk> {
  return callOk(REVENUE, "distribute-revenue", [Cl.uint(facilityId)], sender);
}

/** Fulfilment at full performance: the whole payment lands in the facility's pool. */
function fundPoolThroughGridService(facilityId: bigint, paymentUstx: bigint): void {
  const requestId = createRequest(paymentUstx, { energyKwh: 1n });
  accept(requestId, facilityId);
  fulfil(requestId, 10_000n);
  expectContractsBacked();
}

// The SDK restarts the simnet before every test, so every test starts from this set-up.
beforeEach(() => {
  callOk("facility-registry", "add-admin", [Cl.principal(gridOperator)], admin);
  facilityA = registerApprovedFacility(owner, { capacityKwh: 2_000, maxPowerKw: 500 });
  setOperator(facilityA, owner, operator);
  initializeCapacity(facilityA, 1_600, operator);
  expectContractsBacked();
});

describe("escrow, payout and refund", () => {
  it("escrows exactly the payment on request; accepting moves nothing", () => {
    const before = snapshot();
    const requestId = createRequest(1_000_003n);
    expectMoved(before, { [gridOperator]: -1_000_003n, [gridServices]: 1_000_003n });
    expect(escrowedUstx()).toBe(1_000_003n);
    expectContractsBacked();

    const afterEscrow = snapshot();
    accept(requestId, facilityA);
    expectMoved(afterEscrow, {});
    expectContractsBacked();
  });

  it.each([
    // [performance bps, payment, payout into the pool, refund to the requester]
    [10_000, 1_000_003, 1_000_003, 0],
    [9_999, 1_000_003, 999_902, 101],
    [5_000, 7_919, 3_959, 3_960],
    [1, 1_000_003, 100, 999_903],
    [1, 9_999, 0, 9_999],
    [0, 1_000_003, 0, 1_000_003],
  ])("fulfilment at %i bps of %i uSTX pays %i into the pool and refunds %i", (performance, payment, payout, refund) => {
    const [paymentUstx, payoutUstx, refundUstx] = [BigInt(payment), BigInt(payout), BigInt(refund)];
    const requestId = createRequest(paymentUstx);
    accept(requestId, facilityA);
    const before = snapshot();
    const result = fulfil(requestId, BigInt(performance));
    expect(result.payout).toBe(payoutUstx);
    expectMoved(before, {
      [gridServices]: -paymentUstx,
      [revenueSharing]: payoutUstx,
      [gridOperator]: refundUstx,
    });
    expect(payoutUstx + refundUstx).toBe(paymentUstx);
    expect(pool(facilityA)).toBe(payoutUstx);
    expect(escrowedUstx()).toBe(0n);
    expectContractsBacked();
  });

  it("refunds the whole payment when an open request is cancelled", () => {
    const before = snapshot();
    const requestId = createRequest(4_243n);
    expectContractsBacked();
    const { events } = callOk(GRID, "cancel-request", [Cl.uint(requestId)], admin);
    expectPrinted(events, "service-cancelled", { refund: Cl.uint(4_243), requester: Cl.principal(gridOperator) });
    expectMoved(before, {});
    expectContractsBacked();
  });

  it("refunds the whole payment when an expired (ERR_REQUEST_EXPIRED), never accepted request is cancelled", () => {
    const before = snapshot();
    const requestId = createRequest(104_729n, { expiresInBlocks: 3n });
    simnet.mineEmptyBlocks(10);
    expect(
      simnet.callPublicFn(GRID, "accept-request", [Cl.uint(requestId), Cl.uint(facilityA)], operator).result,
    ).toBeErr(Cl.uint(ERR_REQUEST_EXPIRED));
    expectContractsBacked();
    const { events } = callOk(GRID, "cancel-request", [Cl.uint(requestId)], gridOperator);
    expectPrinted(events, "service-cancelled", { refund: Cl.uint(104_729), expired: Cl.bool(true) });
    expectMoved(before, {});
    expectContractsBacked();
  });

  it("a refused cancellation (ERR_REQUEST_NOT_OPEN) or fulfilment (ERR_INVALID_PERFORMANCE, ERR_NOT_ADMIN) moves nothing", () => {
    const requestId = createRequest(5_000n);
    accept(requestId, facilityA);
    const before = snapshot();
    expect(simnet.callPublicFn(GRID, "cancel-request", [Cl.uint(requestId)], admin).result).toBeErr(
      Cl.uint(ERR_REQUEST_NOT_OPEN),
    );
    expect(simnet.callPublicFn(GRID, "fulfill-request", [Cl.uint(requestId), Cl.uint(10_001)], admin).result).toBeErr(
      Cl.uint(ERR_INVALID_PERFORMANCE),
    );
    expect(
      simnet.callPublicFn(GRID, "fulfill-request", [Cl.uint(requestId), Cl.uint(10_000)], stranger).result,
    ).toBeErr(Cl.uint(ERR_NOT_ADMIN));
    expectMoved(before, {});
    expectContractsBacked();
  });
});

describe("distribution", () => {
  it("the whole path: escrow, fulfilment at 99.99 %, refund and a 3333/3333/3334 split of a prime payment", () => {
    const shares: ShareSpec[] = [
      [owner, 3_333],
      [investor, 3_333],
      [community, 3_334],
    ];
    setShares(facilityA, shares, owner);
    const start = snapshot();

    const requestId = createRequest(1_000_003n);
    expectMoved(start, { [gridOperator]: -1_000_003n, [gridServices]: 1_000_003n });
    expectContractsBacked();

    accept(requestId, facilityA);
    expectContractsBacked();

    const beforeFulfilment = snapshot();
    // 1,000,003 x 9,999 / 10,000 = 999,902.9997: 999,902 paid, 101 refunded.
    expect(fulfil(requestId, 9_999n).payout).toBe(999_902n);
    expectMoved(beforeFulfilment, { [gridServices]: -1_000_003n, [revenueSharing]: 999_902n, [gridOperator]: 101n });
    expectContractsBacked();

    const beforeDistribution = snapshot();
    distribute(facilityA, operator);
    // Floors 333,267 + 333,267 + 333,367 = 999,901; the 1 left goes to the largest share, 3,334 bps.
    expect(expectedSplit(999_902n, shares)).toStrictEqual([333_267n, 333_267n, 333_368n]);
    expectMoved(beforeDistribution, {
      [revenueSharing]: -999_902n,
      [owner]: 333_267n,
      [investor]: 333_267n,
      [community]: 333_368n,
    });
    expect(pool(facilityA)).toBe(0n);
    expectContractsBacked();

    // Across the whole path: the requester paid exactly what the stakeholders received.
    expectMoved(start, {
      [gridOperator]: -999_902n,
      [owner]: 333_267n,
      [investor]: 333_267n,
      [community]: 333_368n,
    });
  });

  it.each([
    [
      "a prime pool over 3333/3333/3334",
      7_919n,
      [
        [owner, 3_333],
        [investor, 3_333],
        [community, 3_334],
      ],
      [2_639n, 2_639n, 2_641n],
    ],
    [
      "a pool of 1 uSTX over 3333/3333/3334",
      1n,
      [
        [owner, 3_333],
        [investor, 3_333],
        [community, 3_334],
      ],
      [0n, 0n, 1n],
    ],
    [
      "a pool of 1 uSTX over 3334/3333/3333",
      1n,
      [
        [owner, 3_334],
        [investor, 3_333],
        [community, 3_333],
      ],
      [1n, 0n, 0n],
    ],
    [
      "an odd pool over a 50/50 tie (first listed wins)",
      7n,
      [
        [investor, 5_000],
        [owner, 5_000],
      ],
      [4n, 3n],
    ],
    [
      "a pool of 1 uSTX over a three-way tie",
      1n,
      [
        [community, 3_334],
        [owner, 3_333],
        [investor, 3_333],
      ],
      [1n, 0n, 0n],
    ],
    [
      "a pool of 3 uSTX over 5 stakeholders (largest in the middle)",
      3n,
      [
        [owner, 1_000],
        [investor, 2_000],
        [community, 4_000],
        [landlord, 2_000],
        [stranger, 1_000],
      ],
      [0n, 0n, 3n, 0n, 0n],
    ],
    [
      "a prime pool over a tie for the largest share listed second and fourth",
      10_007n,
      [
        [owner, 2_500],
        [investor, 3_000],
        [community, 1_500],
        [landlord, 3_000],
      ],
      [2_501n, 3_003n, 1_501n, 3_002n],
    ],
    [
      "a pool of 1 uSTX over a 1 bps / 9,999 bps split",
      1n,
      [
        [owner, 1],
        [investor, 9_999],
      ],
      [0n, 1n],
    ],
    [
      "a large prime pool over a 1 bps / 9,999 bps split",
      2_147_483_647n,
      [
        [owner, 1],
        [investor, 9_999],
      ],
      [214_748n, 2_147_268_899n],
    ],
  ] as [string, bigint, ShareSpec[], bigint[]][])(
    "splits %s to the micro-STX, every payment recorded",
    (_case, poolUstx, shares, amounts) => {
      expect(expectedSplit(poolUstx, shares)).toStrictEqual(amounts);
      setShares(facilityA, shares, owner);
      fundPoolThroughGridService(facilityA, poolUstx);
      expect(pool(facilityA)).toBe(poolUstx);

      const before = snapshot();
      const firstPaymentId = uintOf(readOnly(REVENUE, "get-last-payment-id", [])) + 1n;
      const { events } = distribute(facilityA, admin);
      const deltas: Record<string, bigint> = { [revenueSharing]: -poolUstx };
      shares.forEach(([who], index) => (deltas[who] = amounts[index]!));
      expectMoved(before, deltas);
      expectContractsBacked();
      expectPrinted(events, "revenue-distributed", {
        amount: Cl.uint(poolUstx),
        "payment-count": Cl.uint(shares.length),
        "first-payment-id": Cl.uint(firstPaymentId),
      });
      // Zero amounts are recorded too: one payment entry per stakeholder.
      shares.forEach(([who], index) => {
        const payment = readOnly(REVENUE, "get-payment", [Cl.uint(firstPaymentId + BigInt(index))]);
        if (payment.type !== "some" || payment.value.type !== "tuple") throw new Error(`payment ${index} missing`);
        const fields: Record<string, ClarityValue> = payment.value.value;
        expect(fields["stakeholder"]).toStrictEqual(Cl.principal(who));
        expect(fields["amount"]).toStrictEqual(Cl.uint(amounts[index]!));
      });
      expect(amounts.reduce((sum, amount) => sum + amount, 0n)).toBe(poolUstx);
    },
  );

  it("a pool smaller than its 100 stakeholders goes whole to the first of the tied shares", () => {
    const hundred: ShareSpec[] = Array.from({ length: 100 }, (_, index) => [syntheticPrincipal(index), 100]);
    setShares(facilityA, hundred, owner);
    fundPoolThroughGridService(facilityA, 37n);
    const before = snapshot(hundred.map(([who]) => who));
    distribute(facilityA);
    expectMoved(before, { [revenueSharing]: -37n, [syntheticPrincipal(0)]: 37n });
    expect(readOnly(REVENUE, "get-last-payment-id", [])).toBeUint(100);
    expectContractsBacked();
  });

  it("a pool filled by two fulfilments and a stranger's deposit is paid out whole, once (then ERR_EMPTY_POOL)", () => {
    const shares: ShareSpec[] = [
      [investor, 6_667],
      [community, 3_333],
    ];
    setShares(facilityA, shares, owner);
    const first = createRequest(999_983n);
    const second = createRequest(65_537n);
    expectContractsBacked();
    accept(first, facilityA);
    accept(second, facilityA, owner);
    expectContractsBacked();
    fulfil(second, 3_333n);
    expectContractsBacked();
    fulfil(first, 10_000n);
    expectContractsBacked();
    callOk(REVENUE, "deposit-revenue", [Cl.uint(facilityA), Cl.uint(11), Cl.stringAscii("bonus")], stranger);
    expectContractsBacked();

    // 65,537 x 3,333 / 10,000 = 21,843.4821 -> 21,843.
    const poolUstx = 999_983n + 21_843n + 11n;
    expect(pool(facilityA)).toBe(poolUstx);
    const before = snapshot();
    distribute(facilityA, operator);
    const [toInvestor, toCommunity] = expectedSplit(poolUstx, shares);
    expect([toInvestor, toCommunity]).toStrictEqual([681_259n, 340_578n]);
    expectMoved(before, { [revenueSharing]: -poolUstx, [investor]: toInvestor!, [community]: toCommunity! });
    expectContractsBacked();
    expect(simnet.callPublicFn(REVENUE, "distribute-revenue", [Cl.uint(facilityA)], owner).result).toBeErr(
      Cl.uint(ERR_EMPTY_POOL),
    );
    expectContractsBacked();
  });

  it("money paid into a facility without shares (ERR_NO_SHARES) waits in its pool until the owner sets a split", () => {
    const requestId = createRequest(12_345n);
    accept(requestId, facilityA);
    fulfil(requestId, 10_000n);
    expectContractsBacked();
    const before = snapshot();
    expect(simnet.callPublicFn(REVENUE, "distribute-revenue", [Cl.uint(facilityA)], owner).result).toBeErr(
      Cl.uint(ERR_NO_SHARES),
    );
    expectMoved(before, {});
    setShares(facilityA, [[landlord, 10_000]], owner);
    distribute(facilityA);
    expectMoved(before, { [revenueSharing]: -12_345n, [landlord]: 12_345n });
    expectContractsBacked();
  });

  it("keeps two facilities' escrow and pools apart through interleaved requests", () => {
    const facilityB = registerApprovedFacility(otherOwner, { capacityKwh: 500, maxPowerKw: 100 });
    initializeCapacity(facilityB, 400, otherOwner);
    setShares(facilityA, [[owner, 10_000]], owner);
    setShares(
      facilityB,
      [
        [otherOwner, 7_000],
        [landlord, 3_000],
      ],
      otherOwner,
    );
    const start = snapshot();

    const forA = createRequest(300_007n);
    const forB = createRequest(200_003n);
    const cancelled = createRequest(100_003n);
    expect(escrowedUstx()).toBe(600_013n);
    expectContractsBacked();
    accept(forA, facilityA);
    accept(forB, facilityB, otherOwner);
    expectContractsBacked();
    fulfil(forB, 8_000n); // 160,002 paid, 40,001 refunded
    expectContractsBacked();
    callOk(GRID, "cancel-request", [Cl.uint(cancelled)], admin);
    expectContractsBacked();
    fulfil(forA, 2_500n); // 75,001 paid (75,001.75), 225,006 refunded
    expectContractsBacked();
    expect(pool(facilityA)).toBe(75_001n);
    expect(pool(facilityB)).toBe(160_002n);
    expect(escrowedUstx()).toBe(0n);

    distribute(facilityB, otherOwner);
    expectContractsBacked();
    distribute(facilityA, owner);
    expectContractsBacked();
    // facility B: 160,002 x 70 % = 112,001.4 -> 112,001 + 1 remainder; x 30 % = 48,000.6 -> 48,000.
    expectMoved(start, {
      [gridOperator]: -(75_001n + 160_002n),
      [owner]: 75_001n,
      [otherOwner]: 112_002n,
      [landlord]: 48_000n,
    });
    expect(stxBalance(gridServices)).toBe(0n);
    expect(stxBalance(revenueSharing)).toBe(0n);
  });
});
