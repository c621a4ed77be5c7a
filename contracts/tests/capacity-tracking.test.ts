import { readFileSync } from "node:fs";
import { Cl, ClarityVersion, type ClarityValue } from "@stacks/transactions";
import { describe, expect, it } from "vitest";
import {
  callOk,
  deployer,
  errorCode,
  initializeCapacity,
  printedTopic,
  readCapacity,
  registerApprovedFacility,
  registerFacility,
  reserveThroughGridServices,
  setOperator,
  wallet1,
  wallet2,
  wallet3,
  wallet4,
  wallet7,
  wallet8,
} from "./helpers.js";

// Error codes of capacity-tracking.clar (u2000-u2099).
const ERR_NOT_AUTHORIZED = errorCode("capacity-tracking", "ERR_NOT_AUTHORIZED");
const ERR_FACILITY_NOT_APPROVED = errorCode("capacity-tracking", "ERR_FACILITY_NOT_APPROVED");
const ERR_ALREADY_INITIALIZED = errorCode("capacity-tracking", "ERR_ALREADY_INITIALIZED");
const ERR_NOT_INITIALIZED = errorCode("capacity-tracking", "ERR_NOT_INITIALIZED");
const ERR_STORED_EXCEEDS_TOTAL = errorCode("capacity-tracking", "ERR_STORED_EXCEEDS_TOTAL");
const ERR_BELOW_RESERVED = errorCode("capacity-tracking", "ERR_BELOW_RESERVED");
const ERR_INSUFFICIENT_AVAILABLE = errorCode("capacity-tracking", "ERR_INSUFFICIENT_AVAILABLE");
const ERR_RELEASE_EXCEEDS_RESERVED = errorCode("capacity-tracking", "ERR_RELEASE_EXCEEDS_RESERVED");
const ERR_NOT_GRID_SERVICES = errorCode("capacity-tracking", "ERR_NOT_GRID_SERVICES");
const ERR_NOT_CHARGE_DISCHARGE = errorCode("capacity-tracking", "ERR_NOT_CHARGE_DISCHARGE");
const ERR_INVALID_AMOUNT = errorCode("capacity-tracking", "ERR_INVALID_AMOUNT");
// grid-services.clar refuses a request larger than the available energy before it reserves.
const GRID_ERR_INSUFFICIENT_CAPACITY = errorCode("grid-services", "ERR_INSUFFICIENT_CAPACITY");

const owner = wallet1;
const operator = wallet2;
const stranger = wallet3;
const otherOwner = wallet4;
const UNKNOWN_FACILITY = 999_999;
const TOTAL_KWH = 1_000;
const MAX_POWER_KW = 400;

function call(method: string, args: ClarityValue[], sender: string) {
  return simnet.callPublicFn("capacity-tracking", method, args, sender);
}

function readOnly(method: string, args: ClarityValue[]) {
  return simnet.callReadOnlyFn("capacity-tracking", method, args, deployer).result;
}

/** An approved 1,000 kWh / 400 kW facility owned by `owner` with `operator` delegated. */
function approvedFacility(): bigint {
  const facilityId = registerApprovedFacility(owner, { capacityKwh: TOTAL_KWH, maxPowerKw: MAX_POWER_KW });
  setOperator(facilityId, owner, operator);
  return facilityId;
}

/** The same, with its capacity initialised at `storedKwh`. */
function initializedFacility(storedKwh: number): bigint {
  const facilityId = approvedFacility();
  initializeCapacity(facilityId, storedKwh, owner);
  return facilityId;
}

/** reserved <= stored <= total and available = stored - reserved. */
function expectInvariants(facilityId: bigint): void {
  const capacity = readCapacity(facilityId);
  expect(capacity.reservedKwh).toBeLessThanOrEqual(capacity.storedKwh);
  expect(capacity.storedKwh).toBeLessThanOrEqual(capacity.totalKwh);
  expect(capacity.availableKwh).toBe(capacity.storedKwh - capacity.reservedKwh);
  expect(readOnly("get-available-kwh", [Cl.uint(facilityId)])).toBeUint(capacity.availableKwh);
}

