import { Cl, type ClarityValue } from "@stacks/transactions";
import { beforeEach, describe, expect, it } from "vitest";
import {
  callOk,
  contractPrincipal,
  createServiceRequest,
  deployer,
  errorCode,
  expectPrinted,
  initializeCapacity,
  mineUntilNextCallAt,
  nextCallHeight,
  printedTuples,
  readCapacity,
  readOnly,
  registerApprovedFacility,
  registerFacility,
  setOperator,
  stxBalance,
  uintOf,
  wallet1,
  wallet2,
  wallet3,
  wallet4,
  wallet5,
  wallet6,
  wallet7,
  wallet8,
} from "./helpers.js";

const ERR_NOT_ADMIN = errorCode("grid-services", "ERR_NOT_ADMIN");
const ERR_NOT_REPORTER = errorCode("grid-services", "ERR_NOT_REPORTER");
const ERR_INVALID_FREQUENCY = errorCode("grid-services", "ERR_INVALID_FREQUENCY");
const ERR_INVALID_DEADBAND = errorCode("grid-services", "ERR_INVALID_DEADBAND");
const ERR_INVALID_SERVICE_TYPE = errorCode("grid-services", "ERR_INVALID_SERVICE_TYPE");
const ERR_INVALID_POWER = errorCode("grid-services", "ERR_INVALID_POWER");
const ERR_INVALID_ENERGY = errorCode("grid-services", "ERR_INVALID_ENERGY");
const ERR_INVALID_PAYMENT = errorCode("grid-services", "ERR_INVALID_PAYMENT");
const ERR_INVALID_EXPIRY = errorCode("grid-services", "ERR_INVALID_EXPIRY");
const ERR_REQUEST_NOT_FOUND = errorCode("grid-services", "ERR_REQUEST_NOT_FOUND");
const ERR_REQUEST_NOT_OPEN = errorCode("grid-services", "ERR_REQUEST_NOT_OPEN");
const ERR_REQUEST_EXPIRED = errorCode("grid-services", "ERR_REQUEST_EXPIRED");
const ERR_NOT_AUTHORIZED = errorCode("grid-services", "ERR_NOT_AUTHORIZED");
const ERR_FACILITY_NOT_APPROVED = errorCode("grid-services", "ERR_FACILITY_NOT_APPROVED");
const ERR_INSUFFICIENT_CAPACITY = errorCode("grid-services", "ERR_INSUFFICIENT_CAPACITY");
const ERR_INSUFFICIENT_POWER = errorCode("grid-services", "ERR_INSUFFICIENT_POWER");
const ERR_REQUEST_NOT_ACCEPTED = errorCode("grid-services", "ERR_REQUEST_NOT_ACCEPTED");
const ERR_INVALID_PERFORMANCE = errorCode("grid-services", "ERR_INVALID_PERFORMANCE");
const ERR_INSUFFICIENT_FUNDS = errorCode("grid-services", "ERR_INSUFFICIENT_FUNDS");

const admin = deployer;
const owner = wallet1;
const operator = wallet2;
const otherOwner = wallet3;
const stranger = wallet4;
const secondAdmin = wallet5;
const oracle = wallet6;
const revokedOperator = wallet7;
const formerAdmin = wallet8;

const GRID = "grid-services";
const gridServices = contractPrincipal(GRID);

// Facility A: owner wallet_1, operator wallet_2, revoked operator wallet_7; 1,000 kWh total, 800 stored, 250 kW.
let facilityA: bigint;
// Facility B: owner wallet_3; used to prove that one owner cannot act for another's facility.
let facilityB: bigint;

const nonAdmins: [string, string][] = [
  ["a stranger", stranger],
  ["the facility owner", owner],
  ["the facility operator", operator],
  ["the owner of another facility", otherOwner],
  ["an operator whose delegation was revoked", revokedOperator],
  ["a removed admin", formerAdmin],
];

const notAuthorizedForA: [string, string][] = [
  ["a stranger", stranger],
  ["the owner of another facility", otherOwner],
  ["an operator whose delegation was revoked", revokedOperator],
  ["an admin who neither owns nor operates it", admin],
];

function call(method: string, args: ClarityValue[], sender: string) {
  return simnet.callPublicFn(GRID, method, args, sender);
}

function request(requestId: bigint): Record<string, ClarityValue> {
  const result = readOnly(GRID, "get-request", [Cl.uint(requestId)]);
  if (result.type !== "some" || result.value.type !== "tuple") throw new Error(`request ${requestId} not found`);
  return result.value.value;
}

function escrowedUstx(): bigint {
  return uintOf(readOnly(GRID, "get-escrowed-ustx", []));
}

function poolUstx(facilityId: bigint): bigint {
  return uintOf(readOnly("revenue-sharing", "get-pool-balance", [Cl.uint(facilityId)]));
}

function frequencyStatus(): ClarityValue {
  return readOnly(GRID, "get-frequency-status", []);
}

function frequencyStatusFields(): Record<string, ClarityValue> {
  const status = frequencyStatus();
  if (status.type !== "tuple") throw new Error("get-frequency-status returned no tuple");
  return status.value;
}

function accept(requestId: bigint, facilityId: bigint, sender: string) {
  return call("accept-request", [Cl.uint(requestId), Cl.uint(facilityId)], sender);
}

