import { describe, expect, it } from "vitest";
import type { ContractPrintEvent, SyncBlock } from "@voltstack/chain-sync";
import { InMemoryTables } from "@voltstack/service-testing/in-memory";
import { projectGridEvent } from "../src/chain-sync/grid-projection.js";
import type { Prisma } from "../src/generated/prisma/client.js";

// How grid-services prints become the service requests and frequency status read model
// and the events published for them, on tables kept in memory: no database, no chain.

type GridPrint = ContractPrintEvent<"grid-services">;

const ADMIN = "ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM";
const OPERATOR = "ST2CY5V39NHDPWSXMW9QDT3HC3GD6Q6XX4CFRK9AG";
const METER = "ST2JHG361ZXG51QTKY2NQCVBPPRRE2KZB1HR05NNC";
// More micro-STX than a JSON number holds exactly, fewer than a BIGINT column holds.
const BEYOND_2_53 = 9_007_199_254_740_993n;

const block = (height: number): SyncBlock => ({ height, time: `2026-11-24T07:00:${String(height).padStart(2, "0")}Z` });

function print(payload: GridPrint["payload"], txid: string): GridPrint {
  return {
    contract: "grid-services",
    contractId: `${ADMIN}.grid-services`,
    payload,
    txid,
    blockHeight: 0,
    txIndex: 0,
    eventIndex: 0,
  };
}

const requested = (requestId: bigint, paymentUstx: bigint) =>
  print(
    {
      topic: "service-requested",
      requestId,
      serviceType: "frequency-regulation",
      powerKw: 100n,
      energyKwh: 200n,
      paymentUstx,
      requester: ADMIN,
      expiresAt: 1_000n,
    },
    "a1",
  );

const accepted = (requestId: bigint) =>
  print(
    { topic: "service-accepted", requestId, facilityId: 3n, energyKwh: 200n, powerKw: 100n, acceptedBy: OPERATOR },
    "b2",
  );

const fulfilled = (requestId: bigint, paymentUstx: bigint, performanceBps: bigint, payoutUstx: bigint) =>
  print(
    {
      topic: "service-fulfilled",
      requestId,
      facilityId: 3n,
      performanceBps,
      paymentUstx,
      payoutUstx,
      refundUstx: paymentUstx - payoutUstx,
      requester: ADMIN,
    },
    "c3",
  );

function readModel() {
  const tables = new InMemoryTables({
    serviceRequest: {
      facilityId: null,
      acceptedBy: null,
      performanceBps: null,
      payoutUstx: 0n,
      refundUstx: 0n,
      expired: null,
    },
    frequencyStatus: { lastReadingMhz: null, lastReadingHeight: null, lastReporter: null },
  });
  const apply = (event: GridPrint, height: number) =>
    projectGridEvent(event, { tx: tables.client<Prisma.TransactionClient>(), block: block(height) });
  return { tables, apply };
}

