import { Cl, type ClarityValue } from "@stacks/transactions";
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
  wallet6,
  wallet7,
} from "./helpers.js";

// Error codes of charge-discharge.clar (u3000-u3099).
const ERR_NOT_ADMIN = errorCode("charge-discharge", "ERR_NOT_ADMIN");
const ERR_INVALID_DEMAND_LEVEL = errorCode("charge-discharge", "ERR_INVALID_DEMAND_LEVEL");
const ERR_INVALID_THRESHOLDS = errorCode("charge-discharge", "ERR_INVALID_THRESHOLDS");
const ERR_NOT_AUTHORIZED = errorCode("charge-discharge", "ERR_NOT_AUTHORIZED");
const ERR_INVALID_ENERGY = errorCode("charge-discharge", "ERR_INVALID_ENERGY");
const ERR_FACILITY_NOT_APPROVED = errorCode("charge-discharge", "ERR_FACILITY_NOT_APPROVED");
const ERR_NOT_INITIALIZED = errorCode("charge-discharge", "ERR_NOT_INITIALIZED");
// capacity-tracking.clar's errors, passed through when a flow would break the capacity bounds.
const CAPACITY_ERR_STORED_EXCEEDS_TOTAL = errorCode("capacity-tracking", "ERR_STORED_EXCEEDS_TOTAL");
const CAPACITY_ERR_BELOW_RESERVED = errorCode("capacity-tracking", "ERR_BELOW_RESERVED");

const owner = wallet1;
const operator = wallet2;
const stranger = wallet3;
const otherOwner = wallet4;
const UNKNOWN_FACILITY = 999_999;
const TOTAL_KWH = 1_000;
const MAX_POWER_KW = 250;

function call(method: string, args: ClarityValue[], sender: string) {
  return simnet.callPublicFn("charge-discharge", method, args, sender);
}

function readOnly(method: string, args: ClarityValue[]) {
  return simnet.callReadOnlyFn("charge-discharge", method, args, deployer).result;
}

function setDemand(level: number): void {
  callOk("charge-discharge", "set-grid-demand", [Cl.uint(level)], deployer);
}

function suggested(facilityId: bigint | number) {
  return readOnly("get-suggested-action", [Cl.uint(facilityId)]);
}

function action(name: string, energyKwh: number) {
  return Cl.tuple({ action: Cl.stringAscii(name), "energy-kwh": Cl.uint(energyKwh) });
}

/** An approved facility owned by `owner`, `operator` delegated, capacity initialised at `storedKwh`. */
function facilityWith(storedKwh: number, options: { capacityKwh?: number; maxPowerKw?: number } = {}): bigint {
  const facilityId = registerApprovedFacility(owner, {
    capacityKwh: options.capacityKwh ?? TOTAL_KWH,
    maxPowerKw: options.maxPowerKw ?? MAX_POWER_KW,
  });
  setOperator(facilityId, owner, operator);
  initializeCapacity(facilityId, storedKwh, owner);
  return facilityId;
}