/** A revoked operator, the owner of another facility, an admin and a stranger: none may act for the facility. */
function outsiders(facilityId: bigint): string[] {
  const revoked = wallet7;
  setOperator(facilityId, owner, revoked);
  setOperator(facilityId, owner, revoked, false);
  registerApprovedFacility(otherOwner);
  return [stranger, otherOwner, revoked, deployer];
}

describe("initialize-capacity", () => {
  it("records total = registered capacity, the stored reading and nothing reserved, printing capacity-initialized", () => {
    const facilityId = approvedFacility();
    expect(readOnly("is-initialized", [Cl.uint(facilityId)])).toBeBool(false);
    const { result, events } = call("initialize-capacity", [Cl.uint(facilityId), Cl.uint(400)], owner);
    expect(result).toBeOk(Cl.bool(true));
    expect(readOnly("get-capacity", [Cl.uint(facilityId)])).toBeSome(
      Cl.tuple({
        "total-kwh": Cl.uint(TOTAL_KWH),
        "stored-kwh": Cl.uint(400),
        "reserved-kwh": Cl.uint(0),
        "available-kwh": Cl.uint(400),
        "updated-at": Cl.uint(simnet.blockHeight),
      }),
    );
    expect(readOnly("get-available-kwh", [Cl.uint(facilityId)])).toBeUint(400);
    expect(readOnly("is-initialized", [Cl.uint(facilityId)])).toBeBool(true);
    expect(printedTopic(events, "capacity-initialized")).toBeTuple({
      topic: Cl.stringAscii("capacity-initialized"),
      "facility-id": Cl.uint(facilityId),
      "total-kwh": Cl.uint(TOTAL_KWH),
      "stored-kwh": Cl.uint(400),
      "reserved-kwh": Cl.uint(0),
      "available-kwh": Cl.uint(400),
    });
  });

  it.each([
    ["an operator, with an empty battery", 0],
    ["an operator, with a full battery", TOTAL_KWH],
  ])("may be done by %s", (_case, storedKwh) => {
    const facilityId = approvedFacility();
    expect(call("initialize-capacity", [Cl.uint(facilityId), Cl.uint(storedKwh)], operator).result).toBeOk(
      Cl.bool(true),
    );
    expect(readCapacity(facilityId)).toEqual({
      totalKwh: BigInt(TOTAL_KWH),
      storedKwh: BigInt(storedKwh),
      reservedKwh: 0n,
      availableKwh: BigInt(storedKwh),
    });
  });

  it("fails with ERR_ALREADY_INITIALIZED the second time and keeps the first reading", () => {
    const facilityId = initializedFacility(300);
    for (const sender of [owner, operator]) {
      expect(call("initialize-capacity", [Cl.uint(facilityId), Cl.uint(500)], sender).result).toBeErr(
        Cl.uint(ERR_ALREADY_INITIALIZED),
      );
    }
    expect(readCapacity(facilityId).storedKwh).toBe(300n);
  });

  it("fails with ERR_STORED_EXCEEDS_TOTAL above the registered capacity", () => {
    const facilityId = approvedFacility();
    expect(call("initialize-capacity", [Cl.uint(facilityId), Cl.uint(TOTAL_KWH + 1)], owner).result).toBeErr(
      Cl.uint(ERR_STORED_EXCEEDS_TOTAL),
    );
    expect(readOnly("is-initialized", [Cl.uint(facilityId)])).toBeBool(false);
  });

  it("fails with ERR_FACILITY_NOT_APPROVED for a pending, rejected, suspended or unknown facility", () => {
    const pending = registerFacility(owner);
    const rejected = registerFacility(owner);
    callOk("facility-registry", "reject-facility", [Cl.uint(rejected), Cl.stringAscii("no permit")], deployer);
    const suspended = registerApprovedFacility(owner);
    callOk("facility-registry", "suspend-facility", [Cl.uint(suspended)], deployer);
    for (const facilityId of [pending, rejected, suspended, BigInt(UNKNOWN_FACILITY)]) {
      expect(call("initialize-capacity", [Cl.uint(facilityId), Cl.uint(1)], owner).result).toBeErr(
        Cl.uint(ERR_FACILITY_NOT_APPROVED),
      );
      expect(readOnly("get-capacity", [Cl.uint(facilityId)])).toBeNone();
    }
  });

  it("fails with ERR_NOT_AUTHORIZED for a stranger, another facility's owner, a revoked operator and an admin", () => {
    const facilityId = approvedFacility();
    for (const sender of outsiders(facilityId)) {
      expect(call("initialize-capacity", [Cl.uint(facilityId), Cl.uint(1)], sender).result).toBeErr(
        Cl.uint(ERR_NOT_AUTHORIZED),
      );
    }
    expect(readOnly("is-initialized", [Cl.uint(facilityId)])).toBeBool(false);
  });
});

