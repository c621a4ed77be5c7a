import { Cl, type ClarityValue } from "@stacks/transactions";
import { describe, expect, it } from "vitest";
import {
  callOk,
  deployer,
  errorCode,
  printedTopic,
  registerApprovedFacility,
  registerFacility,
  setOperator,
  uintOf,
  wallet1,
  wallet2,
  wallet3,
  wallet4,
  wallet5,
  wallet6,
  wallet7,
} from "./helpers.js";

// Error codes of facility-registry.clar (u1000-u1099).
const ERR_NOT_ADMIN = errorCode("facility-registry", "ERR_NOT_ADMIN");
const ERR_INVALID_NAME = errorCode("facility-registry", "ERR_INVALID_NAME");
const ERR_INVALID_CAPACITY = errorCode("facility-registry", "ERR_INVALID_CAPACITY");
const ERR_INVALID_POWER = errorCode("facility-registry", "ERR_INVALID_POWER");
const ERR_FACILITY_NOT_FOUND = errorCode("facility-registry", "ERR_FACILITY_NOT_FOUND");
const ERR_NOT_PENDING = errorCode("facility-registry", "ERR_NOT_PENDING");
const ERR_NOT_APPROVED = errorCode("facility-registry", "ERR_NOT_APPROVED");
const ERR_NOT_SUSPENDED = errorCode("facility-registry", "ERR_NOT_SUSPENDED");
const ERR_NOT_OWNER = errorCode("facility-registry", "ERR_NOT_OWNER");
const ERR_ALREADY_ADMIN = errorCode("facility-registry", "ERR_ALREADY_ADMIN");
const ERR_UNKNOWN_ADMIN = errorCode("facility-registry", "ERR_UNKNOWN_ADMIN");
const ERR_LAST_ADMIN = errorCode("facility-registry", "ERR_LAST_ADMIN");
const ERR_OPERATOR_IS_OWNER = errorCode("facility-registry", "ERR_OPERATOR_IS_OWNER");

const owner = wallet1;
const operator = wallet2;
const stranger = wallet3;
const otherOwner = wallet4;
const UNKNOWN_FACILITY = 999_999;

function call(method: string, args: ClarityValue[], sender: string) {
  return simnet.callPublicFn("facility-registry", method, args, sender);
}

function readOnly(method: string, args: ClarityValue[]) {
  return simnet.callReadOnlyFn("facility-registry", method, args, deployer).result;
}

function lastFacilityId(): bigint {
  return uintOf(readOnly("get-last-facility-id", []));
}

function status(facilityId: bigint): string {
  const facility = readOnly("get-facility", [Cl.uint(facilityId)]);
  if (facility.type !== "some" || facility.value.type !== "tuple") throw new Error("facility not found");
  const field = facility.value.value["status"]!;
  if (field.type !== "ascii") throw new Error("status is not a string");
  return field.value;
}

/** A facility in each status, owned by `owner`. */
function facilityIn(state: "pending" | "approved" | "rejected" | "suspended"): bigint {
  const facilityId = registerFacility(owner);
  if (state === "approved" || state === "suspended") {
    callOk("facility-registry", "approve-facility", [Cl.uint(facilityId)], deployer);
  }
  if (state === "rejected") {
    callOk("facility-registry", "reject-facility", [Cl.uint(facilityId), Cl.stringAscii("paperwork")], deployer);
  }
  if (state === "suspended") {
    callOk("facility-registry", "suspend-facility", [Cl.uint(facilityId)], deployer);
  }
  expect(status(facilityId)).toBe(state);
  return facilityId;
}

