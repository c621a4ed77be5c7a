import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { expectLibraryTablesVerbatim, migratedSchemaFixture, roundTripLibraryModels } from "@voltstack/service-testing";
import { Prisma, PrismaClient } from "../src/generated/prisma/client.js";
import { migrationsDir } from "./support/revenue-harness.js";

// The hand-written migrations must be what Prisma would make of schema.prisma: every
// model is written and read back through the generated client on a freshly migrated schema.

const database = migratedSchemaFixture({ service: "revenue", migrationsDir, PrismaClient });

describe("the revenue schema", () => {
  it("carries the libraries' tables verbatim, in the schema and in the migrations", () => {
    expectLibraryTablesVerbatim(migrationsDir);
  });

  it("writes and reads back every model through the generated client", async () => {
    const { prisma } = database;
    const exercised = new Set<string>();
    const at = new Date("2026-11-24T07:00:00.123Z");
    const owner = "ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5";
    const txid = `0x${"ab".repeat(32)}`;
    // More micro-STX than a JSON number holds exactly.
    const big = 9_007_199_254_740_993n;
    const chainFact = { txid, blockHeight: 7 };

    await prisma.revenuePool.create({
      data: { facilityId: 1, balanceUstx: big, lastTxid: txid, lastHeight: 7, updatedAt: at },
    });
    exercised.add("RevenuePool");
    expect(await prisma.revenuePool.findUniqueOrThrow({ where: { facilityId: 1 } })).toEqual({
      facilityId: 1,
      balanceUstx: big,
      sharesVersion: 0,
      depositedUstx: 0n,
      distributedUstx: 0n,
      lastTxid: txid,
      lastHeight: 7,
      updatedAt: at,
    });
    const share = { facilityId: 1, sharesVersion: 1, position: 0, stakeholder: owner, shareBps: 10_000, ...chainFact };
    await prisma.stakeholderShare.create({ data: share });
    exercised.add("StakeholderShare");
    expect(await prisma.stakeholderShare.findMany()).toEqual([share]);
    const deposit = {
      depositId: 1,
      facilityId: 1,
      amountUstx: big,
      source: "grid-request:1",
      depositor: owner,
      poolBalanceUstx: big,
      txIndex: 2,
      depositedAt: at,
      ...chainFact,
    };
    await prisma.revenueDeposit.create({ data: deposit });
    exercised.add("RevenueDeposit");
    expect(await prisma.revenueDeposit.findUniqueOrThrow({ where: { depositId: 1 } })).toEqual(deposit);
    const distribution = {
      distributionId: 1,
      facilityId: 1,
      amountUstx: big,
      sharesVersion: 1,
      firstPaymentId: 1,
      paymentCount: 1,
      distributedBy: owner,
      source: "pool",
      poolAfterUstx: 0n,
      txIndex: 3,
      distributedAt: at,
      ...chainFact,
    };
    await prisma.revenueDistribution.create({ data: distribution });
    exercised.add("RevenueDistribution");
    expect(await prisma.revenueDistribution.findUniqueOrThrow({ where: { distributionId: 1 } })).toEqual(distribution);
    const payment = {
      paymentId: 1,
      distributionId: 1,
      facilityId: 1,
      stakeholder: owner,
      shareBps: 10_000,
      amountUstx: big,
      paidAt: at,
      source: "program:1",
      ...chainFact,
    };
    await prisma.revenuePayment.create({ data: payment });
    exercised.add("RevenuePayment");
    expect(await prisma.revenuePayment.findUniqueOrThrow({ where: { paymentId: 1 } })).toEqual(payment);
    await prisma.distributionIntent.create({
      data: {
        requestId: 4,
        eventId: randomUUID(),
        facilityId: 1,
        fulfilmentTxid: txid,
        fulfilmentHeight: 7,
        payoutUstx: big,
        status: "due",
      },
    });
    exercised.add("DistributionIntent");
    expect(await prisma.distributionIntent.findUniqueOrThrow({ where: { requestId: 4 } })).toMatchObject({
      payoutUstx: big,
      attempts: 0,
      distributionTxid: null,
      distributionId: null,
      errorCode: null,
      batchId: null,
    });
    const batchId = randomUUID();
    const batch = {
      id: batchId,
      kind: "earnings",
      programId: 2,
      cohort: 0,
      signer: owner,
      lines: [big.toString(), "0"],
      totalUstx: big,
      status: "sent",
      txid,
      blockHeight: 9,
      errorCode: null,
      errorMessage: null,
      claimedUntil: at,
    };
    await prisma.distributionBatch.create({ data: batch });
    exercised.add("DistributionBatch");
    expect(await prisma.distributionBatch.findUniqueOrThrow({ where: { id: batchId } })).toMatchObject(batch);
    const earning = {
      programId: 2,
      cohort: 0,
      period: 3,
      slot: 0,
      facilityId: 1,
      amountUstx: big,
      eventId: randomUUID(),
      settlementTxid: txid,
      settlementHeight: 8,
      status: "batched",
      attempts: 1,
      batchId,
      distributionTxid: null,
      errorCode: "ERR_LINES_MISMATCH",
    };
    await prisma.earningIntent.create({ data: earning });
    exercised.add("EarningIntent");
    expect(
      await prisma.earningIntent.findUniqueOrThrow({
        where: { programId_cohort_period_slot: { programId: 2, cohort: 0, period: 3, slot: 0 } },
      }),
    ).toMatchObject(earning);

    await roundTripLibraryModels(
      prisma,
      {
        outboxSubject: "revenue.deposited",
        inboxSubject: "revenue.deposited",
        deadLetterStream: "REVENUE",
        contract: "ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM.revenue-sharing",
        functionName: "distribute-revenue",
        errorCode: "ERR_EMPTY_POOL",
        txid,
        sender: owner,
      },
      exercised,
    );

    expect([...exercised].sort()).toEqual(Object.values(Prisma.ModelName).sort());
  });
});