describe("set-grid-demand", () => {
  it("starts at 50 % with thresholds 30 and 70", () => {
    expect(readOnly("get-grid-demand", [])).toBeTuple({
      level: Cl.uint(50),
      "low-threshold": Cl.uint(30),
      "high-threshold": Cl.uint(70),
      "updated-at": Cl.uint(0),
    });
  });

  it("sets the level, stamps the height and prints grid-demand-updated", () => {
    const { result, events } = call("set-grid-demand", [Cl.uint(85)], deployer);
    expect(result).toBeOk(Cl.bool(true));
    expect(readOnly("get-grid-demand", [])).toBeTuple({
      level: Cl.uint(85),
      "low-threshold": Cl.uint(30),
      "high-threshold": Cl.uint(70),
      "updated-at": Cl.uint(simnet.blockHeight),
    });
    expect(printedTopic(events, "grid-demand-updated")).toBeTuple({
      topic: Cl.stringAscii("grid-demand-updated"),
      level: Cl.uint(85),
      "low-threshold": Cl.uint(30),
      "high-threshold": Cl.uint(70),
    });
  });

  it.each([0, 100])("accepts the bound %i", (level) => {
    expect(call("set-grid-demand", [Cl.uint(level)], deployer).result).toBeOk(Cl.bool(true));
    expect(readOnly("get-grid-demand", [])).toBeTuple(expect.objectContaining({ level: Cl.uint(level) }));
  });

  it("fails with ERR_INVALID_DEMAND_LEVEL above 100", () => {
    expect(call("set-grid-demand", [Cl.uint(101)], deployer).result).toBeErr(Cl.uint(ERR_INVALID_DEMAND_LEVEL));
    expect(readOnly("get-grid-demand", [])).toBeTuple(expect.objectContaining({ level: Cl.uint(50) }));
  });

  it("fails with ERR_NOT_ADMIN for a stranger, a facility owner and a removed admin; a new admin may set it", () => {
    registerApprovedFacility(owner);
    const formerAdmin = wallet6;
    callOk("facility-registry", "add-admin", [Cl.principal(formerAdmin)], deployer);
    callOk("facility-registry", "remove-admin", [Cl.principal(formerAdmin)], deployer);
    for (const sender of [stranger, owner, formerAdmin]) {
      expect(call("set-grid-demand", [Cl.uint(90)], sender).result).toBeErr(Cl.uint(ERR_NOT_ADMIN));
    }
    expect(readOnly("get-grid-demand", [])).toBeTuple(expect.objectContaining({ level: Cl.uint(50) }));
    const newAdmin = wallet7;
    callOk("facility-registry", "add-admin", [Cl.principal(newAdmin)], deployer);
    expect(call("set-grid-demand", [Cl.uint(90)], newAdmin).result).toBeOk(Cl.bool(true));
  });
});

describe("set-demand-thresholds", () => {
  it("sets both thresholds and prints demand-thresholds-updated with the current level", () => {
    const { result, events } = call("set-demand-thresholds", [Cl.uint(20), Cl.uint(80)], deployer);
    expect(result).toBeOk(Cl.bool(true));
    expect(readOnly("get-grid-demand", [])).toBeTuple(
      expect.objectContaining({ level: Cl.uint(50), "low-threshold": Cl.uint(20), "high-threshold": Cl.uint(80) }),
    );
    expect(printedTopic(events, "demand-thresholds-updated")).toBeTuple({
      topic: Cl.stringAscii("demand-thresholds-updated"),
      level: Cl.uint(50),
      "low-threshold": Cl.uint(20),
      "high-threshold": Cl.uint(80),
    });
  });

  it.each([
    [0, 100],
    [99, 100],
    [0, 1],
  ])("accepts low %i and high %i", (low, high) => {
    expect(call("set-demand-thresholds", [Cl.uint(low), Cl.uint(high)], deployer).result).toBeOk(Cl.bool(true));
    expect(readOnly("get-grid-demand", [])).toBeTuple(
      expect.objectContaining({ "low-threshold": Cl.uint(low), "high-threshold": Cl.uint(high) }),
    );
  });

  it.each([
    ["low equal to high", 50, 50],
    ["low above high", 60, 40],
    ["high above 100", 30, 101],
  ])("fails with ERR_INVALID_THRESHOLDS for %s", (_case, low, high) => {
    expect(call("set-demand-thresholds", [Cl.uint(low), Cl.uint(high)], deployer).result).toBeErr(
      Cl.uint(ERR_INVALID_THRESHOLDS),
    );
    expect(readOnly("get-grid-demand", [])).toBeTuple(
      expect.objectContaining({ "low-threshold": Cl.uint(30), "high-threshold": Cl.uint(70) }),
    );
  });

  it("fails with ERR_NOT_ADMIN for a stranger and a facility owner", () => {
    registerApprovedFacility(owner);
    for (const sender of [stranger, owner]) {
      expect(call("set-demand-thresholds", [Cl.uint(10), Cl.uint(90)], sender).result).toBeErr(Cl.uint(ERR_NOT_ADMIN));
    }
    expect(readOnly("get-grid-demand", [])).toBeTuple(
      expect.objectContaining({ "low-threshold": Cl.uint(30), "high-threshold": Cl.uint(70) }),
    );
  });
});