describe("register-facility", () => {
  it("gives the first facility id u1, makes the caller the owner, stores it pending and prints facility-registered", () => {
    expect(lastFacilityId()).toBe(0n);
    const { result, events } = call(
      "register-facility",
      [Cl.stringUtf8("Harbour Battery ⚡"), Cl.stringUtf8("Rotterdam, NL"), Cl.uint(2_000), Cl.uint(500)],
      owner,
    );
    expect(result).toBeOk(Cl.uint(1));
    const height = simnet.blockHeight;
    expect(readOnly("get-facility", [Cl.uint(1)])).toBeSome(
      Cl.tuple({
        owner: Cl.principal(owner),
        name: Cl.stringUtf8("Harbour Battery ⚡"),
        location: Cl.stringUtf8("Rotterdam, NL"),
        "capacity-kwh": Cl.uint(2_000),
        "max-power-kw": Cl.uint(500),
        status: Cl.stringAscii("pending"),
        "rejection-reason": Cl.none(),
        "registered-at": Cl.uint(height),
        "updated-at": Cl.uint(height),
      }),
    );
    expect(readOnly("get-last-facility-id", [])).toBeUint(1);
    expect(readOnly("get-facility-owner", [Cl.uint(1)])).toBeSome(Cl.principal(owner));
    expect(readOnly("is-approved", [Cl.uint(1)])).toBeBool(false);
    expect(printedTopic(events, "facility-registered")).toBeTuple({
      topic: Cl.stringAscii("facility-registered"),
      "facility-id": Cl.uint(1),
      owner: Cl.principal(owner),
      name: Cl.stringUtf8("Harbour Battery ⚡"),
      location: Cl.stringUtf8("Rotterdam, NL"),
      "capacity-kwh": Cl.uint(2_000),
      "max-power-kw": Cl.uint(500),
    });
  });

  it("numbers facilities consecutively and accepts an empty location", () => {
    const next = lastFacilityId() + 1n;
    const { result } = call(
      "register-facility",
      [Cl.stringUtf8("B"), Cl.stringUtf8(""), Cl.uint(1), Cl.uint(1)],
      otherOwner,
    );
    expect(result).toBeOk(Cl.uint(next));
    expect(
      call("register-facility", [Cl.stringUtf8("C"), Cl.stringUtf8("x"), Cl.uint(1), Cl.uint(1)], owner).result,
    ).toBeOk(Cl.uint(next + 1n));
    expect(readOnly("get-facility-owner", [Cl.uint(next)])).toBeSome(Cl.principal(otherOwner));
  });

  it.each([
    ["ERR_INVALID_NAME", "", 10, 5, ERR_INVALID_NAME],
    ["ERR_INVALID_CAPACITY", "A", 0, 5, ERR_INVALID_CAPACITY],
    ["ERR_INVALID_POWER", "A", 10, 0, ERR_INVALID_POWER],
  ])("fails with %s and stores nothing", (_name, name, capacityKwh, maxPowerKw, code) => {
    const before = lastFacilityId();
    const { result, events } = call(
      "register-facility",
      [Cl.stringUtf8(name), Cl.stringUtf8("Site"), Cl.uint(capacityKwh), Cl.uint(maxPowerKw)],
      owner,
    );
    expect(result).toBeErr(Cl.uint(code));
    expect(events).toHaveLength(0);
    expect(lastFacilityId()).toBe(before);
    expect(readOnly("get-facility", [Cl.uint(before + 1n)])).toBeNone();
  });
});

