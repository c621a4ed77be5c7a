/// <reference types="@stacks/clarinet-sdk/vitest" />
// Property tests over random sequences of valid and invalid calls to all five
// contracts (fast-check model runs, as the Clarinet SDK documents). Each run
// starts on a fresh chain with three approved facilities and one open request,
// then applies random calls from random callers with random arguments. After
// every call: stored <= total and reserved <= stored for every facility; the
// grid-services balance equals its escrow counter and the payments of open and
// accepted requests; the revenue-sharing balance equals the sum of the pools;
// every current split sums to 10,000; a failed call moves no STX; only
// fulfill-request moves STX from grid-services to revenue-sharing, exactly
// payment x performance / 10,000; a distribution pays out exactly the pool, by
// the rounding rule. Each call must also succeed exactly when the model says
// it is valid. At the end of a run the whole chain is checked again.
import type { ParsedTransactionResult } from "@stacks/clarinet-sdk";
import { Cl, ClarityType, cvToString, type ClarityValue } from "@stacks/transactions";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

const accounts = simnet.getAccounts();
const deployer = accounts.get("deployer")!;
const wallet = (n: number) => accounts.get(`wallet_${n}`)!;
const owners = [wallet(1), wallet(2), wallet(3)];
const operator = wallet(4);
const stranger = wallet(5);
const outsideRequester = wallet(6);
const stakeholderPool = [deployer, ...[1, 2, 3, 4, 5, 6, 7, 8].map(wallet)];
const gridServices = `${deployer}.grid-services`;
const revenueSharing = `${deployer}.revenue-sharing`;
const FULL_BPS = 10_000n;
const MISSING_ID = 999_999n;

// ---- reading chain state -------------------------------------------------

function uintOf(cv: ClarityValue): bigint {
  if (cv.type !== ClarityType.UInt) throw new Error(`expected a uint, got ${cvToString(cv)}`);
  return BigInt(cv.value);
}

function optionalTuple(cv: ClarityValue): Record<string, ClarityValue> | undefined {
  if (cv.type === ClarityType.OptionalNone) return undefined;
  if (cv.type !== ClarityType.OptionalSome || cv.value.type !== ClarityType.Tuple) {
    throw new Error(`expected an optional tuple, got ${cvToString(cv)}`);
  }
  return cv.value.value;
}

function textOf(cv: ClarityValue | undefined): string {
  if (
    cv &&
    (cv.type === ClarityType.StringASCII ||
      cv.type === ClarityType.PrincipalStandard ||
      cv.type === ClarityType.PrincipalContract)
  ) {
    return cv.value;
  }
  throw new Error(`expected text, got ${cv ? cvToString(cv) : "nothing"}`);
}

/** A map entry as an optional; the SDK throws "value not found" for a missing key. */
function mapEntry(contract: string, map: string, key: ClarityValue): ClarityValue {
  try {
    return simnet.getMapEntry(contract, map, key);
  } catch (error) {
    if (String(error).includes("value not found")) return Cl.none();
    throw error;
  }
}

const stxOf = (who: string): bigint => simnet.getAssetsMap().get("STX")?.get(who) ?? 0n;
const allStx = (): Map<string, bigint> => new Map(simnet.getAssetsMap().get("STX") ?? []);
const totalStx = (balances: Map<string, bigint>) => [...balances.values()].reduce((a, b) => a + b, 0n);
const dataVar = (contract: string, name: string) => uintOf(simnet.getDataVar(contract, name));

type Facility = { owner: string; status: string; capacityKwh: bigint; maxPowerKw: bigint };
function facility(id: bigint): Facility | undefined {
  const t = optionalTuple(mapEntry("facility-registry", "facilities", Cl.uint(id)));
  if (!t) return undefined;
  return {
    owner: textOf(t.owner),
    status: textOf(t.status),
    capacityKwh: uintOf(t["capacity-kwh"]!),
    maxPowerKw: uintOf(t["max-power-kw"]!),
  };
}

type Capacity = { totalKwh: bigint; storedKwh: bigint; reservedKwh: bigint };
function capacity(id: bigint): Capacity | undefined {
  const t = optionalTuple(mapEntry("capacity-tracking", "capacities", Cl.uint(id)));
  if (!t) return undefined;
  return {
    totalKwh: uintOf(t["total-kwh"]!),
    storedKwh: uintOf(t["stored-kwh"]!),
    reservedKwh: uintOf(t["reserved-kwh"]!),
  };
}