describe("update-capacity", () => {
  it("replaces the stored reading, printing capacity-updated with reason reading", () => {
    const facilityId = initializedFacility(400);
    const { result, events } = call("update-capacity", [Cl.uint(facilityId), Cl.uint(650)], owner);
    expect(result).toBeOk(Cl.bool(true));
    expect(readOnly("get-capacity", [Cl.uint(facilityId)])).toBeSome(
      Cl.tuple({
        "total-kwh": Cl.uint(TOTAL_KWH),
        "stored-kwh": Cl.uint(650),
        "reserved-kwh": Cl.uint(0),
        "available-kwh": Cl.uint(650),
        "updated-at": Cl.uint(simnet.blockHeight),
      }),
    );
    expect(printedTopic(events, "capacity-updated")).toBeTuple({
      topic: Cl.stringAscii("capacity-updated"),
      "facility-id": Cl.uint(facilityId),
      reason: Cl.stringAscii("reading"),
      "total-kwh": Cl.uint(TOTAL_KWH),
      "stored-kwh": Cl.uint(650),
      "reserved-kwh": Cl.uint(0),
      "available-kwh": Cl.uint(650),
    });
  });

  it("may be done by an operator, down to empty and up to full", () => {
    const facilityId = initializedFacility(400);
    expect(call("update-capacity", [Cl.uint(facilityId), Cl.uint(0)], operator).result).toBeOk(Cl.bool(true));
    expect(readCapacity(facilityId).storedKwh).toBe(0n);
    expect(call("update-capacity", [Cl.uint(facilityId), Cl.uint(TOTAL_KWH)], operator).result).toBeOk(Cl.bool(true));
    expect(readCapacity(facilityId).storedKwh).toBe(BigInt(TOTAL_KWH));
  });

  it("fails with ERR_NOT_INITIALIZED before initialisation and for an unknown facility", () => {
    const facilityId = approvedFacility();
    for (const id of [facilityId, BigInt(UNKNOWN_FACILITY)]) {
      expect(call("update-capacity", [Cl.uint(id), Cl.uint(1)], owner).result).toBeErr(Cl.uint(ERR_NOT_INITIALIZED));
    }
    expect(readOnly("get-capacity", [Cl.uint(facilityId)])).toBeNone();
  });

  it("fails with ERR_NOT_AUTHORIZED for a stranger, another facility's owner, a revoked operator and an admin", () => {
    const facilityId = initializedFacility(400);
    for (const sender of outsiders(facilityId)) {
      expect(call("update-capacity", [Cl.uint(facilityId), Cl.uint(10)], sender).result).toBeErr(
        Cl.uint(ERR_NOT_AUTHORIZED),
      );
    }
    expect(readCapacity(facilityId).storedKwh).toBe(400n);
  });

  it("fails with ERR_STORED_EXCEEDS_TOTAL above the total", () => {
    const facilityId = initializedFacility(400);
    expect(call("update-capacity", [Cl.uint(facilityId), Cl.uint(TOTAL_KWH + 1)], owner).result).toBeErr(
      Cl.uint(ERR_STORED_EXCEEDS_TOTAL),
    );
    expect(readCapacity(facilityId).storedKwh).toBe(400n);
  });

  it("fails with ERR_BELOW_RESERVED under what grid services reserved, and allows exactly the reserve", () => {
    const facilityId = initializedFacility(600);
    reserveThroughGridServices(facilityId, 250, operator);
    expect(call("update-capacity", [Cl.uint(facilityId), Cl.uint(249)], owner).result).toBeErr(
      Cl.uint(ERR_BELOW_RESERVED),
    );
    expect(readCapacity(facilityId).storedKwh).toBe(600n);
    expect(call("update-capacity", [Cl.uint(facilityId), Cl.uint(250)], owner).result).toBeOk(Cl.bool(true));
    expect(readCapacity(facilityId)).toEqual({
      totalKwh: 1_000n,
      storedKwh: 250n,
      reservedKwh: 250n,
      availableKwh: 0n,
    });
  });
});