describe("approve-facility", () => {
  it("moves a pending facility to approved and prints facility-approved", () => {
    const facilityId = registerFacility(owner, { capacityKwh: 700, maxPowerKw: 70 });
    const { result, events } = call("approve-facility", [Cl.uint(facilityId)], deployer);
    expect(result).toBeOk(Cl.bool(true));
    expect(status(facilityId)).toBe("approved");
    expect(readOnly("is-approved", [Cl.uint(facilityId)])).toBeBool(true);
    const facility = readOnly("get-facility", [Cl.uint(facilityId)]);
    expect(facility).toBeSome(
      expect.objectContaining({
        value: expect.objectContaining({ "updated-at": Cl.uint(simnet.blockHeight), "rejection-reason": Cl.none() }),
      }),
    );
    expect(printedTopic(events, "facility-approved")).toBeTuple({
      topic: Cl.stringAscii("facility-approved"),
      "facility-id": Cl.uint(facilityId),
      owner: Cl.principal(owner),
      "capacity-kwh": Cl.uint(700),
      "max-power-kw": Cl.uint(70),
      admin: Cl.principal(deployer),
    });
  });

  it("fails with ERR_NOT_ADMIN for a stranger, the facility's own owner and an operator", () => {
    const facilityId = registerFacility(owner);
    setOperator(facilityId, owner, operator);
    for (const sender of [stranger, owner, operator]) {
      expect(call("approve-facility", [Cl.uint(facilityId)], sender).result).toBeErr(Cl.uint(ERR_NOT_ADMIN));
    }
    expect(status(facilityId)).toBe("pending");
  });

  it("fails with ERR_FACILITY_NOT_FOUND for an unknown facility", () => {
    expect(call("approve-facility", [Cl.uint(UNKNOWN_FACILITY)], deployer).result).toBeErr(
      Cl.uint(ERR_FACILITY_NOT_FOUND),
    );
  });

  it.each(["approved", "rejected", "suspended"] as const)("fails with ERR_NOT_PENDING from %s", (state) => {
    const facilityId = facilityIn(state);
    expect(call("approve-facility", [Cl.uint(facilityId)], deployer).result).toBeErr(Cl.uint(ERR_NOT_PENDING));
    expect(status(facilityId)).toBe(state);
  });
});

describe("reject-facility", () => {
  it("moves a pending facility to rejected with its reason and prints facility-rejected", () => {
    const facilityId = registerFacility(owner);
    const { result, events } = call(
      "reject-facility",
      [Cl.uint(facilityId), Cl.stringAscii("no grid connection permit")],
      deployer,
    );
    expect(result).toBeOk(Cl.bool(true));
    expect(status(facilityId)).toBe("rejected");
    expect(readOnly("is-approved", [Cl.uint(facilityId)])).toBeBool(false);
    expect(readOnly("get-facility", [Cl.uint(facilityId)])).toBeSome(
      expect.objectContaining({
        value: expect.objectContaining({ "rejection-reason": Cl.some(Cl.stringAscii("no grid connection permit")) }),
      }),
    );
    expect(printedTopic(events, "facility-rejected")).toBeTuple({
      topic: Cl.stringAscii("facility-rejected"),
      "facility-id": Cl.uint(facilityId),
      owner: Cl.principal(owner),
      reason: Cl.stringAscii("no grid connection permit"),
      admin: Cl.principal(deployer),
    });
  });

  it("fails with ERR_NOT_ADMIN for a stranger and for the owner", () => {
    const facilityId = registerFacility(owner);
    for (const sender of [stranger, owner]) {
      expect(call("reject-facility", [Cl.uint(facilityId), Cl.stringAscii("x")], sender).result).toBeErr(
        Cl.uint(ERR_NOT_ADMIN),
      );
    }
    expect(status(facilityId)).toBe("pending");
  });

  it("fails with ERR_FACILITY_NOT_FOUND for an unknown facility", () => {
    expect(call("reject-facility", [Cl.uint(UNKNOWN_FACILITY), Cl.stringAscii("x")], deployer).result).toBeErr(
      Cl.uint(ERR_FACILITY_NOT_FOUND),
    );
  });

  it.each(["approved", "rejected", "suspended"] as const)("fails with ERR_NOT_PENDING from %s", (state) => {
    const facilityId = facilityIn(state);
    expect(call("reject-facility", [Cl.uint(facilityId), Cl.stringAscii("late")], deployer).result).toBeErr(
      Cl.uint(ERR_NOT_PENDING),
    );
    expect(status(facilityId)).toBe(state);
  });
});