type Request = {
  status: string;
  paymentUstx: bigint;
  energyKwh: bigint;
  powerKw: bigint;
  requester: string;
  expiresAt: bigint;
  facilityId?: bigint;
};
function request(id: bigint): Request | undefined {
  const t = optionalTuple(mapEntry("grid-services", "requests", Cl.uint(id)));
  if (!t) return undefined;
  const facilityCv = t["facility-id"]!;
  return {
    status: textOf(t.status),
    paymentUstx: uintOf(t.payment!),
    energyKwh: uintOf(t["energy-kwh"]!),
    powerKw: uintOf(t["power-kw"]!),
    requester: textOf(t.requester),
    expiresAt: uintOf(t["expires-at"]!),
    facilityId: facilityCv.type === ClarityType.OptionalSome ? uintOf(facilityCv.value) : undefined,
  };
}

function poolUstx(id: bigint): bigint {
  const cv = mapEntry("revenue-sharing", "pools", Cl.uint(id));
  return cv.type === ClarityType.OptionalSome ? uintOf(cv.value) : 0n;
}

type Share = { stakeholder: string; shareBps: bigint };
function currentShares(id: bigint): Share[] | undefined {
  const versionCv = mapEntry("revenue-sharing", "current-share-version", Cl.uint(id));
  if (versionCv.type !== ClarityType.OptionalSome) return undefined;
  const key = Cl.tuple({ "facility-id": Cl.uint(id), version: versionCv.value });
  const entry = optionalTuple(mapEntry("revenue-sharing", "share-versions", key));
  const list = entry?.shares;
  if (!list || list.type !== ClarityType.List) throw new Error(`share version missing for facility ${id}`);
  return list.value.map((item) => {
    if (item.type !== ClarityType.Tuple) throw new Error("share entry is not a tuple");
    return { stakeholder: textOf(item.value.stakeholder), shareBps: uintOf(item.value["share-bps"]!) };
  });
}

const isAdmin = (who: string) => who === deployer;
const isAuthorized = (f: Facility | undefined, id: bigint, who: string, operators: Set<string>) =>
  f !== undefined && (who === f.owner || operators.has(`${id}:${who}`));

// ---- the model: what this run created and the balances it started from ----

type Model = {
  facilities: bigint[];
  requests: bigint[];
  operators: Set<string>;
  startGridUstx: bigint;
  startRevenueUstx: bigint;
  startEscrowUstx: bigint;
  fulfilments: number;
  distributions: number;
};

function pick<T>(list: T[], index: number): T {
  return list[index % list.length]!;
}
/** Three picks in four go to a facility that satisfies `preferred`, when there is one. */
function facilityFor(m: Model, index: number, preferred?: (id: bigint) => boolean): bigint {
  const candidates = preferred === undefined ? [] : m.facilities.filter(preferred);
  if (candidates.length > 0 && index % 4 !== 0) return pick(candidates, index >> 2);
  return pick([...m.facilities, MISSING_ID], index);
}
const approved = (id: bigint) => facility(id)?.status === "approved";
const funded = (id: bigint) => poolUstx(id) > 0n;
const committed = (id: bigint) => (capacity(id)?.reservedKwh ?? 0n) > 0n;
/** Three picks in four go to a request in the status the call needs, when there is one. */
function requestFor(m: Model, index: number, preferred?: string): bigint {
  const candidates = preferred === undefined ? [] : m.requests.filter((id) => request(id)?.status === preferred);
  if (candidates.length > 0 && index % 4 !== 0) return pick(candidates, index >> 2);
  return pick([...m.requests, MISSING_ID], index);
}

function call(contract: string, fn: string, args: ClarityValue[], sender: string): ParsedTransactionResult {
  return simnet.callPublicFn(contract, fn, args, sender);
}

const okValue = (r: ParsedTransactionResult): ClarityValue | undefined =>
  r.result.type === ClarityType.ResponseOk ? r.result.value : undefined;
const errCode = (r: ParsedTransactionResult): bigint | undefined =>
  r.result.type === ClarityType.ResponseErr ? uintOf(r.result.value) : undefined;

/** Stands for "some error" where the code is not this test's business. */
const ANY_ERROR = -1n;
/** More than any devnet account holds: the STX transfer itself must fail. */
const UNAFFORDABLE_USTX = 10n ** 16n;

/**
 * The error codes of the checks that fail. The call must succeed when none
 * fails and otherwise return one of these codes: which one depends on the
 * order the contract checks in, which the per-function tests pin down.
 */
function failing(checks: Array<[boolean, number | bigint]>): bigint[] {
  return checks.filter(([passes]) => !passes).map(([, code]) => BigInt(code));
}

function expectOutcome(r: ParsedTransactionResult, failed: bigint[], label: string) {
  const shown = `${label}: ${cvToString(r.result)}`;
  if (failed.length === 0) {
    expect(r.result.type, shown).toBe(ClarityType.ResponseOk);
  } else if (failed.includes(ANY_ERROR)) {
    expect(r.result.type, shown).toBe(ClarityType.ResponseErr);
  } else {
    expect(failed, `${shown}, failing checks ${failed.join(", ")}`).toContain(errCode(r));
  }
}