describe("reserve-capacity and release-capacity (grid-services only)", () => {
  it("reserves on accept-request and releases on fulfill-request, printing capacity-updated each time", () => {
    const facilityId = initializedFacility(700);
    const requestId = callOk(
      "grid-services",
      "create-service-request",
      [
        Cl.stringAscii("peak-shaving"),
        Cl.uint(300),
        Cl.uint(450),
        Cl.uint(5_000_000),
        Cl.uint(simnet.blockHeight + 50),
      ],
      deployer,
    ).value;
    const accepted = callOk("grid-services", "accept-request", [requestId, Cl.uint(facilityId)], operator);
    expect(readCapacity(facilityId)).toEqual({
      totalKwh: 1_000n,
      storedKwh: 700n,
      reservedKwh: 450n,
      availableKwh: 250n,
    });
    expect(printedTopic(accepted.events, "capacity-updated")).toBeTuple({
      topic: Cl.stringAscii("capacity-updated"),
      "facility-id": Cl.uint(facilityId),
      reason: Cl.stringAscii("reserved"),
      "total-kwh": Cl.uint(TOTAL_KWH),
      "stored-kwh": Cl.uint(700),
      "reserved-kwh": Cl.uint(450),
      "available-kwh": Cl.uint(250),
    });

    const fulfilled = callOk("grid-services", "fulfill-request", [requestId, Cl.uint(10_000)], deployer);
    expect(readCapacity(facilityId)).toEqual({
      totalKwh: 1_000n,
      storedKwh: 700n,
      reservedKwh: 0n,
      availableKwh: 700n,
    });
    expect(printedTopic(fulfilled.events, "capacity-updated")).toBeTuple({
      topic: Cl.stringAscii("capacity-updated"),
      "facility-id": Cl.uint(facilityId),
      reason: Cl.stringAscii("released"),
      "total-kwh": Cl.uint(TOTAL_KWH),
      "stored-kwh": Cl.uint(700),
      "reserved-kwh": Cl.uint(0),
      "available-kwh": Cl.uint(700),
    });
  });

  it("stacks several reservations up to everything stored, and grid-services refuses one more kWh", () => {
    const facilityId = initializedFacility(500);
    reserveThroughGridServices(facilityId, 200, operator);
    reserveThroughGridServices(facilityId, 300, owner);
    expect(readCapacity(facilityId)).toEqual({
      totalKwh: 1_000n,
      storedKwh: 500n,
      reservedKwh: 500n,
      availableKwh: 0n,
    });
    const requestId = callOk(
      "grid-services",
      "create-service-request",
      [Cl.stringAscii("reserve"), Cl.uint(1), Cl.uint(1), Cl.uint(1), Cl.uint(simnet.blockHeight + 50)],
      deployer,
    ).value;
    expect(
      simnet.callPublicFn("grid-services", "accept-request", [requestId, Cl.uint(facilityId)], owner).result,
    ).toBeErr(Cl.uint(GRID_ERR_INSUFFICIENT_CAPACITY));
    expectInvariants(facilityId);
  });

  it.each(["reserve-capacity", "release-capacity"])(
    "%s fails with ERR_NOT_GRID_SERVICES when called directly by the owner, an operator, an admin or a stranger",
    (method) => {
      const facilityId = initializedFacility(500);
      reserveThroughGridServices(facilityId, 100, operator);
      for (const sender of [owner, operator, deployer, stranger]) {
        expect(call(method, [Cl.uint(facilityId), Cl.uint(50)], sender).result).toBeErr(Cl.uint(ERR_NOT_GRID_SERVICES));
      }
      // The caller is checked first, even for a facility without capacity.
      expect(call(method, [Cl.uint(UNKNOWN_FACILITY), Cl.uint(50)], owner).result).toBeErr(
        Cl.uint(ERR_NOT_GRID_SERVICES),
      );
      expect(readCapacity(facilityId).reservedKwh).toBe(100n);
    },
  );
});