describe("suspend-facility and reinstate-facility", () => {
  it("takes an approved facility to suspended and back to approved, printing both events", () => {
    const facilityId = registerApprovedFacility(owner);
    const suspended = call("suspend-facility", [Cl.uint(facilityId)], deployer);
    expect(suspended.result).toBeOk(Cl.bool(true));
    expect(status(facilityId)).toBe("suspended");
    expect(readOnly("is-approved", [Cl.uint(facilityId)])).toBeBool(false);
    expect(printedTopic(suspended.events, "facility-suspended")).toBeTuple({
      topic: Cl.stringAscii("facility-suspended"),
      "facility-id": Cl.uint(facilityId),
      owner: Cl.principal(owner),
      admin: Cl.principal(deployer),
    });

    const reinstated = call("reinstate-facility", [Cl.uint(facilityId)], deployer);
    expect(reinstated.result).toBeOk(Cl.bool(true));
    expect(status(facilityId)).toBe("approved");
    expect(readOnly("is-approved", [Cl.uint(facilityId)])).toBeBool(true);
    expect(printedTopic(reinstated.events, "facility-reinstated")).toBeTuple({
      topic: Cl.stringAscii("facility-reinstated"),
      "facility-id": Cl.uint(facilityId),
      owner: Cl.principal(owner),
      admin: Cl.principal(deployer),
    });

    // The cycle can repeat.
    expect(call("suspend-facility", [Cl.uint(facilityId)], deployer).result).toBeOk(Cl.bool(true));
    expect(call("reinstate-facility", [Cl.uint(facilityId)], deployer).result).toBeOk(Cl.bool(true));
  });

  it("suspend-facility fails with ERR_NOT_ADMIN for a stranger and the owner", () => {
    const facilityId = registerApprovedFacility(owner);
    for (const sender of [stranger, owner]) {
      expect(call("suspend-facility", [Cl.uint(facilityId)], sender).result).toBeErr(Cl.uint(ERR_NOT_ADMIN));
    }
    expect(status(facilityId)).toBe("approved");
  });

  it("reinstate-facility fails with ERR_NOT_ADMIN for a stranger and the owner", () => {
    const facilityId = facilityIn("suspended");
    for (const sender of [stranger, owner]) {
      expect(call("reinstate-facility", [Cl.uint(facilityId)], sender).result).toBeErr(Cl.uint(ERR_NOT_ADMIN));
    }
    expect(status(facilityId)).toBe("suspended");
  });

  it("both fail with ERR_FACILITY_NOT_FOUND for an unknown facility", () => {
    expect(call("suspend-facility", [Cl.uint(UNKNOWN_FACILITY)], deployer).result).toBeErr(
      Cl.uint(ERR_FACILITY_NOT_FOUND),
    );
    expect(call("reinstate-facility", [Cl.uint(UNKNOWN_FACILITY)], deployer).result).toBeErr(
      Cl.uint(ERR_FACILITY_NOT_FOUND),
    );
  });

  it.each(["pending", "rejected", "suspended"] as const)(
    "suspend-facility fails with ERR_NOT_APPROVED from %s",
    (state) => {
      const facilityId = facilityIn(state);
      expect(call("suspend-facility", [Cl.uint(facilityId)], deployer).result).toBeErr(Cl.uint(ERR_NOT_APPROVED));
      expect(status(facilityId)).toBe(state);
    },
  );

  it.each(["pending", "approved", "rejected"] as const)(
    "reinstate-facility fails with ERR_NOT_SUSPENDED from %s",
    (state) => {
      const facilityId = facilityIn(state);
      expect(call("reinstate-facility", [Cl.uint(facilityId)], deployer).result).toBeErr(Cl.uint(ERR_NOT_SUSPENDED));
      expect(status(facilityId)).toBe(state);
    },
  );
});