describe.each([
  // From 400 kWh stored: kWh stored after a first record of 100 kWh, then after a second of 200 kWh.
  ["record-charge", "charge", 500, 700],
  ["record-discharge", "discharge", 300, 100],
] as const)("%s", (method, actionName, firstStoredAfterKwh, storedAfterKwh) => {
  const storedBeforeKwh = 400;
  const demandLevel = actionName === "charge" ? 10 : 90;

  it("records the flow with the demand level, moves stored energy and prints flow-recorded", () => {
    const facilityId = facilityWith(storedBeforeKwh);
    setDemand(demandLevel);
    expect(readOnly("get-last-record-id", [])).toBeUint(0);
    const { result, events } = call(method, [Cl.uint(facilityId), Cl.uint(100)], owner);
    expect(result).toBeOk(Cl.uint(1));
    expect(readOnly("get-flow-record", [Cl.uint(1)])).toBeSome(
      Cl.tuple({
        "facility-id": Cl.uint(facilityId),
        action: Cl.stringAscii(actionName),
        "energy-kwh": Cl.uint(100),
        "demand-level": Cl.uint(demandLevel),
        "stored-after-kwh": Cl.uint(firstStoredAfterKwh),
        "recorded-by": Cl.principal(owner),
        "recorded-at": Cl.uint(simnet.blockHeight),
      }),
    );
    expect(printedTopic(events, "flow-recorded")).toBeTuple({
      topic: Cl.stringAscii("flow-recorded"),
      "record-id": Cl.uint(1),
      "facility-id": Cl.uint(facilityId),
      action: Cl.stringAscii(actionName),
      "energy-kwh": Cl.uint(100),
      "demand-level": Cl.uint(demandLevel),
      "stored-after-kwh": Cl.uint(firstStoredAfterKwh),
      "recorded-by": Cl.principal(owner),
    });
    expect(printedTopic(events, "capacity-updated")).toBeTuple(
      expect.objectContaining({ reason: Cl.stringAscii(actionName), "stored-kwh": Cl.uint(firstStoredAfterKwh) }),
    );

    // A second record, by the operator at another demand level, gets the next id.
    setDemand(50);
    expect(call(method, [Cl.uint(facilityId), Cl.uint(200)], operator).result).toBeOk(Cl.uint(2));
    expect(readOnly("get-last-record-id", [])).toBeUint(2);
    expect(readOnly("get-flow-record", [Cl.uint(2)])).toBeSome(
      expect.objectContaining({
        value: expect.objectContaining({
          "demand-level": Cl.uint(50),
          "stored-after-kwh": Cl.uint(storedAfterKwh),
          "recorded-by": Cl.principal(operator),
        }),
      }),
    );
    expect(readCapacity(facilityId).storedKwh).toBe(BigInt(storedAfterKwh));
    expect(readOnly("get-flow-record", [Cl.uint(3)])).toBeNone();
  });

  it("numbers records across facilities", () => {
    const first = facilityWith(storedBeforeKwh);
    const second = facilityWith(storedBeforeKwh);
    expect(call(method, [Cl.uint(first), Cl.uint(1)], owner).result).toBeOk(Cl.uint(1));
    expect(call(method, [Cl.uint(second), Cl.uint(1)], operator).result).toBeOk(Cl.uint(2));
    expect(readOnly("get-flow-record", [Cl.uint(2)])).toBeSome(
      expect.objectContaining({ value: expect.objectContaining({ "facility-id": Cl.uint(second) }) }),
    );
  });

  it("fails with ERR_NOT_AUTHORIZED for a stranger, another facility's owner, a revoked operator, an admin and an unknown facility", () => {
    const facilityId = facilityWith(storedBeforeKwh);
    const revoked = wallet7;
    setOperator(facilityId, owner, revoked);
    expect(call(method, [Cl.uint(facilityId), Cl.uint(1)], revoked).result).toBeOk(Cl.uint(1));
    setOperator(facilityId, owner, revoked, false);
    facilityWith(storedBeforeKwh);
    registerApprovedFacility(otherOwner);
    for (const sender of [stranger, otherOwner, revoked, deployer]) {
      expect(call(method, [Cl.uint(facilityId), Cl.uint(1)], sender).result).toBeErr(Cl.uint(ERR_NOT_AUTHORIZED));
    }
    expect(call(method, [Cl.uint(UNKNOWN_FACILITY), Cl.uint(1)], owner).result).toBeErr(Cl.uint(ERR_NOT_AUTHORIZED));
    expect(readOnly("get-last-record-id", [])).toBeUint(1);
  });

  it("fails with ERR_FACILITY_NOT_APPROVED for a suspended, a pending and a rejected facility", () => {
    const suspended = facilityWith(storedBeforeKwh);
    callOk("facility-registry", "suspend-facility", [Cl.uint(suspended)], deployer);
    const pending = registerFacility(owner);
    const rejected = registerFacility(owner);
    callOk("facility-registry", "reject-facility", [Cl.uint(rejected), Cl.stringAscii("no permit")], deployer);
    for (const facilityId of [suspended, pending, rejected]) {
      expect(call(method, [Cl.uint(facilityId), Cl.uint(1)], owner).result).toBeErr(Cl.uint(ERR_FACILITY_NOT_APPROVED));
    }
    expect(call(method, [Cl.uint(suspended), Cl.uint(1)], operator).result).toBeErr(Cl.uint(ERR_FACILITY_NOT_APPROVED));
    expect(readCapacity(suspended).storedKwh).toBe(BigInt(storedBeforeKwh));
    // Reinstated, it may move energy again.
    callOk("facility-registry", "reinstate-facility", [Cl.uint(suspended)], deployer);
    expect(call(method, [Cl.uint(suspended), Cl.uint(1)], owner).result).toBeOk(Cl.uint(1));
  });

  it("fails with ERR_NOT_INITIALIZED for an approved facility without capacity", () => {
    const facilityId = registerApprovedFacility(owner);
    expect(call(method, [Cl.uint(facilityId), Cl.uint(1)], owner).result).toBeErr(Cl.uint(ERR_NOT_INITIALIZED));
    expect(readOnly("get-last-record-id", [])).toBeUint(0);
  });

  it("fails with ERR_INVALID_ENERGY for zero kWh", () => {
    const facilityId = facilityWith(storedBeforeKwh);
    expect(call(method, [Cl.uint(facilityId), Cl.uint(0)], owner).result).toBeErr(Cl.uint(ERR_INVALID_ENERGY));
    expect(readOnly("get-last-record-id", [])).toBeUint(0);
    expect(readOnly("get-flow-record", [Cl.uint(1)])).toBeNone();
  });
});

