import { Cl } from "@stacks/transactions";
import { describe, expect, it } from "vitest";

const accounts = simnet.getAccounts();
const owner = accounts.get("wallet_1")!;

describe("smoke", () => {
  it("registers a facility", () => {
    const { result } = simnet.callPublicFn(
      "facility-registry",
      "register-facility",
      [Cl.stringUtf8("A"), Cl.stringUtf8("B"), Cl.uint(10), Cl.uint(5)],
      owner,
    );
    expect(result).toBeOk(Cl.uint(1));
  });
});