describe("set-operator and is-facility-authorized", () => {
  it("lets the owner enable an operator, printing operator-set, and later revoke it", () => {
    const facilityId = registerFacility(owner);
    expect(readOnly("is-facility-authorized", [Cl.uint(facilityId), Cl.principal(owner)])).toBeBool(true);
    expect(readOnly("is-facility-authorized", [Cl.uint(facilityId), Cl.principal(operator)])).toBeBool(false);

    const enabled = call("set-operator", [Cl.uint(facilityId), Cl.principal(operator), Cl.bool(true)], owner);
    expect(enabled.result).toBeOk(Cl.bool(true));
    expect(readOnly("is-operator", [Cl.uint(facilityId), Cl.principal(operator)])).toBeBool(true);
    expect(readOnly("is-facility-authorized", [Cl.uint(facilityId), Cl.principal(operator)])).toBeBool(true);
    expect(printedTopic(enabled.events, "operator-set")).toBeTuple({
      topic: Cl.stringAscii("operator-set"),
      "facility-id": Cl.uint(facilityId),
      operator: Cl.principal(operator),
      enabled: Cl.bool(true),
    });

    const revoked = call("set-operator", [Cl.uint(facilityId), Cl.principal(operator), Cl.bool(false)], owner);
    expect(revoked.result).toBeOk(Cl.bool(true));
    expect(readOnly("is-operator", [Cl.uint(facilityId), Cl.principal(operator)])).toBeBool(false);
    expect(readOnly("is-facility-authorized", [Cl.uint(facilityId), Cl.principal(operator)])).toBeBool(false);
    expect(printedTopic(revoked.events, "operator-set")).toBeTuple({
      topic: Cl.stringAscii("operator-set"),
      "facility-id": Cl.uint(facilityId),
      operator: Cl.principal(operator),
      enabled: Cl.bool(false),
    });
  });

  it("scopes an operator to one facility", () => {
    const mine = registerFacility(owner);
    const theirs = registerFacility(otherOwner);
    setOperator(mine, owner, operator);
    expect(readOnly("is-facility-authorized", [Cl.uint(mine), Cl.principal(operator)])).toBeBool(true);
    expect(readOnly("is-facility-authorized", [Cl.uint(theirs), Cl.principal(operator)])).toBeBool(false);
    expect(readOnly("is-facility-authorized", [Cl.uint(theirs), Cl.principal(owner)])).toBeBool(false);
  });

  it("answers false and none for an unknown facility", () => {
    expect(readOnly("is-facility-authorized", [Cl.uint(UNKNOWN_FACILITY), Cl.principal(owner)])).toBeBool(false);
    expect(readOnly("is-approved", [Cl.uint(UNKNOWN_FACILITY)])).toBeBool(false);
    expect(readOnly("get-facility", [Cl.uint(UNKNOWN_FACILITY)])).toBeNone();
    expect(readOnly("get-facility-owner", [Cl.uint(UNKNOWN_FACILITY)])).toBeNone();
  });

  it("fails with ERR_NOT_OWNER for a stranger, the owner of another facility, an operator and an admin", () => {
    const facilityId = registerFacility(owner);
    registerFacility(otherOwner);
    setOperator(facilityId, owner, operator);
    for (const sender of [stranger, otherOwner, operator, deployer]) {
      expect(call("set-operator", [Cl.uint(facilityId), Cl.principal(wallet5), Cl.bool(true)], sender).result).toBeErr(
        Cl.uint(ERR_NOT_OWNER),
      );
    }
    // An operator cannot revoke the delegation of another either.
    expect(
      call("set-operator", [Cl.uint(facilityId), Cl.principal(operator), Cl.bool(false)], operator).result,
    ).toBeErr(Cl.uint(ERR_NOT_OWNER));
    expect(readOnly("is-operator", [Cl.uint(facilityId), Cl.principal(wallet5)])).toBeBool(false);
    expect(readOnly("is-operator", [Cl.uint(facilityId), Cl.principal(operator)])).toBeBool(true);
  });

  it("fails with ERR_NOT_OWNER for an operator whose delegation was revoked", () => {
    const facilityId = registerFacility(owner);
    setOperator(facilityId, owner, operator);
    setOperator(facilityId, owner, operator, false);
    expect(call("set-operator", [Cl.uint(facilityId), Cl.principal(operator), Cl.bool(true)], operator).result).toBeErr(
      Cl.uint(ERR_NOT_OWNER),
    );
    expect(readOnly("is-facility-authorized", [Cl.uint(facilityId), Cl.principal(operator)])).toBeBool(false);
  });

  it("fails with ERR_OPERATOR_IS_OWNER when the owner names themself", () => {
    const facilityId = registerFacility(owner);
    for (const enabled of [true, false]) {
      expect(call("set-operator", [Cl.uint(facilityId), Cl.principal(owner), Cl.bool(enabled)], owner).result).toBeErr(
        Cl.uint(ERR_OPERATOR_IS_OWNER),
      );
    }
    expect(readOnly("is-operator", [Cl.uint(facilityId), Cl.principal(owner)])).toBeBool(false);
  });

  it("fails with ERR_FACILITY_NOT_FOUND for an unknown facility", () => {
    expect(
      call("set-operator", [Cl.uint(UNKNOWN_FACILITY), Cl.principal(operator), Cl.bool(true)], owner).result,
    ).toBeErr(Cl.uint(ERR_FACILITY_NOT_FOUND));
  });
});