function stxTransfers(r: ParsedTransactionResult) {
  return r.events
    .filter((e) => e.event === "stx_transfer_event")
    .map((e) => ({
      sender: String(e.data.sender),
      recipient: String(e.data.recipient),
      amount: BigInt(e.data.amount as string),
    }));
}

// ---- invariants ------------------------------------------------------------

function checkFacility(id: bigint) {
  const c = capacity(id);
  if (c) {
    expect(c.reservedKwh <= c.storedKwh, `facility ${id}: reserved ${c.reservedKwh} > stored ${c.storedKwh}`).toBe(
      true,
    );
    expect(c.storedKwh <= c.totalKwh, `facility ${id}: stored ${c.storedKwh} > total ${c.totalKwh}`).toBe(true);
  }
  const shares = currentShares(id);
  if (shares) {
    expect(
      shares.reduce((sum, s) => sum + s.shareBps, 0n),
      `facility ${id} shares`,
    ).toBe(FULL_BPS);
    expect(shares.every((s) => s.shareBps > 0n)).toBe(true);
    expect(new Set(shares.map((s) => s.stakeholder)).size).toBe(shares.length);
  }
}

const escrowOf = (ids: bigint[]) =>
  ids.reduce((sum, id) => {
    const r = request(id)!;
    return r.status === "open" || r.status === "accepted" ? sum + r.paymentUstx : sum;
  }, 0n);
const poolsOf = (ids: bigint[]) => ids.reduce((sum, id) => sum + poolUstx(id), 0n);
const range = (last: bigint) => Array.from({ length: Number(last) }, (_, i) => BigInt(i + 1));

/** After every call: what this run created, relative to the balances it started from. */
function checkRunInvariants(m: Model) {
  for (const id of m.facilities) checkFacility(id);
  const gridUstx = stxOf(gridServices);
  expect(gridUstx).toBe(dataVar("grid-services", "escrowed-ustx"));
  expect(gridUstx - m.startGridUstx).toBe(escrowOf(m.requests));
  expect(gridUstx - m.startGridUstx).toBe(dataVar("grid-services", "escrowed-ustx") - m.startEscrowUstx);
  expect(stxOf(revenueSharing) - m.startRevenueUstx).toBe(poolsOf(m.facilities));
}

/** At the end of a run: the whole chain, every facility and request ever created. */
function checkWholeChain() {
  const facilities = range(dataVar("facility-registry", "last-facility-id"));
  for (const id of facilities) checkFacility(id);
  const escrow = escrowOf(range(dataVar("grid-services", "last-request-id")));
  expect(stxOf(gridServices)).toBe(escrow);
  expect(dataVar("grid-services", "escrowed-ustx")).toBe(escrow);
  expect(stxOf(revenueSharing)).toBe(poolsOf(facilities));
}

// ---- commands --------------------------------------------------------------

type Step = fc.Command<Model, Record<string, never>>;

/** What a call may do with revenue-sharing's STX: only these two calls pay into it. */
type PaysIn = "fulfilment" | "deposit" | "nothing";

/** Runs one call, then checks what every call must keep. */
function step(label: string, act: (m: Model) => ParsedTransactionResult | undefined, paysIn: PaysIn = "nothing"): Step {
  return {
    check: () => true,
    toString: () => label,
    run: (m) => {
      const before = allStx();
      const revenueBefore = stxOf(revenueSharing);
      const r = act(m);
      const after = allStx();
      // No fees in the simnet: calls move STX, never create or burn it.
      expect(totalStx(after), label).toBe(totalStx(before));
      if (r) {
        if (r.result.type === ClarityType.ResponseErr) {
          for (const [who, ustx] of after)
            expect(ustx, `${label} failed but moved STX of ${who}`).toBe(before.get(who) ?? 0n);
        }
        // No payout without a fulfilment: grid-services pays revenue-sharing only there.
        const fromGrid = stxTransfers(r).filter((t) => t.sender === gridServices && t.recipient === revenueSharing);
        if (paysIn !== "fulfilment") {
          expect(fromGrid, `${label} paid revenue-sharing from escrow`).toEqual([]);
        }
        if (paysIn === "nothing") {
          expect(stxOf(revenueSharing) <= revenueBefore, `${label} grew the revenue pools`).toBe(true);
        }
      }
      checkRunInvariants(m);
    },
  };
}

/** Who calls, resolved against the facility at run time so that most calls come from its owner. */
type Role = "owner" | "operator" | "stranger" | "admin";
const roleArb = fc.constantFrom<Role>("owner", "owner", "owner", "owner", "operator", "stranger", "admin");
function actor(role: Role, f: Facility | undefined): string {
  if (role === "owner") return f?.owner ?? owners[0]!;
  return { operator, stranger, admin: deployer }[role];
}