function enableOracle(): void {
  callOk(GRID, "set-oracle", [Cl.principal(oracle), Cl.bool(true)], admin);
}

// The SDK restarts the simnet before every test, so every test starts from this set-up.
beforeEach(() => {
  facilityA = registerApprovedFacility(owner, { capacityKwh: 1_000, maxPowerKw: 250 });
  initializeCapacity(facilityA, 800, owner);
  setOperator(facilityA, owner, operator);
  setOperator(facilityA, owner, revokedOperator);
  setOperator(facilityA, owner, revokedOperator, false);
  facilityB = registerApprovedFacility(otherOwner, { capacityKwh: 1_000, maxPowerKw: 250 });
  initializeCapacity(facilityB, 800, otherOwner);
  callOk("facility-registry", "add-admin", [Cl.principal(secondAdmin)], admin);
  callOk("facility-registry", "add-admin", [Cl.principal(formerAdmin)], admin);
  callOk("facility-registry", "remove-admin", [Cl.principal(formerAdmin)], admin);
});

describe("frequency monitoring", () => {
  it("starts at 50 Hz ± 200 mHz with no reading and no deviation", () => {
    expect(frequencyStatus()).toBeTuple({
      "target-mhz": Cl.uint(50_000),
      "deadband-mhz": Cl.uint(200),
      "last-reading-mhz": Cl.uint(0),
      "last-reading-at": Cl.uint(0),
      deviating: Cl.bool(false),
    });
  });

  it("set-frequency-target: an admin sets target and deadband, read back and printed", () => {
    const { result, events } = call("set-frequency-target", [Cl.uint(60_000), Cl.uint(150)], admin);
    expect(result).toBeOk(Cl.bool(true));
    expectPrinted(events, "frequency-target-set", {
      "target-mhz": Cl.uint(60_000),
      "deadband-mhz": Cl.uint(150),
      by: Cl.principal(admin),
    });
    expect(frequencyStatus()).toBeTuple({
      "target-mhz": Cl.uint(60_000),
      "deadband-mhz": Cl.uint(150),
      "last-reading-mhz": Cl.uint(0),
      "last-reading-at": Cl.uint(0),
      deviating: Cl.bool(false),
    });
  });

  it("set-frequency-target: a second admin may set it too, with a zero deadband or one just below the target", () => {
    expect(call("set-frequency-target", [Cl.uint(50_000), Cl.uint(0)], secondAdmin).result).toBeOk(Cl.bool(true));
    expect(call("set-frequency-target", [Cl.uint(50_000), Cl.uint(49_999)], secondAdmin).result).toBeOk(Cl.bool(true));
    expect(call("set-frequency-target", [Cl.uint(50_000), Cl.uint(200)], admin).result).toBeOk(Cl.bool(true));
  });

  it.each(nonAdmins)("set-frequency-target: ERR_NOT_ADMIN for %s", (_who, sender) => {
    expect(call("set-frequency-target", [Cl.uint(49_000), Cl.uint(100)], sender).result).toBeErr(
      Cl.uint(ERR_NOT_ADMIN),
    );
    expect(frequencyStatusFields()).toMatchObject({ "target-mhz": Cl.uint(50_000) });
  });

  it("set-frequency-target: ERR_INVALID_FREQUENCY for a zero target", () => {
    expect(call("set-frequency-target", [Cl.uint(0), Cl.uint(0)], admin).result).toBeErr(
      Cl.uint(ERR_INVALID_FREQUENCY),
    );
  });

  it("set-frequency-target: ERR_INVALID_DEADBAND for a deadband equal to or above the target", () => {
    expect(call("set-frequency-target", [Cl.uint(50_000), Cl.uint(50_000)], admin).result).toBeErr(
      Cl.uint(ERR_INVALID_DEADBAND),
    );
    expect(call("set-frequency-target", [Cl.uint(50_000), Cl.uint(50_001)], admin).result).toBeErr(
      Cl.uint(ERR_INVALID_DEADBAND),
    );
    expect(frequencyStatusFields()).toMatchObject({ "target-mhz": Cl.uint(50_000), "deadband-mhz": Cl.uint(200) });
  });

  it("set-oracle: an admin enables an oracle, printed and readable", () => {
    expect(readOnly(GRID, "is-oracle", [Cl.principal(oracle)])).toBeBool(false);
    const { result, events } = call("set-oracle", [Cl.principal(oracle), Cl.bool(true)], admin);
    expect(result).toBeOk(Cl.bool(true));
    expectPrinted(events, "oracle-set", { oracle: Cl.principal(oracle), enabled: Cl.bool(true) });
    expect(readOnly(GRID, "is-oracle", [Cl.principal(oracle)])).toBeBool(true);
  });

  it.each(nonAdmins)("set-oracle: ERR_NOT_ADMIN for %s", (_who, sender) => {
    expect(call("set-oracle", [Cl.principal(sender), Cl.bool(true)], sender).result).toBeErr(Cl.uint(ERR_NOT_ADMIN));
    expect(readOnly(GRID, "is-oracle", [Cl.principal(sender)])).toBeBool(false);
  });

  it("report-frequency: an admin and an oracle may report; the reading and its height are read back", () => {
    enableOracle();
    const height = nextCallHeight();
    const { result, events } = call("report-frequency", [Cl.uint(50_010)], admin);
    expect(result).toBeOk(Cl.bool(false));
    expectPrinted(events, "frequency-reported", {
      "frequency-mhz": Cl.uint(50_010),
      "target-mhz": Cl.uint(50_000),
      "deadband-mhz": Cl.uint(200),
      "deviation-mhz": Cl.uint(10),
      deviating: Cl.bool(false),
      reporter: Cl.principal(admin),
    });
    expect(frequencyStatus()).toBeTuple({
      "target-mhz": Cl.uint(50_000),
      "deadband-mhz": Cl.uint(200),
      "last-reading-mhz": Cl.uint(50_010),
      "last-reading-at": Cl.uint(height),
      deviating: Cl.bool(false),
    });
    const oracleCall = call("report-frequency", [Cl.uint(49_990)], oracle);
    expect(oracleCall.result).toBeOk(Cl.bool(false));
    expectPrinted(oracleCall.events, "frequency-reported", { reporter: Cl.principal(oracle) });
  });

  // target 50,000 mHz, deadband 200 mHz: the band is [49,800, 50,200], its edges included.
  it.each([
    [49_799, true, 201],
    [49_800, false, 200],
    [49_801, false, 199],
    [50_000, false, 0],
    [50_199, false, 199],
    [50_200, false, 200],
    [50_201, true, 201],
    [1, true, 49_999],
    [90_000, true, 40_000],
  ])("report-frequency: %i mHz deviates = %s (deviation %i mHz)", (frequencyMhz, deviating, deviationMhz) => {
    enableOracle();
    const { result, events } = call("report-frequency", [Cl.uint(frequencyMhz)], oracle);
    expect(result).toBeOk(Cl.bool(deviating));
    expectPrinted(events, deviating ? "frequency-deviation" : "frequency-reported", {
      "frequency-mhz": Cl.uint(frequencyMhz),
      "deviation-mhz": Cl.uint(deviationMhz),
      deviating: Cl.bool(deviating),
    });
    expect(readOnly(GRID, "deviates", [Cl.uint(frequencyMhz)])).toBeBool(deviating);
    expect(frequencyStatusFields()).toMatchObject({
      "last-reading-mhz": Cl.uint(frequencyMhz),
      deviating: Cl.bool(deviating),
    });
  });

  it("report-frequency: with a zero deadband only the exact target is inside the band", () => {
    enableOracle();
    callOk(GRID, "set-frequency-target", [Cl.uint(50_000), Cl.uint(0)], admin);
    expect(call("report-frequency", [Cl.uint(50_000)], oracle).result).toBeOk(Cl.bool(false));
    expect(call("report-frequency", [Cl.uint(49_999)], oracle).result).toBeOk(Cl.bool(true));
    const above = call("report-frequency", [Cl.uint(50_001)], oracle);
    expect(above.result).toBeOk(Cl.bool(true));
    expectPrinted(above.events, "frequency-deviation", { "deviation-mhz": Cl.uint(1) });
    callOk(GRID, "set-frequency-target", [Cl.uint(50_000), Cl.uint(200)], admin);
    // The status re-judges the last reading against the current band.
    expect(frequencyStatusFields()).toMatchObject({ "last-reading-mhz": Cl.uint(50_001), deviating: Cl.bool(false) });
  });

  it("report-frequency: ERR_INVALID_FREQUENCY for a zero reading, which leaves the last reading alone", () => {
    enableOracle();
    callOk(GRID, "report-frequency", [Cl.uint(50_001)], oracle);
    expect(call("report-frequency", [Cl.uint(0)], oracle).result).toBeErr(Cl.uint(ERR_INVALID_FREQUENCY));
    expect(frequencyStatusFields()).toMatchObject({ "last-reading-mhz": Cl.uint(50_001) });
  });

  it.each([
    ["a stranger", stranger],
    ["a facility owner", owner],
    ["a facility operator", operator],
    ["a removed admin", formerAdmin],
  ])("report-frequency: ERR_NOT_REPORTER for %s", (_who, sender) => {
    callOk(GRID, "report-frequency", [Cl.uint(50_001)], admin);
    expect(call("report-frequency", [Cl.uint(48_000)], sender).result).toBeErr(Cl.uint(ERR_NOT_REPORTER));
    expect(frequencyStatusFields()).toMatchObject({ "last-reading-mhz": Cl.uint(50_001) });
  });

  it("set-oracle: disabling an oracle is printed and ends its reporting with ERR_NOT_REPORTER", () => {
    enableOracle();
    expect(call("report-frequency", [Cl.uint(50_000)], oracle).result).toBeOk(Cl.bool(false));
    const { result, events } = call("set-oracle", [Cl.principal(oracle), Cl.bool(false)], secondAdmin);
    expect(result).toBeOk(Cl.bool(true));
    expectPrinted(events, "oracle-set", { oracle: Cl.principal(oracle), enabled: Cl.bool(false) });
    expect(readOnly(GRID, "is-oracle", [Cl.principal(oracle)])).toBeBool(false);
    expect(call("report-frequency", [Cl.uint(50_000)], oracle).result).toBeErr(Cl.uint(ERR_NOT_REPORTER));
  });
});

