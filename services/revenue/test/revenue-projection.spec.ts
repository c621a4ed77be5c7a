import { describe, expect, it } from "vitest";
import type { ContractPrintEvent, SyncBlock } from "@voltstack/chain-sync";
import { InMemoryTables } from "@voltstack/service-testing/in-memory";
import { POOL_SOURCE, projectRevenueEvent } from "../src/chain-sync/revenue-projection.js";
import type { Prisma } from "../src/generated/prisma/client.js";

// How revenue-sharing prints become a facility's pool (its balance, what was deposited into
// it and distributed out of it), the deposits, distributions and payments, and the events
// published for them; on tables kept in memory, no database, no chain.

type RevenuePrint = ContractPrintEvent<"revenue-sharing">;

const ADMIN = "ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM";
const OWNER = "ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5";
const INVESTOR = "ST2NEB84ASENDXKYGJPQW86YXQCEFEX2ZQPG87ND";
// More micro-STX than a JSON number holds exactly, fewer than a BIGINT column holds.
const BEYOND_2_53 = 9_007_199_254_740_993n;

const block = (height: number): SyncBlock => ({ height, time: `2026-11-24T07:00:${String(height).padStart(2, "0")}Z` });

function print(payload: RevenuePrint["payload"], txid: string, txIndex = 0): RevenuePrint {
  return {
    contract: "revenue-sharing",
    contractId: `${ADMIN}.revenue-sharing`,
    payload,
    txid,
    blockHeight: 0,
    txIndex,
    eventIndex: 0,
  };
}

const deposited = (depositId: bigint, amountUstx: bigint, poolBalanceUstx: bigint) =>
  print(
    {
      topic: "revenue-deposited",
      depositId,
      facilityId: 1n,
      amountUstx,
      source: `grid-request:${depositId}`,
      depositor: ADMIN,
      poolBalanceUstx,
    },
    `d${depositId}`,
  );

const paid = (paymentId: bigint, distributionId: bigint, stakeholder: string, shareBps: bigint, amountUstx: bigint) =>
  print(
    { topic: "revenue-paid", paymentId, distributionId, facilityId: 1n, stakeholder, shareBps, amountUstx },
    `e${distributionId}`,
  );

/** A revenue-distributed print; `source` is absent from the prints of distributions out of the pool made before batches. */
const distributed = (distributionId: bigint, amountUstx: bigint, firstPaymentId: bigint, source?: string) =>
  print(
    {
      topic: "revenue-distributed",
      distributionId,
      facilityId: 1n,
      amountUstx,
      sharesVersion: 1n,
      firstPaymentId,
      paymentCount: 2n,
      distributedBy: ADMIN,
      ...(source === undefined ? {} : { source }),
    } as RevenuePrint["payload"],
    `e${distributionId}`,
  );

function readModel() {
  const tables = new InMemoryTables({
    revenuePool: { balanceUstx: 0n, sharesVersion: 0, depositedUstx: 0n, distributedUstx: 0n },
    revenueDistribution: { source: POOL_SOURCE, poolAfterUstx: null },
    revenuePayment: { source: POOL_SOURCE },
  });
  const apply = (event: RevenuePrint, height: number) =>
    projectRevenueEvent(event, { tx: tables.client<Prisma.TransactionClient>(), block: block(height) });
  return { tables, apply };
}