describe("the grid services projection", () => {
  it("follows a request from open to fulfilled: the payout and the refund as the contract split the payment", async () => {
    const { tables, apply } = readModel();
    await apply(requested(1n, 1_000_003n), 5);
    expect(tables.row("serviceRequest", { id: 1 })).toMatchObject({
      status: "open",
      paymentUstx: 1_000_003n,
      payoutUstx: 0n,
      refundUstx: 0n,
    });
    await apply(accepted(1n), 6);

    const derived = await apply(fulfilled(1n, 1_000_003n, 7_500n, 750_002n), 7);

    expect(tables.row("serviceRequest", { id: 1 })).toEqual({
      id: 1,
      serviceType: "frequency-regulation",
      powerKw: 100n,
      energyKwh: 200n,
      paymentUstx: 1_000_003n,
      requester: ADMIN,
      expiresAt: 1_000,
      createdTxid: "0xa1",
      createdHeight: 5,
      status: "fulfilled",
      facilityId: 3,
      acceptedBy: OPERATOR,
      performanceBps: 7_500,
      payoutUstx: 750_002n,
      refundUstx: 250_001n,
      expired: null,
      lastTxid: "0xc3",
      lastHeight: 7,
      updatedAt: new Date("2026-11-24T07:00:07Z"),
    });
    expect(derived).toEqual([
      {
        type: "service.fulfilled",
        payload: expect.objectContaining({ requestId: 1, facilityId: 3, performanceBps: 7_500 }),
      },
    ]);
  });

  it("does not reopen a settled request when its creation is applied again (a replay)", async () => {
    const { tables, apply } = readModel();
    await apply(requested(2n, 5_000n), 5);
    await apply(accepted(2n), 6);
    await apply(fulfilled(2n, 5_000n, 10_000n, 5_000n), 7);

    await apply(requested(2n, 5_000n), 5);

    expect(tables.rows("serviceRequest")).toHaveLength(1);
    expect(tables.row("serviceRequest", { id: 2 })).toMatchObject({
      status: "fulfilled",
      payoutUstx: 5_000n,
      refundUstx: 0n,
      lastHeight: 7,
    });
  });

  it("keeps a zero payout and the whole payment refunded when nothing was delivered", async () => {
    const { tables, apply } = readModel();
    await apply(requested(3n, 2_500_000n), 5);
    await apply(accepted(3n), 6);

    await apply(fulfilled(3n, 2_500_000n, 0n, 0n), 7);

    expect(tables.row("serviceRequest", { id: 3 })).toMatchObject({
      performanceBps: 0,
      payoutUstx: 0n,
      refundUstx: 2_500_000n,
    });
  });

  it("writes a cancellation's refund and whether the request expired", async () => {
    const { tables, apply } = readModel();
    await apply(requested(4n, 2_500_000n), 5);

    await apply(
      print(
        { topic: "service-cancelled", requestId: 4n, refundUstx: 2_500_000n, requester: ADMIN, expired: true },
        "d4",
      ),
      8,
    );

    expect(tables.row("serviceRequest", { id: 4 })).toMatchObject({
      status: "cancelled",
      refundUstx: 2_500_000n,
      expired: true,
      lastHeight: 8,
    });
  });

  it("holds a payment above 2^53 exactly, and does not follow one beyond a BIGINT column", async () => {
    const { tables, apply } = readModel();

    await apply(requested(5n, BEYOND_2_53), 5);
    const beyondColumn = await apply(requested(6n, 9_223_372_036_854_775_808n), 5);

    expect(tables.row("serviceRequest", { id: 5 })).toMatchObject({ paymentUstx: BEYOND_2_53 });
    expect(beyondColumn).toEqual([]);
    expect(tables.rows("serviceRequest").map((row) => row.id)).toEqual([5]);
  });

  it("keeps the frequency status: the target, the last reading and whether it deviates", async () => {
    const { tables, apply } = readModel();
    await apply(print({ topic: "frequency-target-set", targetMhz: 50_000n, deadbandMhz: 200n, by: ADMIN }, "e5"), 5);
    expect(tables.row("frequencyStatus", { id: 1 })).toMatchObject({ deviating: false, lastReadingMhz: null });

    await apply(
      print(
        {
          topic: "frequency-deviation",
          frequencyMhz: 49_700n,
          targetMhz: 50_000n,
          deadbandMhz: 200n,
          deviationMhz: 300n,
          deviating: true,
          reporter: METER,
        },
        "f6",
      ),
      6,
    );

    expect(tables.rows("frequencyStatus")).toEqual([
      {
        id: 1,
        targetMhz: 50_000,
        deadbandMhz: 200,
        lastReadingMhz: 49_700,
        lastReadingHeight: 6,
        lastReporter: METER,
        deviating: true,
        lastTxid: "0xf6",
        lastHeight: 6,
        updatedAt: new Date("2026-11-24T07:00:06Z"),
      },
    ]);
  });
});