const register = fc
  .record({
    sender: fc.constantFrom(...owners, owners[0]!, stranger),
    emptyName: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
    capacityKwh: fc.oneof(
      { weight: 1, arbitrary: fc.constant(0) },
      { weight: 9, arbitrary: fc.integer({ min: 1, max: 5_000 }) },
    ),
    maxPowerKw: fc.oneof(
      { weight: 1, arbitrary: fc.constant(0) },
      { weight: 9, arbitrary: fc.integer({ min: 1, max: 1_000 }) },
    ),
  })
  .map(({ sender, emptyName, capacityKwh, maxPowerKw }) =>
    step(`register(${capacityKwh} kWh, ${maxPowerKw} kW${emptyName ? ", empty name" : ""})`, (m) => {
      const r = call(
        "facility-registry",
        "register-facility",
        [Cl.stringUtf8(emptyName ? "" : "Battery"), Cl.stringUtf8("Site"), Cl.uint(capacityKwh), Cl.uint(maxPowerKw)],
        sender,
      );
      expectOutcome(
        r,
        failing([
          [!emptyName, 1001],
          [capacityKwh > 0, 1002],
          [maxPowerKw > 0, 1003],
        ]),
        "register",
      );
      const id = okValue(r);
      if (id) m.facilities.push(uintOf(id));
      return r;
    }),
  );

const review = fc
  .record({
    action: fc.constantFrom("approve", "approve", "approve", "reject", "suspend", "reinstate"),
    index: fc.nat(),
    sender: fc.constantFrom(deployer, deployer, deployer, stranger),
  })
  .map(({ action, index, sender }) =>
    step(`${action}(#${index}) by ${sender === deployer ? "admin" : "stranger"}`, (m) => {
      const id = facilityFor(m, index);
      const f = facility(id);
      const from = { approve: "pending", reject: "pending", suspend: "approved", reinstate: "suspended" }[action]!;
      const statusErr = { approve: 1005, reject: 1005, suspend: 1006, reinstate: 1007 }[action]!;
      const args = action === "reject" ? [Cl.uint(id), Cl.stringAscii("incomplete papers")] : [Cl.uint(id)];
      const r = call("facility-registry", `${action}-facility`, args, sender);
      expectOutcome(
        r,
        failing([
          [f !== undefined, 1004],
          [isAdmin(sender), 1000],
          [f?.status === from, statusErr],
        ]),
        action,
      );
      return r;
    }),
  );

const setOperator = fc
  .record({ index: fc.nat(), role: roleArb, enabled: fc.boolean() })
  .map(({ index, role, enabled }) =>
    step(`set-operator(#${index}, ${enabled}) by ${role}`, (m) => {
      const id = facilityFor(m, index);
      const f = facility(id);
      const sender = actor(role, f);
      const r = call(
        "facility-registry",
        "set-operator",
        [Cl.uint(id), Cl.principal(operator), Cl.bool(enabled)],
        sender,
      );
      expectOutcome(
        r,
        failing([
          [f !== undefined, 1004],
          [sender === f?.owner, 1008],
          [operator !== f?.owner, 1012],
        ]),
        "set-operator",
      );
      if (okValue(r)) {
        if (enabled) m.operators.add(`${id}:${operator}`);
        else m.operators.delete(`${id}:${operator}`);
      }
      return r;
    }),
  );

const initCapacity = fc
  .record({ index: fc.nat(), role: roleArb, fillPercent: fc.integer({ min: 0, max: 120 }) })
  .map(({ index, role, fillPercent }) =>
    step(`initialize-capacity(#${index}, ${fillPercent} %) by ${role}`, (m) => {
      const id = facilityFor(m, index, (candidate) => approved(candidate) && capacity(candidate) === undefined);
      const f = facility(id);
      const sender = actor(role, f);
      const initialised = capacity(id) !== undefined;
      const storedKwh = ((f?.capacityKwh ?? 100n) * BigInt(fillPercent)) / 100n;
      const r = call("capacity-tracking", "initialize-capacity", [Cl.uint(id), Cl.uint(storedKwh)], sender);
      expectOutcome(
        r,
        failing([
          [f !== undefined, 2001],
          [isAuthorized(f, id, sender, m.operators), 2000],
          [f?.status === "approved", 2001],
          [storedKwh <= (f?.capacityKwh ?? 0n), 2004],
          [!initialised, 2002],
        ]),
        "initialize-capacity",
      );
      return r;
    }),
  );

const updateCapacity = fc
  .record({ index: fc.nat(), role: roleArb, fillPercent: fc.integer({ min: 0, max: 120 }) })
  .map(({ index, role, fillPercent }) =>
    step(`update-capacity(#${index}, ${fillPercent} %) by ${role}`, (m) => {
      const id = facilityFor(m, index, committed);
      const f = facility(id);
      const sender = actor(role, f);
      const c = capacity(id);
      const storedKwh = ((f?.capacityKwh ?? 100n) * BigInt(fillPercent)) / 100n;
      const r = call("capacity-tracking", "update-capacity", [Cl.uint(id), Cl.uint(storedKwh)], sender);
      expectOutcome(
        r,
        failing([
          [c !== undefined, 2003],
          [isAuthorized(f, id, sender, m.operators), 2000],
          [storedKwh <= (c?.totalKwh ?? 0n), 2004],
          [storedKwh >= (c?.reservedKwh ?? 0n), 2005],
        ]),
        "update-capacity",
      );
      return r;
    }),
  );

