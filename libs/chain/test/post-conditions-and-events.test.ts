import { Cl } from "@stacks/transactions";
import { describe, expect, it } from "vitest";
import { postConditions, resolveContracts } from "../src/index.js";
import { decodePrintEvent } from "../src/print-events.js";

const contracts = resolveContracts({ deployer: "ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM" });

describe("post-conditions", () => {
  it("states the signer's exact escrow for create-service-request and deposit-revenue", () => {
    expect(postConditions.createServiceRequest(5_000n)).toEqual([
      { type: "stx-postcondition", address: "origin", condition: "eq", amount: "5000" },
    ]);
    expect(postConditions.depositRevenue(7n)).toEqual([
      { type: "stx-postcondition", address: "origin", condition: "eq", amount: "7" },
    ]);
  });

  it("names the contract principal as the sender of a contract's outflow", () => {
    expect(postConditions.fulfillRequest(contracts["grid-services"], 900n)).toEqual([
      { type: "stx-postcondition", address: contracts["grid-services"].id, condition: "lte", amount: "900" },
    ]);
    expect(postConditions.cancelRequest(contracts["grid-services"], 900n)[0]).toMatchObject({
      condition: "eq",
      address: contracts["grid-services"].id,
    });
    expect(postConditions.distributeRevenue(contracts["revenue-sharing"], 10n)[0]).toMatchObject({
      condition: "lte",
      address: contracts["revenue-sharing"].id,
      amount: "10",
    });
  });
});

describe("print events", () => {
  it("decodes a tuple into a typed event with camelCase keys and micro-STX names", () => {
    const value = Cl.tuple({
      topic: Cl.stringAscii("service-fulfilled"),
      "request-id": Cl.uint(4),
      "facility-id": Cl.uint(2),
      "performance-bps": Cl.uint(9_000),
      payment: Cl.uint(1_000),
      payout: Cl.uint(900),
      refund: Cl.uint(100),
      requester: Cl.principal("ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM"),
    });
    const event = decodePrintEvent("grid-services", contracts["grid-services"].id, value);
    expect(event).toEqual({
      contract: "grid-services",
      contractId: contracts["grid-services"].id,
      payload: {
        topic: "service-fulfilled",
        requestId: 4n,
        facilityId: 2n,
        performanceBps: 9_000n,
        paymentUstx: 1_000n,
        payoutUstx: 900n,
        refundUstx: 100n,
        requester: "ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM",
      },
    });
  });

  it("decodes lists of tuples and refuses an unknown topic", () => {
    const shares = Cl.tuple({
      topic: Cl.stringAscii("shares-updated"),
      "facility-id": Cl.uint(1),
      version: Cl.uint(2),
      shares: Cl.list([
        Cl.tuple({
          stakeholder: Cl.principal("ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM"),
          "share-bps": Cl.uint(10_000),
        }),
      ]),
    });
    const event = decodePrintEvent("revenue-sharing", contracts["revenue-sharing"].id, shares);
    expect(event.payload).toMatchObject({
      shares: [{ stakeholder: "ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM", shareBps: 10_000n }],
    });
    expect(() => decodePrintEvent("revenue-sharing", "x.y", Cl.tuple({ topic: Cl.stringAscii("mystery") }))).toThrow(
      /does not know/,
    );
  });
});
