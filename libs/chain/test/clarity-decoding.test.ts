import { boolCV, noneCV, someCV, stringAsciiCV, stringUtf8CV, tupleCV, uintCV } from "@stacks/transactions";
import { describe, expect, it } from "vitest";
import { toPlain } from "../src/index.js";

describe("Clarity values as plain values", () => {
  it("keeps tuples, numbers, options and strings as they are on chain", () => {
    const print = tupleCV({
      topic: stringAsciiCV("facility-registered"),
      "facility-id": uintCV(7),
      name: stringUtf8CV("Speicher Süd ⚡"),
      approved: boolCV(false),
      reason: noneCV(),
      location: someCV(stringUtf8CV("Leipzig")),
    });
    expect(toPlain(print)).toEqual({
      topic: "facility-registered",
      facilityId: 7n,
      name: "Speicher Süd ⚡",
      approved: false,
      reason: null,
      location: "Leipzig",
    });
  });

  it("reads U+0000 in a UTF-8 string, which no read model can store, as U+FFFD", () => {
    expect(toPlain(stringUtf8CV("bad\u0000name"))).toBe("bad\uFFFDname");
  });
});