const recordFlow = fc
  .record({ index: fc.nat(), role: roleArb, charge: fc.boolean(), energyKwh: fc.integer({ min: 0, max: 3_000 }) })
  .map(({ index, role, charge, energyKwh }) =>
    step(`record-${charge ? "charge" : "discharge"}(#${index}, ${energyKwh} kWh) by ${role}`, (m) => {
      const id = facilityFor(m, index, approved);
      const f = facility(id);
      const sender = actor(role, f);
      const c = capacity(id);
      const energy = BigInt(energyKwh);
      const fits =
        c !== undefined && (charge ? energy <= c.totalKwh - c.storedKwh : energy <= c.storedKwh - c.reservedKwh);
      const r = call(
        "charge-discharge",
        charge ? "record-charge" : "record-discharge",
        [Cl.uint(id), Cl.uint(energy)],
        sender,
      );
      expectOutcome(
        r,
        failing([
          [isAuthorized(f, id, sender, m.operators), 3003],
          [f?.status === "approved", 3005],
          [c !== undefined, 3006],
          [energy > 0n, 3004],
          [fits, charge ? 2004 : 2005],
        ]),
        "record-flow",
      );
      if (okValue(r)) {
        const stored = capacity(id)!.storedKwh;
        expect(stored).toBe(charge ? c!.storedKwh + energy : c!.storedKwh - energy);
      }
      return r;
    }),
  );

const createRequest = fc
  .record({
    sender: fc.constantFrom(deployer, deployer, deployer, outsideRequester),
    powerKw: fc.integer({ min: 0, max: 1_200 }),
    energyKwh: fc.integer({ min: 0, max: 3_000 }),
    paymentUstx: fc.oneof(
      { weight: 1, arbitrary: fc.constantFrom(0n, UNAFFORDABLE_USTX) },
      { weight: 9, arbitrary: fc.bigInt({ min: 1n, max: 5_000_000_000n }) },
    ),
    expiresIn: fc.integer({ min: -1, max: 80 }),
  })
  .map(({ sender, powerKw, energyKwh, paymentUstx, expiresIn }) =>
    step(`create-service-request(${powerKw} kW, ${energyKwh} kWh, ${paymentUstx} uSTX, +${expiresIn})`, (m) => {
      // A call runs in the block after simnet.blockHeight.
      const callHeight = BigInt(simnet.blockHeight + 1);
      const expiresAt = BigInt(Math.max(0, simnet.blockHeight + expiresIn));
      const r = call(
        "grid-services",
        "create-service-request",
        [
          Cl.stringAscii("peak-shaving"),
          Cl.uint(powerKw),
          Cl.uint(energyKwh),
          Cl.uint(paymentUstx),
          Cl.uint(expiresAt),
        ],
        sender,
      );
      // A call runs in the block after simnet.blockHeight.
      expectOutcome(
        r,
        failing([
          [isAdmin(sender), 4000],
          [powerKw > 0, 4005],
          [energyKwh > 0, 4006],
          [paymentUstx > 0n, 4007],
          [expiresAt > callHeight, 4008],
          [paymentUstx < UNAFFORDABLE_USTX, ANY_ERROR],
        ]),
        "create-service-request",
      );
      const id = okValue(r);
      if (id) m.requests.push(uintOf(id));
      return r;
    }),
  );

const acceptRequest = fc
  .record({ requestIndex: fc.nat(), facilityIndex: fc.nat(), role: roleArb })
  .map(({ requestIndex, facilityIndex, role }) =>
    step(`accept-request(r#${requestIndex}, f#${facilityIndex}) by ${role}`, (m) => {
      const id = requestFor(m, requestIndex, "open");
      const facilityId = facilityFor(m, facilityIndex, approved);
      const q = request(id);
      const f = facility(facilityId);
      const sender = actor(role, f);
      const c = capacity(facilityId);
      const availableKwh = c ? c.storedKwh - c.reservedKwh : 0n;
      const height = BigInt(simnet.blockHeight + 1);
      const r = call("grid-services", "accept-request", [Cl.uint(id), Cl.uint(facilityId)], sender);
      expectOutcome(
        r,
        failing([
          [q !== undefined, 4009],
          [f !== undefined, 4013],
          [q?.status === "open", 4010],
          [q !== undefined && height < q.expiresAt, 4011],
          [isAuthorized(f, facilityId, sender, m.operators), 4012],
          [f?.status === "approved", 4013],
          [(f?.maxPowerKw ?? 0n) >= (q?.powerKw ?? 0n), 4015],
          [availableKwh >= (q?.energyKwh ?? 0n), 4014],
          [c !== undefined, 2003],
        ]),
        "accept-request",
      );
      if (okValue(r)) expect(capacity(facilityId)!.reservedKwh).toBe(c!.reservedKwh + q!.energyKwh);
      return r;
    }),
  );