describe("capacity bounds on flows", () => {
  it("record-charge fills exactly to the total and fails with capacity-tracking's ERR_STORED_EXCEEDS_TOTAL beyond it", () => {
    const facilityId = facilityWith(900);
    expect(call("record-charge", [Cl.uint(facilityId), Cl.uint(101)], owner).result).toBeErr(
      Cl.uint(CAPACITY_ERR_STORED_EXCEEDS_TOTAL),
    );
    expect(readOnly("get-last-record-id", [])).toBeUint(0);
    expect(readCapacity(facilityId).storedKwh).toBe(900n);
    expect(call("record-charge", [Cl.uint(facilityId), Cl.uint(100)], owner).result).toBeOk(Cl.uint(1));
    expect(readCapacity(facilityId).storedKwh).toBe(1_000n);
    expect(call("record-charge", [Cl.uint(facilityId), Cl.uint(1)], owner).result).toBeErr(
      Cl.uint(CAPACITY_ERR_STORED_EXCEEDS_TOTAL),
    );
  });

  it("record-discharge takes only unreserved energy and fails with capacity-tracking's ERR_BELOW_RESERVED beyond it", () => {
    const facilityId = facilityWith(600);
    reserveThroughGridServices(facilityId, 450, operator);
    expect(call("record-discharge", [Cl.uint(facilityId), Cl.uint(151)], owner).result).toBeErr(
      Cl.uint(CAPACITY_ERR_BELOW_RESERVED),
    );
    expect(readCapacity(facilityId)).toEqual({
      totalKwh: 1_000n,
      storedKwh: 600n,
      reservedKwh: 450n,
      availableKwh: 150n,
    });
    expect(call("record-discharge", [Cl.uint(facilityId), Cl.uint(150)], owner).result).toBeOk(Cl.uint(1));
    expect(readCapacity(facilityId)).toEqual({
      totalKwh: 1_000n,
      storedKwh: 450n,
      reservedKwh: 450n,
      availableKwh: 0n,
    });
    expect(call("record-discharge", [Cl.uint(facilityId), Cl.uint(1)], owner).result).toBeErr(
      Cl.uint(CAPACITY_ERR_BELOW_RESERVED),
    );
  });
});

