import { Cl, type ClarityValue } from "@stacks/transactions";
import { beforeEach, describe, expect, it } from "vitest";
import {
  callOk,
  contractPrincipal,
  deployer,
  errorCode,
  expectPrinted,
  nextCallHeight,
  printedAllWithTopic,
  readOnly,
  registerApprovedFacility,
  registerFacility,
  setOperator,
  setShares,
  sharesCv,
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

const ERR_NOT_OWNER = errorCode("revenue-sharing", "ERR_NOT_OWNER");
const ERR_FACILITY_NOT_FOUND = errorCode("revenue-sharing", "ERR_FACILITY_NOT_FOUND");
const ERR_SHARES_NOT_FULL = errorCode("revenue-sharing", "ERR_SHARES_NOT_FULL");
const ERR_DUPLICATE_STAKEHOLDER = errorCode("revenue-sharing", "ERR_DUPLICATE_STAKEHOLDER");
const ERR_INVALID_SHARE = errorCode("revenue-sharing", "ERR_INVALID_SHARE");
const ERR_NO_STAKEHOLDERS = errorCode("revenue-sharing", "ERR_NO_STAKEHOLDERS");
const ERR_INVALID_AMOUNT = errorCode("revenue-sharing", "ERR_INVALID_AMOUNT");
const ERR_NO_SHARES = errorCode("revenue-sharing", "ERR_NO_SHARES");
const ERR_EMPTY_POOL = errorCode("revenue-sharing", "ERR_EMPTY_POOL");
const ERR_NOT_AUTHORIZED = errorCode("revenue-sharing", "ERR_NOT_AUTHORIZED");
const ERR_INVALID_STAKEHOLDER = errorCode("revenue-sharing", "ERR_INVALID_STAKEHOLDER");
const ERR_INSUFFICIENT_FUNDS = errorCode("revenue-sharing", "ERR_INSUFFICIENT_FUNDS");

const admin = deployer;
const owner = wallet1;
const operator = wallet2;
const otherOwner = wallet3;
const stranger = wallet4;
const investor = wallet5;
const community = wallet6;
const revokedOperator = wallet7;
const formerAdmin = wallet8;

const REVENUE = "revenue-sharing";
const revenueSharing = contractPrincipal(REVENUE);

// Facility A: owner wallet_1, operator wallet_2, revoked operator wallet_7. Facility B: owner wallet_3.
let facilityA: bigint;
let facilityB: bigint;

const split: ShareSpec[] = [
  [owner, 5_000],
  [investor, 3_000],
  [community, 2_000],
];

function call(method: string, args: ClarityValue[], sender: string) {
  return simnet.callPublicFn(REVENUE, method, args, sender);
}

function setSharesCall(facilityId: bigint, shares: readonly ShareSpec[], sender = owner) {
  return call("set-stakeholder-shares", [Cl.uint(facilityId), sharesCv(shares)], sender);
}

function deposit(facilityId: bigint, amountUstx: bigint, sender: string, source = "test") {
  return call("deposit-revenue", [Cl.uint(facilityId), Cl.uint(amountUstx), Cl.stringAscii(source)], sender);
}

function distribute(facilityId: bigint, sender: string) {
  return call("distribute-revenue", [Cl.uint(facilityId)], sender);
}

function pool(facilityId: bigint): bigint {
  return uintOf(readOnly(REVENUE, "get-pool-balance", [Cl.uint(facilityId)]));
}

function sharesVersion(facilityId: bigint): bigint {
  return uintOf(readOnly(REVENUE, "get-shares-version", [Cl.uint(facilityId)]));
}

function earnings(facilityId: bigint, stakeholder: string): bigint {
  return uintOf(readOnly(REVENUE, "get-stakeholder-earnings", [Cl.uint(facilityId), Cl.principal(stakeholder)]));
}

/** The share list stored as `version` of a facility's split. */
function sharesAt(facilityId: bigint, version: number): ClarityValue {
  const found = readOnly(REVENUE, "get-shares-at-version", [Cl.uint(facilityId), Cl.uint(version)]);
  if (found.type !== "some" || found.value.type !== "tuple") throw new Error(`no version ${version} of the split`);
  return found.value.value["shares"]!;
}

// The SDK restarts the simnet before every test, so every test starts from this set-up.
beforeEach(() => {
  facilityA = registerApprovedFacility(owner);
  setOperator(facilityA, owner, operator);
  setOperator(facilityA, owner, revokedOperator);
  setOperator(facilityA, owner, revokedOperator, false);
  facilityB = registerApprovedFacility(otherOwner);
  callOk("facility-registry", "add-admin", [Cl.principal(formerAdmin)], admin);
  callOk("facility-registry", "remove-admin", [Cl.principal(formerAdmin)], admin);
});

describe("set-stakeholder-shares", () => {
  it("the owner sets a split: version 1, read back and printed", () => {
    expect(readOnly(REVENUE, "get-shares", [Cl.uint(facilityA)])).toBeNone();
    expect(sharesVersion(facilityA)).toBe(0n);
    const height = nextCallHeight();
    const { result, events } = setSharesCall(facilityA, split);
    expect(result).toBeOk(Cl.uint(1));
    expect(sharesVersion(facilityA)).toBe(1n);
    const expected = Cl.tuple({ shares: sharesCv(split), "set-by": Cl.principal(owner), "set-at": Cl.uint(height) });
    expect(readOnly(REVENUE, "get-shares", [Cl.uint(facilityA)])).toBeSome(expected);
    expect(readOnly(REVENUE, "get-shares-at-version", [Cl.uint(facilityA), Cl.uint(1)])).toBeSome(expected);
    expectPrinted(events, "shares-updated", {
      "facility-id": Cl.uint(facilityA),
      version: Cl.uint(1),
      shares: sharesCv(split),
    });
    // Another facility's split is untouched.
    expect(readOnly(REVENUE, "get-shares", [Cl.uint(facilityB)])).toBeNone();
  });

  it("a new split becomes version 2 and the old one stays readable by version", () => {
    setShares(facilityA, split, owner);
    const second: ShareSpec[] = [
      [investor, 3_333],
      [community, 3_333],
      [owner, 3_334],
    ];
    const { result, events } = setSharesCall(facilityA, second);
    expect(result).toBeOk(Cl.uint(2));
    expectPrinted(events, "shares-updated", { version: Cl.uint(2), shares: sharesCv(second) });
    expect(sharesVersion(facilityA)).toBe(2n);
    expect(sharesAt(facilityA, 1)).toStrictEqual(sharesCv(split));
    expect(sharesAt(facilityA, 2)).toStrictEqual(sharesCv(second));
    expect(readOnly(REVENUE, "get-shares-at-version", [Cl.uint(facilityA), Cl.uint(3)])).toBeNone();
    expect(readOnly(REVENUE, "get-shares-at-version", [Cl.uint(facilityA), Cl.uint(0)])).toBeNone();
  });

  it("accepts one stakeholder with the whole 10,000 bps", () => {
    expect(setSharesCall(facilityA, [[investor, 10_000]]).result).toBeOk(Cl.uint(1));
  });

  it("accepts 100 stakeholders", () => {
    const hundred: ShareSpec[] = Array.from({ length: 100 }, (_, index) => [syntheticPrincipal(index), 100]);
    expect(setSharesCall(facilityA, hundred).result).toBeOk(Cl.uint(1));
    const uneven: ShareSpec[] = Array.from({ length: 100 }, (_, index) => [
      syntheticPrincipal(index),
      index === 99 ? 9_901 : 1,
    ]);
    expect(setSharesCall(facilityA, uneven).result).toBeOk(Cl.uint(2));
    expect(sharesAt(facilityA, 2)).toStrictEqual(sharesCv(uneven));
  });

  it("ERR_FACILITY_NOT_FOUND for an unknown facility", () => {
    expect(setSharesCall(999n, split).result).toBeErr(Cl.uint(ERR_FACILITY_NOT_FOUND));
  });

  it.each([
    ["a stranger", stranger],
    ["an enabled operator (operators never change shares)", operator],
    ["the owner of another facility", otherOwner],
    ["an operator whose delegation was revoked", revokedOperator],
    ["an admin", admin],
  ])("ERR_NOT_OWNER for %s, and the split is unchanged", (_who, sender) => {
    setShares(facilityA, split, owner);
    expect(setSharesCall(facilityA, [[sender, 10_000]], sender).result).toBeErr(Cl.uint(ERR_NOT_OWNER));
    expect(sharesVersion(facilityA)).toBe(1n);
  });

  it("ERR_NO_STAKEHOLDERS for an empty list", () => {
    expect(setSharesCall(facilityA, []).result).toBeErr(Cl.uint(ERR_NO_STAKEHOLDERS));
    expect(sharesVersion(facilityA)).toBe(0n);
  });

  it.each([
    [
      "9,999 bps",
      [
        [owner, 5_000],
        [investor, 4_999],
      ],
    ],
    [
      "10,001 bps",
      [
        [owner, 5_000],
        [investor, 5_001],
      ],
    ],
    ["5,000 bps with one stakeholder", [[owner, 5_000]]],
    [
      "3 x 3,333 = 9,999 bps",
      [
        [owner, 3_333],
        [investor, 3_333],
        [community, 3_333],
      ],
    ],
    [
      "2 x 10,000 = 20,000 bps",
      [
        [owner, 10_000],
        [investor, 10_000],
      ],
    ],
  ] as [string, ShareSpec[]][])("ERR_SHARES_NOT_FULL when the shares sum to %s", (_sum, shares) => {
    expect(setSharesCall(facilityA, shares).result).toBeErr(Cl.uint(ERR_SHARES_NOT_FULL));
    expect(sharesVersion(facilityA)).toBe(0n);
  });

  it.each([
    [
      "adjacent",
      [
        [owner, 5_000],
        [owner, 5_000],
      ],
    ],
    [
      "apart",
      [
        [owner, 3_000],
        [investor, 4_000],
        [owner, 3_000],
      ],
    ],
  ] as [string, ShareSpec[]][])("ERR_DUPLICATE_STAKEHOLDER for a stakeholder listed twice, %s", (_where, shares) => {
    expect(setSharesCall(facilityA, shares).result).toBeErr(Cl.uint(ERR_DUPLICATE_STAKEHOLDER));
    expect(sharesVersion(facilityA)).toBe(0n);
  });

  it.each([
    [
      "a zero share",
      [
        [owner, 0],
        [investor, 10_000],
      ],
    ],
    ["a share above 10,000 bps", [[owner, 10_001]]],
    [
      "a share of 20,000 bps beside a 1 bps share",
      [
        [owner, 20_000],
        [investor, 1],
      ],
    ],
  ] as [string, ShareSpec[]][])("ERR_INVALID_SHARE for %s", (_what, shares) => {
    expect(setSharesCall(facilityA, shares).result).toBeErr(Cl.uint(ERR_INVALID_SHARE));
    expect(sharesVersion(facilityA)).toBe(0n);
  });

  it("ERR_INVALID_STAKEHOLDER for the contract itself as a stakeholder", () => {
    expect(setSharesCall(facilityA, [[revenueSharing, 10_000]]).result).toBeErr(Cl.uint(ERR_INVALID_STAKEHOLDER));
    expect(
      setSharesCall(facilityA, [
        [owner, 6_000],
        [revenueSharing, 4_000],
      ]).result,
    ).toBeErr(Cl.uint(ERR_INVALID_STAKEHOLDER));
    expect(sharesVersion(facilityA)).toBe(0n);
  });

  it("another contract may be a stakeholder", () => {
    expect(
      setSharesCall(facilityA, [
        [owner, 6_000],
        [contractPrincipal("grid-services"), 4_000],
      ]).result,
    ).toBeOk(Cl.uint(1));
  });
});

describe("deposit-revenue", () => {
  it("anyone deposits: STX moves into the pool, the deposit is recorded and printed", () => {
    const strangerBefore = stxBalance(stranger);
    const contractBefore = stxBalance(revenueSharing);
    const height = nextCallHeight();
    const { result, events } = deposit(facilityA, 7_919n, stranger, "tip");
    expect(result).toBeOk(Cl.uint(1));
    expect(readOnly(REVENUE, "get-deposit", [Cl.uint(1)])).toBeSome(
      Cl.tuple({
        "facility-id": Cl.uint(facilityA),
        amount: Cl.uint(7_919),
        source: Cl.stringAscii("tip"),
        depositor: Cl.principal(stranger),
        "deposited-at": Cl.uint(height),
      }),
    );
    expect(readOnly(REVENUE, "get-last-deposit-id", [])).toBeUint(1);
    expect(pool(facilityA)).toBe(7_919n);
    expect(pool(facilityB)).toBe(0n);
    expectPrinted(events, "revenue-deposited", {
      "deposit-id": Cl.uint(1),
      "facility-id": Cl.uint(facilityA),
      amount: Cl.uint(7_919),
      source: Cl.stringAscii("tip"),
      depositor: Cl.principal(stranger),
      "pool-balance": Cl.uint(7_919),
    });
    expect(stxBalance(stranger)).toBe(strangerBefore - 7_919n);
    expect(stxBalance(revenueSharing)).toBe(contractBefore + 7_919n);
  });

  it.each([
    ["the owner", owner],
    ["an operator", operator],
    ["the owner of another facility", otherOwner],
    ["an admin", admin],
  ])("%s may deposit too, and deposits add up", (_who, sender) => {
    deposit(facilityA, 100n, stranger);
    const { result, events } = deposit(facilityA, 1n, sender);
    expect(result).toBeOk(Cl.uint(2));
    expectPrinted(events, "revenue-deposited", { "deposit-id": Cl.uint(2), "pool-balance": Cl.uint(101) });
    expect(pool(facilityA)).toBe(101n);
  });

  it("deposits into a pending facility's pool, with no shares set", () => {
    const pending = registerFacility(owner);
    expect(deposit(pending, 5n, stranger).result).toBeOk(Cl.uint(1));
    expect(pool(pending)).toBe(5n);
  });

  it("ERR_FACILITY_NOT_FOUND for an unknown facility, and nothing moves", () => {
    const before = stxBalance(stranger);
    expect(deposit(999n, 5n, stranger).result).toBeErr(Cl.uint(ERR_FACILITY_NOT_FOUND));
    expect(stxBalance(stranger)).toBe(before);
    expect(readOnly(REVENUE, "get-last-deposit-id", [])).toBeUint(0);
  });

  it("ERR_INVALID_AMOUNT for a zero amount", () => {
    expect(deposit(facilityA, 0n, stranger).result).toBeErr(Cl.uint(ERR_INVALID_AMOUNT));
    expect(readOnly(REVENUE, "get-deposit", [Cl.uint(1)])).toBeNone();
  });

  it("ERR_INSUFFICIENT_FUNDS when the depositor cannot pay, and nothing moves", () => {
    const balance = stxBalance(stranger);
    expect(deposit(facilityA, balance + 1n, stranger).result).toBeErr(Cl.uint(ERR_INSUFFICIENT_FUNDS));
    expect(stxBalance(stranger)).toBe(balance);
    expect(pool(facilityA)).toBe(0n);
  });
});

describe("distribute-revenue", () => {
  it("the owner distributes: payments, records, totals and events read back", () => {
    setShares(facilityA, split, owner);
    deposit(facilityA, 1_001n, stranger);
    const before = split.map(([who]) => stxBalance(who));
    const height = nextCallHeight();
    const { result, events } = distribute(facilityA, owner);
    expect(result).toBeOk(Cl.uint(1));

    // 1,001 x 50 % = 500.5, x 30 % = 300.3, x 20 % = 200.2: floors 500 + 300 + 200, remainder 1 to the largest.
    const amounts = [501n, 300n, 200n];
    split.forEach(([who], index) => expect(stxBalance(who) - before[index]!).toBe(amounts[index]));
    expect(pool(facilityA)).toBe(0n);
    expect(stxBalance(revenueSharing)).toBe(0n);
    expect(readOnly(REVENUE, "get-total-distributed", [Cl.uint(facilityA)])).toBeUint(1_001);
    expect(readOnly(REVENUE, "get-last-distribution-id", [])).toBeUint(1);
    expect(readOnly(REVENUE, "get-last-payment-id", [])).toBeUint(3);
    expect(readOnly(REVENUE, "get-distribution", [Cl.uint(1)])).toBeSome(
      Cl.tuple({
        "facility-id": Cl.uint(facilityA),
        amount: Cl.uint(1_001),
        "shares-version": Cl.uint(1),
        "first-payment-id": Cl.uint(1),
        "payment-count": Cl.uint(3),
        "distributed-by": Cl.principal(owner),
        "distributed-at": Cl.uint(height),
      }),
    );
    split.forEach(([who, shareBps], index) => {
      expect(readOnly(REVENUE, "get-payment", [Cl.uint(index + 1)])).toBeSome(
        Cl.tuple({
          "distribution-id": Cl.uint(1),
          "facility-id": Cl.uint(facilityA),
          stakeholder: Cl.principal(who),
          "share-bps": Cl.uint(shareBps),
          amount: Cl.uint(amounts[index]!),
          "paid-at": Cl.uint(height),
        }),
      );
      expect(earnings(facilityA, who)).toBe(amounts[index]);
      expect(earnings(facilityB, who)).toBe(0n);
    });
    expectPrinted(events, "revenue-distributed", {
      "distribution-id": Cl.uint(1),
      "facility-id": Cl.uint(facilityA),
      amount: Cl.uint(1_001),
      "shares-version": Cl.uint(1),
      "first-payment-id": Cl.uint(1),
      "payment-count": Cl.uint(3),
      "distributed-by": Cl.principal(owner),
    });
    const paid = printedAllWithTopic(events, "revenue-paid");
    expect(paid.map((tuple) => tuple.value["payment-id"])).toStrictEqual([Cl.uint(1), Cl.uint(2), Cl.uint(3)]);
    expect(paid.map((tuple) => tuple.value["stakeholder"])).toStrictEqual(split.map(([who]) => Cl.principal(who)));
    expect(paid.map((tuple) => tuple.value["amount"])).toStrictEqual(amounts.map((amount) => Cl.uint(amount)));
    expect(paid.every((tuple) => uintOf(tuple.value["distribution-id"]!) === 1n)).toBe(true);
    expect(paid.every((tuple) => uintOf(tuple.value["facility-id"]!) === facilityA)).toBe(true);
  });

  it.each([
    ["an enabled operator", operator],
    ["an admin", admin],
  ])("%s may distribute", (_who, sender) => {
    setShares(facilityA, split, owner);
    deposit(facilityA, 10_000n, stranger);
    const { result, events } = distribute(facilityA, sender);
    expect(result).toBeOk(Cl.uint(1));
    expectPrinted(events, "revenue-distributed", { "distributed-by": Cl.principal(sender) });
    expect(pool(facilityA)).toBe(0n);
  });

  it.each([
    ["a stranger", stranger],
    ["the owner of another facility", otherOwner],
    ["an operator whose delegation was revoked", revokedOperator],
    ["a removed admin", formerAdmin],
  ])("ERR_NOT_AUTHORIZED for %s, and the pool stays", (_who, sender) => {
    setShares(facilityA, split, owner);
    deposit(facilityA, 10_000n, stranger);
    const ownerBefore = stxBalance(owner);
    expect(distribute(facilityA, sender).result).toBeErr(Cl.uint(ERR_NOT_AUTHORIZED));
    expect(pool(facilityA)).toBe(10_000n);
    expect(stxBalance(owner)).toBe(ownerBefore);
    expect(readOnly(REVENUE, "get-last-distribution-id", [])).toBeUint(0);
  });

  it("ERR_EMPTY_POOL when nothing was ever deposited and right after a distribution", () => {
    setShares(facilityA, split, owner);
    expect(distribute(facilityA, owner).result).toBeErr(Cl.uint(ERR_EMPTY_POOL));
    deposit(facilityA, 3n, stranger);
    expect(distribute(facilityA, owner).result).toBeOk(Cl.uint(1));
    expect(distribute(facilityA, operator).result).toBeErr(Cl.uint(ERR_EMPTY_POOL));
    expect(readOnly(REVENUE, "get-last-distribution-id", [])).toBeUint(1);
  });

  it("ERR_NO_SHARES for a pool whose facility has no split, and for an unknown facility", () => {
    deposit(facilityB, 500n, stranger);
    expect(distribute(facilityB, otherOwner).result).toBeErr(Cl.uint(ERR_NO_SHARES));
    expect(pool(facilityB)).toBe(500n);
    expect(distribute(999n, admin).result).toBeErr(Cl.uint(ERR_NO_SHARES));
  });

  it("pays by the current split and records its version; earnings and totals accumulate", () => {
    setShares(facilityA, split, owner);
    deposit(facilityA, 1_000n, stranger);
    callOk(REVENUE, "distribute-revenue", [Cl.uint(facilityA)], owner);
    setShares(
      facilityA,
      [
        [community, 9_000],
        [investor, 1_000],
      ],
      owner,
    );
    deposit(facilityA, 2_000n, stranger);
    const { result, events } = distribute(facilityA, operator);
    expect(result).toBeOk(Cl.uint(2));
    expectPrinted(events, "revenue-distributed", {
      "distribution-id": Cl.uint(2),
      "shares-version": Cl.uint(2),
      "first-payment-id": Cl.uint(4),
      "payment-count": Cl.uint(2),
    });
    expect(earnings(facilityA, owner)).toBe(500n);
    expect(earnings(facilityA, investor)).toBe(300n + 200n);
    expect(earnings(facilityA, community)).toBe(200n + 1_800n);
    expect(readOnly(REVENUE, "get-total-distributed", [Cl.uint(facilityA)])).toBeUint(3_000);
    expect(readOnly(REVENUE, "get-last-payment-id", [])).toBeUint(5);
    // The first split stays readable for the first distribution.
    expect(sharesAt(facilityA, 1)).toStrictEqual(sharesCv(split));
  });

  it("distributes to 100 stakeholders, the tie remainder to the first listed", () => {
    const hundred: ShareSpec[] = Array.from({ length: 100 }, (_, index) => [syntheticPrincipal(index), 100]);
    setShares(facilityA, hundred, owner);
    deposit(facilityA, 1_000_099n, stranger);
    const { result } = distribute(facilityA, owner);
    expect(result).toBeOk(Cl.uint(1));
    // 1,000,099 x 1 % = 10,000.99 -> 10,000 each; the remainder of 99 goes to the first of the 100 tied shares.
    expect(stxBalance(syntheticPrincipal(0))).toBe(10_099n);
    for (let index = 1; index < 100; index += 1) {
      expect(stxBalance(syntheticPrincipal(index))).toBe(10_000n);
    }
    expect(readOnly(REVENUE, "get-last-payment-id", [])).toBeUint(100);
    expect(pool(facilityA)).toBe(0n);
    expect(stxBalance(revenueSharing)).toBe(0n);
  });

  it("keeps one facility's pool apart from another's", () => {
    setShares(facilityA, split, owner);
    setShares(facilityB, [[otherOwner, 10_000]], otherOwner);
    deposit(facilityA, 1_000n, stranger);
    deposit(facilityB, 777n, stranger);
    callOk(REVENUE, "distribute-revenue", [Cl.uint(facilityA)], owner);
    expect(pool(facilityB)).toBe(777n);
    expect(stxBalance(revenueSharing)).toBe(777n);
    expect(distribute(facilityB, owner).result).toBeErr(Cl.uint(ERR_NOT_AUTHORIZED));
  });
});