const fulfilRequest = fc
  .record({
    requestIndex: fc.nat(),
    performanceBps: fc.oneof(
      { weight: 9, arbitrary: fc.integer({ min: 0, max: 10_000 }) },
      { weight: 1, arbitrary: fc.integer({ min: 10_001, max: 20_000 }) },
    ),
    sender: fc.constantFrom(deployer, deployer, deployer, stranger),
  })
  .map(({ requestIndex, performanceBps, sender }) =>
    step(
      `fulfill-request(r#${requestIndex}, ${performanceBps} bps)`,
      (m) => {
        const id = requestFor(m, requestIndex, "accepted");
        const q = request(id);
        const poolBefore = q?.facilityId !== undefined ? poolUstx(q.facilityId) : 0n;
        const reservedBefore = q?.facilityId !== undefined ? capacity(q.facilityId)!.reservedKwh : 0n;
        const requesterBefore = q ? stxOf(q.requester) : 0n;
        const r = call("grid-services", "fulfill-request", [Cl.uint(id), Cl.uint(performanceBps)], sender);
        expectOutcome(
          r,
          failing([
            [q !== undefined, 4009],
            [q?.facilityId !== undefined, 4016],
            [isAdmin(sender), 4000],
            [q?.status === "accepted", 4016],
            [performanceBps <= 10_000, 4017],
          ]),
          "fulfill-request",
        );
        const paid = okValue(r);
        const fromGrid = stxTransfers(r).filter((t) => t.sender === gridServices && t.recipient === revenueSharing);
        if (paid) {
          m.fulfilments += 1;
          const payoutUstx = (q!.paymentUstx * BigInt(performanceBps)) / FULL_BPS;
          expect(uintOf(paid)).toBe(payoutUstx);
          expect(poolUstx(q!.facilityId!) - poolBefore).toBe(payoutUstx);
          expect(fromGrid.reduce((s, t) => s + t.amount, 0n)).toBe(payoutUstx);
          expect(stxOf(q!.requester) - requesterBefore).toBe(q!.paymentUstx - payoutUstx);
          expect(capacity(q!.facilityId!)!.reservedKwh).toBe(reservedBefore - q!.energyKwh);
        } else {
          expect(fromGrid).toEqual([]);
        }
        return r;
      },
      "fulfilment",
    ),
  );

const cancelRequest = fc
  .record({ requestIndex: fc.nat(), sender: fc.constantFrom(deployer, deployer, stranger) })
  .map(({ requestIndex, sender }) =>
    step(`cancel-request(r#${requestIndex})`, (m) => {
      const id = requestFor(m, requestIndex);
      const q = request(id);
      const requesterBefore = q ? stxOf(q.requester) : 0n;
      const r = call("grid-services", "cancel-request", [Cl.uint(id)], sender);
      expectOutcome(
        r,
        failing([
          [q !== undefined, 4009],
          [isAdmin(sender), 4000],
          [q?.status === "open", 4010],
        ]),
        "cancel-request",
      );
      if (okValue(r)) expect(stxOf(q!.requester) - requesterBefore).toBe(q!.paymentUstx);
      return r;
    }),
  );

type SplitKind = "valid" | "short" | "over-full" | "duplicate" | "zero" | "too-large" | "empty" | "self";
const splitArb = fc
  .record({
    holders: fc.shuffledSubarray(stakeholderPool, { minLength: 1, maxLength: 8 }),
    cuts: fc.array(fc.integer({ min: 1, max: 9_999 }), { minLength: 7, maxLength: 7 }),
    kind: fc.constantFrom<SplitKind>(
      "valid",
      "valid",
      "valid",
      "valid",
      "short",
      "over-full",
      "duplicate",
      "zero",
      "too-large",
      "empty",
      "self",
    ),
  })
  .map(({ holders, cuts, kind }) => {
    // Distinct cut points in (0, 10,000) give every holder a positive share summing to 10,000.
    const points = [...new Set(cuts)].sort((a, b) => a - b).slice(0, holders.length - 1);
    const bounds = [0, ...points, 10_000];
    let shares: Share[] = holders
      .slice(0, bounds.length - 1)
      .map((stakeholder, i) => ({ stakeholder, shareBps: BigInt(bounds[i + 1]! - bounds[i]!) }));
    const first = shares[0]!;
    if (kind === "short") {
      const big = shares.findIndex((s) => s.shareBps > 1n);
      shares = shares.map((s, i) => (i === big ? { ...s, shareBps: s.shareBps - 1n } : s));
    }
    if (kind === "over-full") shares = [{ ...first, shareBps: first.shareBps + 1n }, ...shares.slice(1)];
    if (kind === "duplicate") shares = [...shares, { ...first, shareBps: 1n }];
    if (kind === "zero")
      shares = [
        ...shares,
        { stakeholder: stakeholderPool.find((p) => !holders.includes(p)) ?? wallet(8), shareBps: 0n },
      ];
    if (kind === "too-large") shares = [{ ...first, shareBps: 10_001n }, ...shares.slice(1)];
    if (kind === "empty") shares = [];
    if (kind === "self") shares = [{ ...first, stakeholder: revenueSharing }, ...shares.slice(1)];
    return { kind, shares };
  });