describe("adjust-stored (charge-discharge only)", () => {
  it("moves stored energy when charge-discharge records a flow, printing capacity-updated with the direction", () => {
    const facilityId = initializedFacility(500);
    const charged = callOk("charge-discharge", "record-charge", [Cl.uint(facilityId), Cl.uint(120)], operator);
    expect(readCapacity(facilityId).storedKwh).toBe(620n);
    expect(printedTopic(charged.events, "capacity-updated")).toBeTuple({
      topic: Cl.stringAscii("capacity-updated"),
      "facility-id": Cl.uint(facilityId),
      reason: Cl.stringAscii("charge"),
      "total-kwh": Cl.uint(TOTAL_KWH),
      "stored-kwh": Cl.uint(620),
      "reserved-kwh": Cl.uint(0),
      "available-kwh": Cl.uint(620),
    });
    const discharged = callOk("charge-discharge", "record-discharge", [Cl.uint(facilityId), Cl.uint(20)], owner);
    expect(readCapacity(facilityId).storedKwh).toBe(600n);
    expect(printedTopic(discharged.events, "capacity-updated")).toBeTuple({
      topic: Cl.stringAscii("capacity-updated"),
      "facility-id": Cl.uint(facilityId),
      reason: Cl.stringAscii("discharge"),
      "total-kwh": Cl.uint(TOTAL_KWH),
      "stored-kwh": Cl.uint(600),
      "reserved-kwh": Cl.uint(0),
      "available-kwh": Cl.uint(600),
    });
  });

  it("fails with ERR_NOT_CHARGE_DISCHARGE when called directly by the owner, an operator, an admin or a stranger", () => {
    const facilityId = initializedFacility(500);
    for (const sender of [owner, operator, deployer, stranger]) {
      for (const isCharge of [true, false]) {
        expect(call("adjust-stored", [Cl.uint(facilityId), Cl.uint(10), Cl.bool(isCharge)], sender).result).toBeErr(
          Cl.uint(ERR_NOT_CHARGE_DISCHARGE),
        );
      }
    }
    expect(call("adjust-stored", [Cl.uint(UNKNOWN_FACILITY), Cl.uint(10), Cl.bool(true)], owner).result).toBeErr(
      Cl.uint(ERR_NOT_CHARGE_DISCHARGE),
    );
    expect(readCapacity(facilityId).storedKwh).toBe(500n);
  });
});

describe("read-only functions", () => {
  it("answer none, u0 and false for a facility without capacity", () => {
    const facilityId = approvedFacility();
    for (const id of [facilityId, BigInt(UNKNOWN_FACILITY)]) {
      expect(readOnly("get-capacity", [Cl.uint(id)])).toBeNone();
      expect(readOnly("get-available-kwh", [Cl.uint(id)])).toBeUint(0);
      expect(readOnly("is-initialized", [Cl.uint(id)])).toBeBool(false);
    }
  });
});

describe("capacity invariants", () => {
  it("keep reserved <= stored <= total through readings, flows and reservations, refusing every step that would break them", () => {
    const facilityId = initializedFacility(500);
    const steps: Array<[string, string, ClarityValue[], string, number | undefined]> = [
      ["charge-discharge", "record-charge", [Cl.uint(facilityId), Cl.uint(501)], owner, ERR_STORED_EXCEEDS_TOTAL],
      ["charge-discharge", "record-charge", [Cl.uint(facilityId), Cl.uint(500)], owner, undefined],
      ["charge-discharge", "record-charge", [Cl.uint(facilityId), Cl.uint(1)], owner, ERR_STORED_EXCEEDS_TOTAL],
      ["capacity-tracking", "update-capacity", [Cl.uint(facilityId), Cl.uint(1_001)], owner, ERR_STORED_EXCEEDS_TOTAL],
      ["capacity-tracking", "update-capacity", [Cl.uint(facilityId), Cl.uint(800)], owner, undefined],
    ];
    const run = (list: typeof steps) => {
      for (const [contract, method, args, sender, error] of list) {
        const { result } = simnet.callPublicFn(contract, method, args, sender);
        if (error === undefined) expect(result, `${method}`).toBeOk(expect.anything());
        else expect(result, `${method}`).toBeErr(Cl.uint(error));
        expectInvariants(facilityId);
      }
    };
    run(steps);
    reserveThroughGridServices(facilityId, 600, operator);
    expectInvariants(facilityId);
    run([
      ["charge-discharge", "record-discharge", [Cl.uint(facilityId), Cl.uint(201)], owner, ERR_BELOW_RESERVED],
      ["capacity-tracking", "update-capacity", [Cl.uint(facilityId), Cl.uint(599)], owner, ERR_BELOW_RESERVED],
      ["charge-discharge", "record-discharge", [Cl.uint(facilityId), Cl.uint(200)], owner, undefined],
      ["charge-discharge", "record-discharge", [Cl.uint(facilityId), Cl.uint(1)], owner, ERR_BELOW_RESERVED],
      ["charge-discharge", "record-charge", [Cl.uint(facilityId), Cl.uint(400)], operator, undefined],
      ["charge-discharge", "record-charge", [Cl.uint(facilityId), Cl.uint(1)], operator, ERR_STORED_EXCEEDS_TOTAL],
    ]);
    expect(readCapacity(facilityId)).toEqual({
      totalKwh: 1_000n,
      storedKwh: 1_000n,
      reservedKwh: 600n,
      availableKwh: 400n,
    });
  });
});