describe("get-suggested-action", () => {
  it("discharges what is available at high demand, when available is below one hour at max power", () => {
    const facilityId = facilityWith(300);
    reserveThroughGridServices(facilityId, 120, operator);
    setDemand(90);
    expect(suggested(facilityId)).toBeOk(action("discharge", 180));
  });

  it("discharges one hour at max power at high demand, when more is available", () => {
    const facilityId = facilityWith(900);
    setDemand(100);
    expect(suggested(facilityId)).toBeOk(action("discharge", MAX_POWER_KW));
  });

  it("discharges from exactly the high threshold, and nothing when everything stored is reserved", () => {
    const facilityId = facilityWith(200);
    setDemand(70);
    expect(suggested(facilityId)).toBeOk(action("discharge", 200));
    reserveThroughGridServices(facilityId, 200, owner);
    expect(suggested(facilityId)).toBeOk(action("discharge", 0));
  });

  it("charges the headroom at low demand, when it is below one hour at max power", () => {
    const facilityId = facilityWith(850);
    setDemand(10);
    expect(suggested(facilityId)).toBeOk(action("charge", 150));
  });

  it("charges one hour at max power at low demand, when the headroom is larger", () => {
    const facilityId = facilityWith(100);
    setDemand(0);
    expect(suggested(facilityId)).toBeOk(action("charge", MAX_POWER_KW));
  });

  it("charges only below the low threshold: just below charges, exactly at it holds", () => {
    const facilityId = facilityWith(100);
    setDemand(29);
    expect(suggested(facilityId)).toBeOk(action("charge", MAX_POWER_KW));
    setDemand(30);
    expect(suggested(facilityId)).toBeOk(action("hold", 0));
  });

  it.each([30, 50, 69])("holds between the thresholds (level %i)", (level) => {
    const facilityId = facilityWith(500);
    setDemand(level);
    expect(suggested(facilityId)).toBeOk(action("hold", 0));
  });

  it("follows thresholds set by an admin", () => {
    const facilityId = facilityWith(500);
    setDemand(50);
    callOk("charge-discharge", "set-demand-thresholds", [Cl.uint(60), Cl.uint(90)], deployer);
    expect(suggested(facilityId)).toBeOk(action("charge", MAX_POWER_KW));
    callOk("charge-discharge", "set-demand-thresholds", [Cl.uint(10), Cl.uint(50)], deployer);
    expect(suggested(facilityId)).toBeOk(action("discharge", MAX_POWER_KW));
  });

  it("holds for a facility that is not approved: suspended with capacity, pending or rejected without", () => {
    const suspended = facilityWith(500);
    callOk("facility-registry", "suspend-facility", [Cl.uint(suspended)], deployer);
    const pending = registerFacility(owner);
    const rejected = registerFacility(owner);
    callOk("facility-registry", "reject-facility", [Cl.uint(rejected), Cl.stringAscii("no permit")], deployer);
    for (const level of [0, 50, 100]) {
      setDemand(level);
      for (const facilityId of [suspended, pending, rejected]) {
        expect(suggested(facilityId)).toBeOk(action("hold", 0));
      }
    }
  });

  it("fails with ERR_NOT_INITIALIZED for an unknown facility and for an approved one without capacity", () => {
    const uninitialised = registerApprovedFacility(owner);
    setDemand(90);
    expect(suggested(UNKNOWN_FACILITY)).toBeErr(Cl.uint(ERR_NOT_INITIALIZED));
    expect(suggested(uninitialised)).toBeErr(Cl.uint(ERR_NOT_INITIALIZED));
  });
});