describe("create-service-request", () => {
  it("escrows the payment and records an open request, read back and printed", () => {
    const lastId = uintOf(readOnly(GRID, "get-last-request-id", []));
    const height = nextCallHeight();
    const expiresAt = height + 50n;
    const adminBefore = stxBalance(admin);
    const contractBefore = stxBalance(gridServices);
    const escrowBefore = escrowedUstx();
    const { result, events } = call(
      "create-service-request",
      [Cl.stringAscii("frequency-regulation"), Cl.uint(120), Cl.uint(300), Cl.uint(7_919), Cl.uint(expiresAt)],
      admin,
    );
    const requestId = lastId + 1n;
    expect(result).toBeOk(Cl.uint(requestId));
    expect(readOnly(GRID, "get-last-request-id", [])).toBeUint(requestId);
    expect(readOnly(GRID, "get-request", [Cl.uint(requestId)])).toBeSome(
      Cl.tuple({
        "service-type": Cl.stringAscii("frequency-regulation"),
        "power-kw": Cl.uint(120),
        "energy-kwh": Cl.uint(300),
        payment: Cl.uint(7_919),
        requester: Cl.principal(admin),
        "expires-at": Cl.uint(expiresAt),
        status: Cl.stringAscii("open"),
        "facility-id": Cl.none(),
        "performance-bps": Cl.none(),
        payout: Cl.uint(0),
        refund: Cl.uint(0),
        "created-at": Cl.uint(height),
        "updated-at": Cl.uint(height),
      }),
    );
    expectPrinted(events, "service-requested", {
      "request-id": Cl.uint(requestId),
      "service-type": Cl.stringAscii("frequency-regulation"),
      "power-kw": Cl.uint(120),
      "energy-kwh": Cl.uint(300),
      payment: Cl.uint(7_919),
      requester: Cl.principal(admin),
      "expires-at": Cl.uint(expiresAt),
    });
    expect(stxBalance(admin)).toBe(adminBefore - 7_919n);
    expect(stxBalance(gridServices)).toBe(contractBefore + 7_919n);
    expect(escrowedUstx()).toBe(escrowBefore + 7_919n);
  });

  it("accepts an expiry one block after the call's height", () => {
    const height = nextCallHeight();
    const { result } = call(
      "create-service-request",
      [Cl.stringAscii("p"), Cl.uint(1), Cl.uint(1), Cl.uint(1), Cl.uint(height + 1n)],
      secondAdmin,
    );
    const requestId = uintOf(readOnly(GRID, "get-last-request-id", []));
    expect(result).toBeOk(Cl.uint(requestId));
    expect(request(requestId)["requester"]).toStrictEqual(Cl.principal(secondAdmin));
  });

  const valid = {
    serviceType: "peak-shaving",
    powerKw: 10n,
    energyKwh: 10n,
    paymentUstx: 1_000n,
  };
  function attempt(overrides: Partial<typeof valid> & { expiresAt?: bigint }, sender = admin) {
    const args = { ...valid, ...overrides };
    return call(
      "create-service-request",
      [
        Cl.stringAscii(args.serviceType),
        Cl.uint(args.powerKw),
        Cl.uint(args.energyKwh),
        Cl.uint(args.paymentUstx),
        Cl.uint(overrides.expiresAt ?? nextCallHeight() + 10n),
      ],
      sender,
    ).result;
  }

  it.each(nonAdmins)("ERR_NOT_ADMIN for %s, and nothing is escrowed", (_who, sender) => {
    const lastId = uintOf(readOnly(GRID, "get-last-request-id", []));
    const senderBefore = stxBalance(sender);
    expect(attempt({}, sender)).toBeErr(Cl.uint(ERR_NOT_ADMIN));
    expect(stxBalance(sender)).toBe(senderBefore);
    expect(readOnly(GRID, "get-last-request-id", [])).toBeUint(lastId);
  });

  it("ERR_INVALID_SERVICE_TYPE for an empty service type", () => {
    expect(attempt({ serviceType: "" })).toBeErr(Cl.uint(ERR_INVALID_SERVICE_TYPE));
  });

  it("ERR_INVALID_POWER for zero power", () => {
    expect(attempt({ powerKw: 0n })).toBeErr(Cl.uint(ERR_INVALID_POWER));
  });

  it("ERR_INVALID_ENERGY for zero energy", () => {
    expect(attempt({ energyKwh: 0n })).toBeErr(Cl.uint(ERR_INVALID_ENERGY));
  });

  it("ERR_INVALID_PAYMENT for a zero payment", () => {
    expect(attempt({ paymentUstx: 0n })).toBeErr(Cl.uint(ERR_INVALID_PAYMENT));
  });

  it("ERR_INVALID_EXPIRY for an expiry at or before the call's height", () => {
    expect(attempt({ expiresAt: nextCallHeight() })).toBeErr(Cl.uint(ERR_INVALID_EXPIRY));
    expect(attempt({ expiresAt: nextCallHeight() - 1n })).toBeErr(Cl.uint(ERR_INVALID_EXPIRY));
    expect(attempt({ expiresAt: 0n })).toBeErr(Cl.uint(ERR_INVALID_EXPIRY));
  });

  it("ERR_INSUFFICIENT_FUNDS when the admin cannot pay, and nothing moves", () => {
    const balance = stxBalance(secondAdmin);
    const escrowBefore = escrowedUstx();
    expect(attempt({ paymentUstx: balance + 1n }, secondAdmin)).toBeErr(Cl.uint(ERR_INSUFFICIENT_FUNDS));
    expect(stxBalance(secondAdmin)).toBe(balance);
    expect(escrowedUstx()).toBe(escrowBefore);
  });
});