// grid-services and charge-discharge validate amounts and availability before
// they call capacity-tracking, so these guards cannot be reached through the
// deployed callers. To prove the guards themselves, the contract's own source is
// deployed a second time with its two trusted callers replaced by test accounts;
// nothing else in the source changes.
describe("capacity-tracking's own guards, behind the trusted callers", () => {
  const gridServicesStandIn = wallet8;
  const chargeDischargeStandIn = wallet7;
  const copyName = "capacity-tracking-guards";

  function deployCopy(): void {
    const source = readFileSync("contracts/capacity-tracking.clar", "utf8");
    const patched = source
      .replaceAll("contract-caller .grid-services", `contract-caller '${gridServicesStandIn}`)
      .replaceAll("contract-caller .charge-discharge", `contract-caller '${chargeDischargeStandIn}`);
    expect(patched).not.toContain(".grid-services)");
    expect(patched).not.toContain(".charge-discharge)");
    const { result } = simnet.deployContract(copyName, patched, { clarityVersion: ClarityVersion.Clarity4 }, deployer);
    expect(result).toBeBool(true);
  }

  function copyCall(method: string, args: ClarityValue[], sender: string) {
    return simnet.callPublicFn(copyName, method, args, sender).result;
  }

  function copyStored(facilityId: bigint): ClarityValue {
    return simnet.callReadOnlyFn(copyName, "get-capacity", [Cl.uint(facilityId)], deployer).result;
  }

  it("reserve-capacity fails with ERR_INVALID_AMOUNT, ERR_INSUFFICIENT_AVAILABLE and ERR_NOT_INITIALIZED", () => {
    deployCopy();
    const facilityId = approvedFacility();
    expect(copyCall("reserve-capacity", [Cl.uint(facilityId), Cl.uint(1)], gridServicesStandIn)).toBeErr(
      Cl.uint(ERR_NOT_INITIALIZED),
    );
    expect(copyCall("initialize-capacity", [Cl.uint(facilityId), Cl.uint(300)], owner)).toBeOk(Cl.bool(true));
    expect(copyCall("reserve-capacity", [Cl.uint(facilityId), Cl.uint(0)], gridServicesStandIn)).toBeErr(
      Cl.uint(ERR_INVALID_AMOUNT),
    );
    expect(copyCall("reserve-capacity", [Cl.uint(facilityId), Cl.uint(301)], gridServicesStandIn)).toBeErr(
      Cl.uint(ERR_INSUFFICIENT_AVAILABLE),
    );
    expect(copyCall("reserve-capacity", [Cl.uint(facilityId), Cl.uint(300)], gridServicesStandIn)).toBeOk(
      Cl.bool(true),
    );
    expect(copyCall("reserve-capacity", [Cl.uint(facilityId), Cl.uint(1)], gridServicesStandIn)).toBeErr(
      Cl.uint(ERR_INSUFFICIENT_AVAILABLE),
    );
    expect(copyStored(facilityId)).toBeSome(
      expect.objectContaining({
        value: expect.objectContaining({ "reserved-kwh": Cl.uint(300), "available-kwh": Cl.uint(0) }),
      }),
    );
  });

  it("release-capacity fails with ERR_INVALID_AMOUNT, ERR_RELEASE_EXCEEDS_RESERVED and ERR_NOT_INITIALIZED", () => {
    deployCopy();
    const facilityId = approvedFacility();
    expect(copyCall("release-capacity", [Cl.uint(facilityId), Cl.uint(1)], gridServicesStandIn)).toBeErr(
      Cl.uint(ERR_NOT_INITIALIZED),
    );
    expect(copyCall("initialize-capacity", [Cl.uint(facilityId), Cl.uint(300)], owner)).toBeOk(Cl.bool(true));
    expect(copyCall("reserve-capacity", [Cl.uint(facilityId), Cl.uint(100)], gridServicesStandIn)).toBeOk(
      Cl.bool(true),
    );
    expect(copyCall("release-capacity", [Cl.uint(facilityId), Cl.uint(0)], gridServicesStandIn)).toBeErr(
      Cl.uint(ERR_INVALID_AMOUNT),
    );
    expect(copyCall("release-capacity", [Cl.uint(facilityId), Cl.uint(101)], gridServicesStandIn)).toBeErr(
      Cl.uint(ERR_RELEASE_EXCEEDS_RESERVED),
    );
    expect(copyCall("release-capacity", [Cl.uint(facilityId), Cl.uint(100)], gridServicesStandIn)).toBeOk(
      Cl.bool(true),
    );
    expect(copyStored(facilityId)).toBeSome(
      expect.objectContaining({ value: expect.objectContaining({ "reserved-kwh": Cl.uint(0) }) }),
    );
  });

  it("adjust-stored fails with ERR_INVALID_AMOUNT, ERR_STORED_EXCEEDS_TOTAL, ERR_BELOW_RESERVED and ERR_NOT_INITIALIZED, and returns the new stored amount", () => {
    deployCopy();
    const facilityId = approvedFacility();
    expect(copyCall("adjust-stored", [Cl.uint(facilityId), Cl.uint(1), Cl.bool(true)], chargeDischargeStandIn)).toBeErr(
      Cl.uint(ERR_NOT_INITIALIZED),
    );
    expect(copyCall("initialize-capacity", [Cl.uint(facilityId), Cl.uint(300)], owner)).toBeOk(Cl.bool(true));
    expect(copyCall("reserve-capacity", [Cl.uint(facilityId), Cl.uint(100)], gridServicesStandIn)).toBeOk(
      Cl.bool(true),
    );
    for (const isCharge of [true, false]) {
      expect(
        copyCall("adjust-stored", [Cl.uint(facilityId), Cl.uint(0), Cl.bool(isCharge)], chargeDischargeStandIn),
      ).toBeErr(Cl.uint(ERR_INVALID_AMOUNT));
    }
    expect(
      copyCall("adjust-stored", [Cl.uint(facilityId), Cl.uint(701), Cl.bool(true)], chargeDischargeStandIn),
    ).toBeErr(Cl.uint(ERR_STORED_EXCEEDS_TOTAL));
    expect(
      copyCall("adjust-stored", [Cl.uint(facilityId), Cl.uint(201), Cl.bool(false)], chargeDischargeStandIn),
    ).toBeErr(Cl.uint(ERR_BELOW_RESERVED));
    expect(
      copyCall("adjust-stored", [Cl.uint(facilityId), Cl.uint(200), Cl.bool(false)], chargeDischargeStandIn),
    ).toBeOk(Cl.uint(100));
    expect(
      copyCall("adjust-stored", [Cl.uint(facilityId), Cl.uint(900), Cl.bool(true)], chargeDischargeStandIn),
    ).toBeOk(Cl.uint(1_000));
    // The stand-ins are trusted only for their own role.
    expect(copyCall("adjust-stored", [Cl.uint(facilityId), Cl.uint(1), Cl.bool(false)], gridServicesStandIn)).toBeErr(
      Cl.uint(ERR_NOT_CHARGE_DISCHARGE),
    );
    expect(copyCall("reserve-capacity", [Cl.uint(facilityId), Cl.uint(1)], chargeDischargeStandIn)).toBeErr(
      Cl.uint(ERR_NOT_GRID_SERVICES),
    );
  });
});
