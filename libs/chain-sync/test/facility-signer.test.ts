import { describe, expect, it } from "vitest";
import { ApiError, type Caller } from "@voltstack/service-kit";
import { signerForFacility, type SignerKeys } from "../src/index.js";

const OWNER_1 = "ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5";
const OWNER_2 = "ST2CY5V39NHDPWSXMW9QDT3HC3GD6Q6XX4CFRK9AG";
const OPERATOR = "ST2JHG361ZXG51QTKY2NQCVBPPRRE2KZB1HR05NNC";

const facility = { id: 7, owner: OWNER_1, operators: [OPERATOR] };

function caller(...principals: string[]): Caller {
  return { id: "key", via: "api-key", roles: ["owner", "operator"], principals };
}

/** A writer holding keys for `principals` only. */
function holding(...principals: string[]): SignerKeys {
  return { held: (candidates) => candidates.filter((p) => principals.includes(p)) };
}

function refusal(run: () => unknown): { status: number; code: string; details: unknown } {
  try {
    run();
  } catch (error) {
    if (error instanceof ApiError) return { status: error.status, code: error.code, details: error.details };
    throw error;
  }
  throw new Error("expected a refusal");
}

describe("signerForFacility", () => {
  const allKeys = holding(OWNER_1, OWNER_2, OPERATOR);

  it("signs as the owner, or as an enabled operator, and as the actAs named among them", () => {
    expect(signerForFacility(allKeys, caller(OWNER_1), facility)).toBe(OWNER_1);
    expect(signerForFacility(allKeys, caller(OPERATOR), facility)).toBe(OPERATOR);
    expect(signerForFacility(allKeys, caller(OWNER_1, OPERATOR), facility)).toBe(OWNER_1);
    expect(signerForFacility(allKeys, caller(OWNER_1, OPERATOR), facility, OPERATOR)).toBe(OPERATOR);
    // A principal of the caller that has nothing to do with the facility does not get in the way.
    expect(signerForFacility(allKeys, caller(OWNER_2, OPERATOR), facility)).toBe(OPERATOR);
  });

  it("refuses an actAs naming another principal of the caller with 403 FACILITY_NOT_AUTHORIZED", () => {
    expect(refusal(() => signerForFacility(allKeys, caller(OWNER_1, OWNER_2), facility, OWNER_2))).toEqual({
      status: 403,
      code: "FACILITY_NOT_AUTHORIZED",
      details: { facilityId: 7, principal: OWNER_2, owner: OWNER_1 },
    });
  });

  it("refuses a caller with no principal that may sign for the facility", () => {
    expect(refusal(() => signerForFacility(allKeys, caller(OWNER_2), facility))).toEqual({
      status: 403,
      code: "FACILITY_NOT_AUTHORIZED",
      details: { facilityId: 7, principal: null, owner: OWNER_1 },
    });
    // An operator disabled (not in the list) is no operator.
    expect(refusal(() => signerForFacility(allKeys, caller(OPERATOR), { ...facility, operators: [] })).code).toBe(
      "FACILITY_NOT_AUTHORIZED",
    );
  });

  it("refuses an actAs the caller may not act for at all, whoever it is on the facility", () => {
    expect(refusal(() => signerForFacility(allKeys, caller(OPERATOR), facility, OWNER_1))).toMatchObject({
      status: 403,
      code: "PRINCIPAL_NOT_ALLOWED",
    });
  });

  it("asks for actAs when two operators' keys are held, and says when no key is held", () => {
    const second = "ST2NEB84ASENDXKYGJPQW86YXQCEFEX2ZQPG87ND";
    const twoOperators = { ...facility, operators: [OPERATOR, second] };
    expect(
      refusal(() => signerForFacility(holding(OPERATOR, second), caller(OPERATOR, second), twoOperators)),
    ).toMatchObject({ status: 400, code: "ACTING_PRINCIPAL_REQUIRED" });
    expect(refusal(() => signerForFacility(holding(), caller(OPERATOR), facility))).toMatchObject({
      status: 422,
      code: "NO_SIGNER_FOR_CALLER",
    });
  });
});