describe("accept-request", () => {
  it("the owner accepts an open request: status, facility and reservation read back and printed", () => {
    const requestId = createServiceRequest({ powerKw: 200, energyKwh: 300 });
    const before = readCapacity(facilityA);
    const height = nextCallHeight();
    const { result, events } = accept(requestId, facilityA, owner);
    expect(result).toBeOk(Cl.bool(true));
    const stored = request(requestId);
    expect(stored["status"]).toStrictEqual(Cl.stringAscii("accepted"));
    expect(stored["facility-id"]).toStrictEqual(Cl.some(Cl.uint(facilityA)));
    expect(stored["updated-at"]).toStrictEqual(Cl.uint(height));
    expectPrinted(events, "service-accepted", {
      "request-id": Cl.uint(requestId),
      "facility-id": Cl.uint(facilityA),
      "energy-kwh": Cl.uint(300),
      "power-kw": Cl.uint(200),
      "accepted-by": Cl.principal(owner),
    });
    expectPrinted(events, "capacity-updated", {
      "facility-id": Cl.uint(facilityA),
      reason: Cl.stringAscii("reserved"),
    });
    expect(readCapacity(facilityA)).toEqual({
      ...before,
      reservedKwh: before.reservedKwh + 300n,
      availableKwh: before.availableKwh - 300n,
    });
    // Release the reservation so the next tests start from the same capacity.
    callOk(GRID, "fulfill-request", [Cl.uint(requestId), Cl.uint(10_000)], admin);
    expect(readCapacity(facilityA)).toEqual(before);
  });

  it("an enabled operator accepts for the facility", () => {
    const requestId = createServiceRequest({ energyKwh: 10 });
    const { result, events } = accept(requestId, facilityA, operator);
    expect(result).toBeOk(Cl.bool(true));
    expectPrinted(events, "service-accepted", { "accepted-by": Cl.principal(operator) });
    expect(readCapacity(facilityA).reservedKwh).toBe(10n);
  });

  it.each(notAuthorizedForA)("ERR_NOT_AUTHORIZED for %s, and nothing is reserved", (_who, sender) => {
    const requestId = createServiceRequest({ energyKwh: 10 });
    const before = readCapacity(facilityA);
    expect(accept(requestId, facilityA, sender).result).toBeErr(Cl.uint(ERR_NOT_AUTHORIZED));
    expect(request(requestId)["status"]).toStrictEqual(Cl.stringAscii("open"));
    expect(readCapacity(facilityA)).toEqual(before);
  });

  it("ERR_REQUEST_NOT_FOUND for an unknown request", () => {
    expect(accept(999n, facilityA, owner).result).toBeErr(Cl.uint(ERR_REQUEST_NOT_FOUND));
  });

  it("ERR_FACILITY_NOT_APPROVED for a pending, a rejected and a suspended facility; nobody is authorised for an unknown one", () => {
    const requestId = createServiceRequest({ energyKwh: 10 });
    expect(accept(requestId, 999n, owner).result).toBeErr(Cl.uint(ERR_NOT_AUTHORIZED));

    const pending = registerFacility(owner);
    expect(accept(requestId, pending, owner).result).toBeErr(Cl.uint(ERR_FACILITY_NOT_APPROVED));

    const rejected = registerFacility(owner);
    callOk("facility-registry", "reject-facility", [Cl.uint(rejected), Cl.stringAscii("no grid connection")], admin);
    expect(accept(requestId, rejected, owner).result).toBeErr(Cl.uint(ERR_FACILITY_NOT_APPROVED));

    const suspended = registerApprovedFacility(owner);
    initializeCapacity(suspended, 500, owner);
    callOk("facility-registry", "suspend-facility", [Cl.uint(suspended)], admin);
    expect(accept(requestId, suspended, owner).result).toBeErr(Cl.uint(ERR_FACILITY_NOT_APPROVED));
    expect(readCapacity(suspended).reservedKwh).toBe(0n);

    // Reinstated, the same facility may accept again.
    callOk("facility-registry", "reinstate-facility", [Cl.uint(suspended)], admin);
    expect(accept(requestId, suspended, owner).result).toBeOk(Cl.bool(true));
    expect(readCapacity(suspended).reservedKwh).toBe(10n);
  });

  it("ERR_INSUFFICIENT_POWER above the facility's max power; exactly max power is accepted", () => {
    const tooStrong = createServiceRequest({ powerKw: 251, energyKwh: 10 });
    expect(accept(tooStrong, facilityA, owner).result).toBeErr(Cl.uint(ERR_INSUFFICIENT_POWER));
    const exact = createServiceRequest({ powerKw: 250, energyKwh: 10 });
    expect(accept(exact, facilityA, owner).result).toBeOk(Cl.bool(true));
    callOk(GRID, "fulfill-request", [Cl.uint(exact), Cl.uint(0)], admin);
  });

  it("ERR_INSUFFICIENT_CAPACITY above the available energy; exactly the available energy is accepted", () => {
    const facility = registerApprovedFacility(otherOwner, { capacityKwh: 100, maxPowerKw: 50 });
    initializeCapacity(facility, 60, otherOwner);
    const tooLarge = createServiceRequest({ powerKw: 50, energyKwh: 61 });
    expect(accept(tooLarge, facility, otherOwner).result).toBeErr(Cl.uint(ERR_INSUFFICIENT_CAPACITY));

    const exact = createServiceRequest({ powerKw: 50, energyKwh: 60 });
    expect(accept(exact, facility, otherOwner).result).toBeOk(Cl.bool(true));
    expect(readCapacity(facility)).toMatchObject({ storedKwh: 60n, reservedKwh: 60n, availableKwh: 0n });

    // What is reserved is no longer available to another request.
    const oneMore = createServiceRequest({ powerKw: 1, energyKwh: 1 });
    expect(accept(oneMore, facility, otherOwner).result).toBeErr(Cl.uint(ERR_INSUFFICIENT_CAPACITY));
  });

  it("ERR_INSUFFICIENT_CAPACITY for an approved facility whose capacity was never initialised", () => {
    const facility = registerApprovedFacility(owner);
    const requestId = createServiceRequest({ energyKwh: 1 });
    expect(accept(requestId, facility, owner).result).toBeErr(Cl.uint(ERR_INSUFFICIENT_CAPACITY));
  });

  it("ERR_REQUEST_NOT_OPEN for an accepted, a fulfilled and a cancelled request", () => {
    const accepted = createServiceRequest({ energyKwh: 10 });
    callOk(GRID, "accept-request", [Cl.uint(accepted), Cl.uint(facilityA)], owner);
    expect(accept(accepted, facilityA, owner).result).toBeErr(Cl.uint(ERR_REQUEST_NOT_OPEN));
    expect(accept(accepted, facilityB, otherOwner).result).toBeErr(Cl.uint(ERR_REQUEST_NOT_OPEN));

    callOk(GRID, "fulfill-request", [Cl.uint(accepted), Cl.uint(5_000)], admin);
    expect(accept(accepted, facilityA, owner).result).toBeErr(Cl.uint(ERR_REQUEST_NOT_OPEN));

    const cancelled = createServiceRequest({ energyKwh: 10 });
    callOk(GRID, "cancel-request", [Cl.uint(cancelled)], admin);
    expect(accept(cancelled, facilityA, owner).result).toBeErr(Cl.uint(ERR_REQUEST_NOT_OPEN));
  });

  it("ERR_REQUEST_EXPIRED from the expiry height on; one block before it is still accepted", () => {
    const expiresAt = nextCallHeight() + 10n;
    const early = uintOf(
      callOk(
        GRID,
        "create-service-request",
        [Cl.stringAscii("reserve"), Cl.uint(10), Cl.uint(10), Cl.uint(500), Cl.uint(expiresAt)],
        admin,
      ).value,
    );
    const late = uintOf(
      callOk(
        GRID,
        "create-service-request",
        [Cl.stringAscii("reserve"), Cl.uint(10), Cl.uint(10), Cl.uint(500), Cl.uint(expiresAt)],
        admin,
      ).value,
    );
    mineUntilNextCallAt(expiresAt - 1n);
    expect(accept(early, facilityA, owner).result).toBeOk(Cl.bool(true));
    expect(nextCallHeight()).toBe(expiresAt);
    expect(accept(late, facilityA, operator).result).toBeErr(Cl.uint(ERR_REQUEST_EXPIRED));
    simnet.mineEmptyBlocks(20);
    expect(accept(late, facilityA, owner).result).toBeErr(Cl.uint(ERR_REQUEST_EXPIRED));
    expect(request(late)["status"]).toStrictEqual(Cl.stringAscii("open"));
    callOk(GRID, "fulfill-request", [Cl.uint(early), Cl.uint(10_000)], admin);
    callOk(GRID, "cancel-request", [Cl.uint(late)], admin);
  });
});