/** Every rule of a split that `shares` breaks, as the error code the contract names it by. */
function splitErrors(shares: Share[]): bigint[] {
  const codes = new Set<bigint>();
  if (shares.length === 0) codes.add(5005n);
  if (shares.some((s) => s.shareBps === 0n || s.shareBps > FULL_BPS)) codes.add(5004n);
  if (shares.some((s) => s.stakeholder === revenueSharing)) codes.add(5010n);
  if (new Set(shares.map((s) => s.stakeholder)).size < shares.length) codes.add(5003n);
  const sum = shares.reduce((total, s) => total + s.shareBps, 0n);
  const cappedSum = shares.reduce((total, s) => total + (s.shareBps <= FULL_BPS ? s.shareBps : 0n), 0n);
  if (sum !== FULL_BPS || cappedSum !== FULL_BPS) codes.add(5002n);
  return [...codes];
}

const setShares = fc.record({ index: fc.nat(), role: roleArb, split: splitArb }).map(({ index, role, split }) =>
  step(
    `set-stakeholder-shares(#${index}, ${split.kind}: ${split.shares.map((s) => s.shareBps).join("/")}) by ${role}`,
    (m) => {
      const id = facilityFor(m, index);
      const f = facility(id);
      const sender = actor(role, f);
      const list = Cl.list(
        split.shares.map((s) =>
          Cl.tuple({ stakeholder: Cl.principal(s.stakeholder), "share-bps": Cl.uint(s.shareBps) }),
        ),
      );
      const r = call("revenue-sharing", "set-stakeholder-shares", [Cl.uint(id), list], sender);
      const broken = splitErrors(split.shares);
      const checks: Array<[boolean, bigint]> = [
        [f !== undefined, 5001n],
        [sender === f?.owner, 5000n],
        ...broken.map((code): [boolean, bigint] => [false, code]),
      ];
      expectOutcome(r, failing(checks), "set-stakeholder-shares");
      expect(broken.length === 0, `a "${split.kind}" split`).toBe(split.kind === "valid");
      if (okValue(r)) expect(currentShares(id)).toEqual(split.shares);
      return r;
    },
  ),
);

const deposit = fc
  .record({
    index: fc.nat(),
    sender: fc.constantFrom(...stakeholderPool),
    amountUstx: fc.oneof(
      { weight: 1, arbitrary: fc.constantFrom(0n, UNAFFORDABLE_USTX) },
      { weight: 9, arbitrary: fc.bigInt({ min: 1n, max: 1_000_000_000n }) },
    ),
  })
  .map(({ index, sender, amountUstx }) =>
    step(
      `deposit-revenue(#${index}, ${amountUstx} uSTX)`,
      (m) => {
        const id = facilityFor(m, index);
        const poolBefore = poolUstx(id);
        const r = call(
          "revenue-sharing",
          "deposit-revenue",
          [Cl.uint(id), Cl.uint(amountUstx), Cl.stringAscii("manual")],
          sender,
        );
        expectOutcome(
          r,
          failing([
            [facility(id) !== undefined, 5001],
            [amountUstx > 0n, 5006],
            [amountUstx < UNAFFORDABLE_USTX, ANY_ERROR],
          ]),
          "deposit-revenue",
        );
        if (okValue(r)) expect(poolUstx(id) - poolBefore).toBe(amountUstx);
        return r;
      },
      "deposit",
    ),
  );

/** pool x share / 10,000 rounded down, the remainder to the largest share (first on a tie). */
function expectedPayouts(poolBefore: bigint, shares: Share[]): bigint[] {
  const amounts = shares.map((s) => (poolBefore * s.shareBps) / FULL_BPS);
  const largest = shares.reduce((best, s, i) => (s.shareBps > shares[best]!.shareBps ? i : best), 0);
  amounts[largest]! += poolBefore - amounts.reduce((a, b) => a + b, 0n);
  return amounts;
}