describe("the revenue projection", () => {
  it("takes the pool's balance from each deposit and adds its amount to what was deposited", async () => {
    const { tables, apply } = readModel();
    await apply(deposited(1n, 750_002n, 750_002n), 5);

    const derived = await apply(deposited(2n, 3_000_000n, 3_750_002n), 6);

    expect(tables.row("revenuePool", { facilityId: 1 })).toEqual({
      facilityId: 1,
      balanceUstx: 3_750_002n,
      sharesVersion: 0,
      depositedUstx: 3_750_002n,
      distributedUstx: 0n,
      lastTxid: "0xd2",
      lastHeight: 6,
      updatedAt: new Date("2026-11-24T07:00:06Z"),
    });
    expect(derived).toEqual([
      {
        type: "revenue.deposited",
        payload: expect.objectContaining({
          depositId: 2,
          facilityId: 1,
          amountUstx: 3_000_000n,
          poolBalanceUstx: 3_750_002n,
        }),
      },
    ]);
  });

  it("adds a deposit to what was deposited once however often its block is applied (a replay)", async () => {
    const { tables, apply } = readModel();
    await apply(deposited(1n, 750_002n, 750_002n), 5);

    await apply(deposited(1n, 750_002n, 750_002n), 5);

    expect(tables.rows("revenueDeposit")).toHaveLength(1);
    expect(tables.row("revenuePool", { facilityId: 1 })).toMatchObject({
      balanceUstx: 750_002n,
      depositedUstx: 750_002n,
    });
  });

  it("leaves the pool with what it held less the distribution, and publishes the payments stored before it", async () => {
    const { tables, apply } = readModel();
    await apply(deposited(1n, 1_000_000n, 1_000_000n), 5);
    await apply(paid(1n, 1n, OWNER, 7_000n, 700_000n), 6);
    await apply(paid(2n, 1n, INVESTOR, 3_000n, 299_999n), 6);

    const derived = await apply(distributed(1n, 999_999n, 1n), 6);

    expect(tables.row("revenueDistribution", { distributionId: 1 })).toMatchObject({
      amountUstx: 999_999n,
      source: POOL_SOURCE,
      poolAfterUstx: 1n,
    });
    expect(tables.row("revenuePool", { facilityId: 1 })).toMatchObject({
      balanceUstx: 1n,
      depositedUstx: 1_000_000n,
      distributedUstx: 999_999n,
    });
    expect(derived).toEqual([
      {
        type: "revenue.distributed",
        payload: expect.objectContaining({
          distributionId: 1,
          amountUstx: 999_999n,
          source: POOL_SOURCE,
          payments: [
            { paymentId: 1, stakeholder: OWNER, shareBps: 7_000, amountUstx: 700_000n },
            { paymentId: 2, stakeholder: INVESTOR, shareBps: 3_000, amountUstx: 299_999n },
          ],
        }),
      },
    ]);
  });

  it("keeps a distribution's pool-after when it is applied again after later deposits (a replay)", async () => {
    const { tables, apply } = readModel();
    await apply(deposited(1n, 1_000_000n, 1_000_000n), 5);
    await apply(distributed(1n, 600_000n, 1n), 6);
    await apply(deposited(2n, 500_000n, 900_000n), 7);

    await apply(distributed(1n, 600_000n, 1n), 6);

    expect(tables.row("revenueDistribution", { distributionId: 1 })).toMatchObject({ poolAfterUstx: 400_000n });
    expect(tables.row("revenuePool", { facilityId: 1 })).toMatchObject({
      balanceUstx: 400_000n,
      depositedUstx: 1_500_000n,
      distributedUstx: 600_000n,
    });
  });

  it("leaves zero, not less, when a distribution pays out more than the pool held", async () => {
    const { tables, apply } = readModel();
    await apply(deposited(1n, 100n, 100n), 5);

    await apply(distributed(1n, 150n, 1n), 6);

    expect(tables.row("revenueDistribution", { distributionId: 1 })).toMatchObject({ poolAfterUstx: 0n });
    expect(tables.row("revenuePool", { facilityId: 1 })).toMatchObject({ balanceUstx: 0n, distributedUstx: 150n });
  });

  it("leaves the pool alone for a program's earnings, paid by the program, and marks their payments with its source", async () => {
    const { tables, apply } = readModel();
    await apply(deposited(1n, 1_000n, 1_000n), 5);
    await apply(paid(1n, 1n, OWNER, 10_000n, 215_000n), 6);

    await apply(distributed(1n, 215_000n, 1n, "program:1"), 6);

    expect(tables.row("revenueDistribution", { distributionId: 1 })).toMatchObject({
      source: "program:1",
      poolAfterUstx: null,
    });
    expect(tables.row("revenuePayment", { paymentId: 1 })).toMatchObject({ source: "program:1" });
    expect(tables.row("revenuePool", { facilityId: 1 })).toMatchObject({
      balanceUstx: 1_000n,
      distributedUstx: 0n,
      lastHeight: 5,
    });
  });

  it("holds amounts above 2^53 exactly, and does not follow ids beyond an INTEGER column", async () => {
    const { tables, apply } = readModel();

    await apply(deposited(1n, BEYOND_2_53, BEYOND_2_53), 5);
    const beyondColumn = await apply(deposited(2_147_483_648n, 1n, BEYOND_2_53 + 1n), 6);

    expect(beyondColumn).toEqual([]);
    expect(tables.rows("revenueDeposit").map((row) => row.depositId)).toEqual([1]);
    expect(tables.row("revenuePool", { facilityId: 1 })).toMatchObject({
      balanceUstx: BEYOND_2_53,
      depositedUstx: BEYOND_2_53,
    });
  });

  it("replaces a shares version's rows and points the pool at the newest version", async () => {
    const { tables, apply } = readModel();
    const shares = [
      { stakeholder: OWNER, shareBps: 7_000n },
      { stakeholder: INVESTOR, shareBps: 3_000n },
    ];
    await apply(print({ topic: "shares-updated", facilityId: 1n, version: 1n, shares }, "s1"), 5);

    await apply(print({ topic: "shares-updated", facilityId: 1n, version: 1n, shares }, "s1"), 5);

    expect(tables.rows("stakeholderShare").map((row) => [row.sharesVersion, row.position, row.shareBps])).toEqual([
      [1, 0, 7_000],
      [1, 1, 3_000],
    ]);
    expect(tables.row("revenuePool", { facilityId: 1 })).toMatchObject({ sharesVersion: 1, balanceUstx: 0n });
  });
});