describe("fulfill-request", () => {
  // 12,345 micro-STX: every performance below 100 % leaves a remainder.
  const paymentUstx = 12_345n;

  it.each([
    [0, 0, 12_345],
    [1, 1, 12_344],
    [5_000, 6_172, 6_173],
    [9_999, 12_343, 2],
    [10_000, 12_345, 0],
  ])("performance %i bps pays %i uSTX into the pool and refunds %i uSTX", (performance, payout, refund) => {
    const [performanceBps, payoutUstx, refundUstx] = [BigInt(performance), BigInt(payout), BigInt(refund)];
    const requestId = createServiceRequest({ energyKwh: 40, paymentUstx });
    callOk(GRID, "accept-request", [Cl.uint(requestId), Cl.uint(facilityA)], operator);
    const capacityBefore = readCapacity(facilityA);
    const poolBefore = poolUstx(facilityA);
    const escrowBefore = escrowedUstx();
    const height = nextCallHeight();

    const { result, events } = call("fulfill-request", [Cl.uint(requestId), Cl.uint(performanceBps)], admin);
    expect(result).toBeOk(Cl.uint(payoutUstx));
    expectPrinted(events, "service-fulfilled", {
      "request-id": Cl.uint(requestId),
      "facility-id": Cl.uint(facilityA),
      "performance-bps": Cl.uint(performanceBps),
      payment: Cl.uint(paymentUstx),
      payout: Cl.uint(payoutUstx),
      refund: Cl.uint(refundUstx),
      requester: Cl.principal(admin),
    });
    const stored = request(requestId);
    expect(stored["status"]).toStrictEqual(Cl.stringAscii("fulfilled"));
    expect(stored["performance-bps"]).toStrictEqual(Cl.some(Cl.uint(performanceBps)));
    expect(stored["payout"]).toStrictEqual(Cl.uint(payoutUstx));
    expect(stored["refund"]).toStrictEqual(Cl.uint(refundUstx));
    expect(stored["updated-at"]).toStrictEqual(Cl.uint(height));
    expect(readCapacity(facilityA)).toEqual({
      ...capacityBefore,
      reservedKwh: capacityBefore.reservedKwh - 40n,
      availableKwh: capacityBefore.availableKwh + 40n,
    });
    expect(poolUstx(facilityA)).toBe(poolBefore + payoutUstx);
    expect(escrowedUstx()).toBe(escrowBefore - paymentUstx);
    if (payoutUstx > 0n) {
      expectPrinted(events, "revenue-deposited", {
        "facility-id": Cl.uint(facilityA),
        amount: Cl.uint(payoutUstx),
        source: Cl.stringAscii(`grid-request:${requestId}`),
        depositor: Cl.principal(gridServices),
      });
    } else {
      const topics = printedTuples(events).map((tuple) => tuple.value["topic"]);
      expect(topics).not.toContainEqual(Cl.stringAscii("revenue-deposited"));
    }
  });

  it("a second admin may fulfil", () => {
    const requestId = createServiceRequest({ energyKwh: 5, requester: secondAdmin });
    callOk(GRID, "accept-request", [Cl.uint(requestId), Cl.uint(facilityA)], owner);
    expect(call("fulfill-request", [Cl.uint(requestId), Cl.uint(10_000)], secondAdmin).result).toBeOk(
      Cl.uint(1_000_000),
    );
  });

  it("ERR_INVALID_PERFORMANCE above 10,000 bps, leaving the request accepted", () => {
    const requestId = createServiceRequest({ energyKwh: 5 });
    callOk(GRID, "accept-request", [Cl.uint(requestId), Cl.uint(facilityA)], owner);
    expect(call("fulfill-request", [Cl.uint(requestId), Cl.uint(10_001)], admin).result).toBeErr(
      Cl.uint(ERR_INVALID_PERFORMANCE),
    );
    expect(call("fulfill-request", [Cl.uint(requestId), Cl.uint(1_000_000)], admin).result).toBeErr(
      Cl.uint(ERR_INVALID_PERFORMANCE),
    );
    expect(request(requestId)["status"]).toStrictEqual(Cl.stringAscii("accepted"));
    callOk(GRID, "fulfill-request", [Cl.uint(requestId), Cl.uint(0)], admin);
  });

  it.each(nonAdmins)("ERR_NOT_ADMIN for %s on an accepted request", (_who, sender) => {
    const requestId = createServiceRequest({ energyKwh: 5 });
    callOk(GRID, "accept-request", [Cl.uint(requestId), Cl.uint(facilityA)], owner);
    const escrowBefore = escrowedUstx();
    expect(call("fulfill-request", [Cl.uint(requestId), Cl.uint(10_000)], sender).result).toBeErr(
      Cl.uint(ERR_NOT_ADMIN),
    );
    expect(request(requestId)["status"]).toStrictEqual(Cl.stringAscii("accepted"));
    expect(escrowedUstx()).toBe(escrowBefore);
    callOk(GRID, "fulfill-request", [Cl.uint(requestId), Cl.uint(0)], admin);
  });

  it("ERR_REQUEST_NOT_FOUND for an unknown request", () => {
    expect(call("fulfill-request", [Cl.uint(999), Cl.uint(10_000)], admin).result).toBeErr(
      Cl.uint(ERR_REQUEST_NOT_FOUND),
    );
  });

  it("ERR_REQUEST_NOT_ACCEPTED for an open, a cancelled and an already fulfilled request", () => {
    const open = createServiceRequest({ energyKwh: 5 });
    expect(call("fulfill-request", [Cl.uint(open), Cl.uint(10_000)], admin).result).toBeErr(
      Cl.uint(ERR_REQUEST_NOT_ACCEPTED),
    );
    callOk(GRID, "cancel-request", [Cl.uint(open)], admin);
    expect(call("fulfill-request", [Cl.uint(open), Cl.uint(10_000)], admin).result).toBeErr(
      Cl.uint(ERR_REQUEST_NOT_ACCEPTED),
    );

    const fulfilled = createServiceRequest({ energyKwh: 5 });
    callOk(GRID, "accept-request", [Cl.uint(fulfilled), Cl.uint(facilityA)], owner);
    callOk(GRID, "fulfill-request", [Cl.uint(fulfilled), Cl.uint(7_000)], admin);
    const poolBefore = poolUstx(facilityA);
    expect(call("fulfill-request", [Cl.uint(fulfilled), Cl.uint(10_000)], admin).result).toBeErr(
      Cl.uint(ERR_REQUEST_NOT_ACCEPTED),
    );
    expect(poolUstx(facilityA)).toBe(poolBefore);
    expect(request(fulfilled)["performance-bps"]).toStrictEqual(Cl.some(Cl.uint(7_000)));
  });

  it("fulfils an accepted request after its expiry height", () => {
    const expiresAt = nextCallHeight() + 3n;
    const requestId = uintOf(
      callOk(
        GRID,
        "create-service-request",
        [Cl.stringAscii("reserve"), Cl.uint(10), Cl.uint(10), Cl.uint(300), Cl.uint(expiresAt)],
        admin,
      ).value,
    );
    callOk(GRID, "accept-request", [Cl.uint(requestId), Cl.uint(facilityA)], owner);
    simnet.mineEmptyBlocks(10);
    expect(call("fulfill-request", [Cl.uint(requestId), Cl.uint(10_000)], admin).result).toBeOk(Cl.uint(300));
  });
});