const distribute = fc.record({ index: fc.nat(), role: roleArb }).map(({ index, role }) =>
  step(`distribute-revenue(#${index}) by ${role}`, (m) => {
    const id = facilityFor(m, index, funded);
    const f = facility(id);
    const sender = actor(role, f);
    const shares = currentShares(id);
    const poolBefore = poolUstx(id);
    const balancesBefore = allStx();
    const r = call("revenue-sharing", "distribute-revenue", [Cl.uint(id)], sender);
    expectOutcome(
      r,
      failing([
        [shares !== undefined, 5007],
        [isAuthorized(f, id, sender, m.operators) || isAdmin(sender), 5009],
        [poolBefore > 0n, 5008],
      ]),
      "distribute-revenue",
    );
    if (okValue(r)) {
      m.distributions += 1;
      const gains = shares!.map((s) => stxOf(s.stakeholder) - (balancesBefore.get(s.stakeholder) ?? 0n));
      expect(
        gains.reduce((a, b) => a + b, 0n),
        "a distribution pays out exactly the pool",
      ).toBe(poolBefore);
      expect(gains).toEqual(expectedPayouts(poolBefore, shares!));
      expect(poolUstx(id)).toBe(0n);
      expect(balancesBefore.get(revenueSharing)! - stxOf(revenueSharing)).toBe(poolBefore);
    }
    return r;
  }),
);

const mine = fc.integer({ min: 1, max: 6 }).map((blocks) =>
  step(`mine ${blocks} blocks`, () => {
    simnet.mineEmptyBlocks(blocks);
    return undefined;
  }),
);

const commands = [
  register,
  review,
  review,
  setOperator,
  initCapacity,
  initCapacity,
  updateCapacity,
  updateCapacity,
  recordFlow,
  recordFlow,
  createRequest,
  createRequest,
  acceptRequest,
  acceptRequest,
  acceptRequest,
  fulfilRequest,
  fulfilRequest,
  cancelRequest,
  setShares,
  setShares,
  deposit,
  distribute,
  distribute,
  mine,
];

function startModel(): Model {
  return {
    facilities: [],
    requests: [],
    operators: new Set(),
    startGridUstx: stxOf(gridServices),
    startRevenueUstx: stxOf(revenueSharing),
    startEscrowUstx: dataVar("grid-services", "escrowed-ustx"),
    fulfilments: 0,
    distributions: 0,
  };
}

/**
 * Every run starts with three approved facilities with stored energy and a
 * valid split, and one open request, so the random calls reach the money
 * paths; the random calls may register more, and may break or skip any step.
 */
function setUpRun(m: Model) {
  for (const [i, owner] of owners.entries()) {
    const registered = call(
      "facility-registry",
      "register-facility",
      [Cl.stringUtf8(`Battery ${i}`), Cl.stringUtf8("Site"), Cl.uint(4_000), Cl.uint(800)],
      owner,
    );
    const id = uintOf(okValue(registered)!);
    m.facilities.push(id);
    expect(okValue(call("facility-registry", "approve-facility", [Cl.uint(id)], deployer))).toBeDefined();
    expect(
      okValue(call("capacity-tracking", "initialize-capacity", [Cl.uint(id), Cl.uint(2_000)], owner)),
    ).toBeDefined();
    const split = Cl.list([
      Cl.tuple({ stakeholder: Cl.principal(owner), "share-bps": Cl.uint(6_667) }),
      Cl.tuple({ stakeholder: Cl.principal(wallet(7)), "share-bps": Cl.uint(3_333) }),
    ]);
    expect(okValue(call("revenue-sharing", "set-stakeholder-shares", [Cl.uint(id), split], owner))).toBeDefined();
  }
  const requestArgs = [
    Cl.stringAscii("frequency-regulation"),
    Cl.uint(500),
    Cl.uint(1_000),
    Cl.uint(1_000_000),
    Cl.uint(simnet.blockHeight + 100),
  ];
  m.requests.push(uintOf(okValue(call("grid-services", "create-service-request", requestArgs, deployer))!));
  checkRunInvariants(m);
}

describe("invariants over random call sequences", () => {
  it("keep capacity, escrow, pools, payouts and shares consistent", async () => {
    const seen = { fulfilments: 0, distributions: 0 };
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 80, size: "+1" }), async (cmds) => {
        // A fresh chain per run, so that a shrunk counterexample replays on the state it failed on.
        await simnet.initSession(process.cwd(), options.clarinet.manifestPath, null);
        const model = startModel();
        setUpRun(model);
        fc.modelRun(() => ({ model, real: {} }), cmds);
        checkWholeChain();
        seen.fulfilments += model.fulfilments;
        seen.distributions += model.distributions;
      }),
      { numRuns: 40, includeErrorInReport: true },
    );
    // The runs must reach the money paths, or the property proves little.
    expect(seen.fulfilments).toBeGreaterThan(0);
    expect(seen.distributions).toBeGreaterThan(0);
    console.log(`property runs reached ${seen.fulfilments} fulfilments and ${seen.distributions} distributions`);
    // About 10 s on an idle machine; coverage tracking makes every call about three times slower.
  }, 120_000);
});