describe("add-admin and remove-admin", () => {
  const newAdmin = wallet6;
  const thirdAdmin = wallet7;

  function addAdmins(...who: string[]): void {
    for (const admin of who) callOk("facility-registry", "add-admin", [Cl.principal(admin)], deployer);
  }

  it("starts with the deployer as the only admin", () => {
    expect(readOnly("is-admin", [Cl.principal(deployer)])).toBeBool(true);
    expect(readOnly("is-admin", [Cl.principal(newAdmin)])).toBeBool(false);
    expect(readOnly("get-admin-count", [])).toBeUint(1);
  });

  it("adds an admin who can then review facilities and add admins, printing admin-added", () => {
    const { result, events } = call("add-admin", [Cl.principal(newAdmin)], deployer);
    expect(result).toBeOk(Cl.bool(true));
    expect(readOnly("is-admin", [Cl.principal(newAdmin)])).toBeBool(true);
    expect(readOnly("get-admin-count", [])).toBeUint(2);
    expect(printedTopic(events, "admin-added")).toBeTuple({
      topic: Cl.stringAscii("admin-added"),
      admin: Cl.principal(newAdmin),
      by: Cl.principal(deployer),
    });
    const facilityId = registerFacility(owner);
    expect(call("approve-facility", [Cl.uint(facilityId)], newAdmin).result).toBeOk(Cl.bool(true));
    expect(call("add-admin", [Cl.principal(thirdAdmin)], newAdmin).result).toBeOk(Cl.bool(true));
    expect(readOnly("get-admin-count", [])).toBeUint(3);
  });

  it("add-admin fails with ERR_ALREADY_ADMIN and keeps the count", () => {
    addAdmins(newAdmin);
    expect(call("add-admin", [Cl.principal(newAdmin)], deployer).result).toBeErr(Cl.uint(ERR_ALREADY_ADMIN));
    expect(call("add-admin", [Cl.principal(deployer)], newAdmin).result).toBeErr(Cl.uint(ERR_ALREADY_ADMIN));
    expect(readOnly("get-admin-count", [])).toBeUint(2);
  });

  it("add-admin and remove-admin fail with ERR_NOT_ADMIN for a non-admin, including a facility owner", () => {
    addAdmins(newAdmin);
    registerFacility(owner);
    for (const sender of [stranger, owner]) {
      expect(call("add-admin", [Cl.principal(sender)], sender).result).toBeErr(Cl.uint(ERR_NOT_ADMIN));
      expect(call("remove-admin", [Cl.principal(newAdmin)], sender).result).toBeErr(Cl.uint(ERR_NOT_ADMIN));
    }
    expect(readOnly("is-admin", [Cl.principal(stranger)])).toBeBool(false);
    expect(readOnly("is-admin", [Cl.principal(newAdmin)])).toBeBool(true);
    expect(readOnly("get-admin-count", [])).toBeUint(2);
  });

  it("remove-admin fails with ERR_UNKNOWN_ADMIN for someone who is not an admin", () => {
    addAdmins(newAdmin);
    expect(call("remove-admin", [Cl.principal(stranger)], deployer).result).toBeErr(Cl.uint(ERR_UNKNOWN_ADMIN));
    expect(readOnly("get-admin-count", [])).toBeUint(2);
  });

  it("removes an admin, printing admin-removed; the removed admin loses every admin right", () => {
    addAdmins(newAdmin, thirdAdmin);
    const pending = registerFacility(owner);
    const approved = registerApprovedFacility(owner);
    const suspended = facilityIn("suspended");

    const { result, events } = call("remove-admin", [Cl.principal(newAdmin)], deployer);
    expect(result).toBeOk(Cl.bool(true));
    expect(readOnly("is-admin", [Cl.principal(newAdmin)])).toBeBool(false);
    expect(readOnly("get-admin-count", [])).toBeUint(2);
    expect(printedTopic(events, "admin-removed")).toBeTuple({
      topic: Cl.stringAscii("admin-removed"),
      admin: Cl.principal(newAdmin),
      by: Cl.principal(deployer),
    });
    expect(call("approve-facility", [Cl.uint(pending)], newAdmin).result).toBeErr(Cl.uint(ERR_NOT_ADMIN));
    expect(call("reject-facility", [Cl.uint(pending), Cl.stringAscii("x")], newAdmin).result).toBeErr(
      Cl.uint(ERR_NOT_ADMIN),
    );
    expect(call("suspend-facility", [Cl.uint(approved)], newAdmin).result).toBeErr(Cl.uint(ERR_NOT_ADMIN));
    expect(call("reinstate-facility", [Cl.uint(suspended)], newAdmin).result).toBeErr(Cl.uint(ERR_NOT_ADMIN));
    expect(call("add-admin", [Cl.principal(newAdmin)], newAdmin).result).toBeErr(Cl.uint(ERR_NOT_ADMIN));
    expect(call("remove-admin", [Cl.principal(thirdAdmin)], newAdmin).result).toBeErr(Cl.uint(ERR_NOT_ADMIN));
    expect(call("remove-admin", [Cl.principal(newAdmin)], deployer).result).toBeErr(Cl.uint(ERR_UNKNOWN_ADMIN));
    expect(status(pending)).toBe("pending");
    expect(status(approved)).toBe("approved");
    expect(status(suspended)).toBe("suspended");
  });

  it("lets an admin remove themself while another admin remains", () => {
    addAdmins(newAdmin);
    expect(call("remove-admin", [Cl.principal(newAdmin)], newAdmin).result).toBeOk(Cl.bool(true));
    expect(readOnly("is-admin", [Cl.principal(newAdmin)])).toBeBool(false);
    expect(readOnly("get-admin-count", [])).toBeUint(1);
  });

  it("remove-admin fails with ERR_LAST_ADMIN for the last admin", () => {
    expect(call("remove-admin", [Cl.principal(deployer)], deployer).result).toBeErr(Cl.uint(ERR_LAST_ADMIN));
    expect(readOnly("is-admin", [Cl.principal(deployer)])).toBeBool(true);
    expect(readOnly("get-admin-count", [])).toBeUint(1);
  });

  it("ERR_LAST_ADMIN protects any last admin, not only the deployer, after the others were removed", () => {
    addAdmins(newAdmin, thirdAdmin);
    expect(call("remove-admin", [Cl.principal(deployer)], newAdmin).result).toBeOk(Cl.bool(true));
    expect(call("remove-admin", [Cl.principal(thirdAdmin)], newAdmin).result).toBeOk(Cl.bool(true));
    expect(call("remove-admin", [Cl.principal(newAdmin)], newAdmin).result).toBeErr(Cl.uint(ERR_LAST_ADMIN));
    expect(readOnly("get-admin-count", [])).toBeUint(1);
    expect(readOnly("is-admin", [Cl.principal(newAdmin)])).toBeBool(true);
    expect(call("add-admin", [Cl.principal(deployer)], deployer).result).toBeErr(Cl.uint(ERR_NOT_ADMIN));
  });
});