describe("cancel-request", () => {
  it("cancels an open request with a full refund, read back and printed", () => {
    const requestId = createServiceRequest({ paymentUstx: 4_243, requester: secondAdmin });
    const requesterBefore = stxBalance(secondAdmin);
    const escrowBefore = escrowedUstx();
    const height = nextCallHeight();
    const { result, events } = call("cancel-request", [Cl.uint(requestId)], admin);
    expect(result).toBeOk(Cl.bool(true));
    expectPrinted(events, "service-cancelled", {
      "request-id": Cl.uint(requestId),
      refund: Cl.uint(4_243),
      requester: Cl.principal(secondAdmin),
      expired: Cl.bool(false),
    });
    const stored = request(requestId);
    expect(stored["status"]).toStrictEqual(Cl.stringAscii("cancelled"));
    expect(stored["refund"]).toStrictEqual(Cl.uint(4_243));
    expect(stored["payout"]).toStrictEqual(Cl.uint(0));
    expect(stored["updated-at"]).toStrictEqual(Cl.uint(height));
    expect(stxBalance(secondAdmin)).toBe(requesterBefore + 4_243n);
    expect(escrowedUstx()).toBe(escrowBefore - 4_243n);
  });

  it("cancels an expired request that was never accepted, printed as expired", () => {
    const expiresAt = nextCallHeight() + 2n;
    const requestId = uintOf(
      callOk(
        GRID,
        "create-service-request",
        [Cl.stringAscii("reserve"), Cl.uint(10), Cl.uint(10), Cl.uint(999), Cl.uint(expiresAt)],
        admin,
      ).value,
    );
    simnet.mineEmptyBlocks(5);
    const { result, events } = call("cancel-request", [Cl.uint(requestId)], secondAdmin);
    expect(result).toBeOk(Cl.bool(true));
    expectPrinted(events, "service-cancelled", {
      "request-id": Cl.uint(requestId),
      refund: Cl.uint(999),
      expired: Cl.bool(true),
    });
    expect(request(requestId)["status"]).toStrictEqual(Cl.stringAscii("cancelled"));
  });

  it("ERR_REQUEST_NOT_OPEN for an accepted, a fulfilled and a cancelled request", () => {
    const requestId = createServiceRequest({ energyKwh: 5 });
    callOk(GRID, "accept-request", [Cl.uint(requestId), Cl.uint(facilityA)], owner);
    const escrowBefore = escrowedUstx();
    expect(call("cancel-request", [Cl.uint(requestId)], admin).result).toBeErr(Cl.uint(ERR_REQUEST_NOT_OPEN));
    expect(escrowedUstx()).toBe(escrowBefore);
    callOk(GRID, "fulfill-request", [Cl.uint(requestId), Cl.uint(10_000)], admin);
    expect(call("cancel-request", [Cl.uint(requestId)], admin).result).toBeErr(Cl.uint(ERR_REQUEST_NOT_OPEN));

    const cancelled = createServiceRequest();
    callOk(GRID, "cancel-request", [Cl.uint(cancelled)], admin);
    const adminBefore = stxBalance(admin);
    expect(call("cancel-request", [Cl.uint(cancelled)], admin).result).toBeErr(Cl.uint(ERR_REQUEST_NOT_OPEN));
    expect(stxBalance(admin)).toBe(adminBefore);
  });

  it("ERR_REQUEST_NOT_FOUND for an unknown request", () => {
    expect(call("cancel-request", [Cl.uint(999)], admin).result).toBeErr(Cl.uint(ERR_REQUEST_NOT_FOUND));
  });

  it.each(nonAdmins)("ERR_NOT_ADMIN for %s", (_who, sender) => {
    const requestId = createServiceRequest();
    expect(call("cancel-request", [Cl.uint(requestId)], sender).result).toBeErr(Cl.uint(ERR_NOT_ADMIN));
    expect(request(requestId)["status"]).toStrictEqual(Cl.stringAscii("open"));
    callOk(GRID, "cancel-request", [Cl.uint(requestId)], admin);
  });
});
