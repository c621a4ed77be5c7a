import { describe, expect, it } from "vitest";
import { expectLibraryTablesVerbatim, migratedSchemaFixture, roundTripLibraryModels } from "@voltstack/service-testing";
import { Prisma, PrismaClient } from "../src/generated/prisma/client.js";
import { migrationsDir } from "./support/grid-harness.js";

// The hand-written migrations must be what Prisma would make of schema.prisma: every
// model is written and read back through the generated client on a freshly migrated schema.

const database = migratedSchemaFixture({ service: "grid", migrationsDir, PrismaClient });

describe("the grid schema", () => {
  it("carries the libraries' tables verbatim, in the schema and in the migrations", () => {
    expectLibraryTablesVerbatim(migrationsDir);
  });

  it("writes and reads back every model through the generated client", async () => {
    const { prisma } = database;
    const exercised = new Set<string>();
    const at = new Date("2026-11-24T07:00:00.123Z");
    const owner = "ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5";
    const txid = `0x${"ab".repeat(32)}`;

    await prisma.frequencyStatus.create({
      data: {
        id: 1,
        targetMhz: 50_000,
        deadbandMhz: 200,
        lastReadingMhz: 49_700,
        lastReadingHeight: 7,
        lastReporter: owner,
        deviating: true,
        lastTxid: txid,
        lastHeight: 7,
        updatedAt: at,
      },
    });
    exercised.add("FrequencyStatus");
    expect(await prisma.frequencyStatus.findUniqueOrThrow({ where: { id: 1 } })).toEqual({
      id: 1,
      targetMhz: 50_000,
      deadbandMhz: 200,
      lastReadingMhz: 49_700,
      lastReadingHeight: 7,
      lastReporter: owner,
      deviating: true,
      lastTxid: txid,
      lastHeight: 7,
      updatedAt: at,
    });

    const oracle = { oracle: owner, enabled: false, lastTxid: txid, lastHeight: 8, updatedAt: at };
    await prisma.frequencyOracle.create({ data: oracle });
    exercised.add("FrequencyOracle");
    expect(await prisma.frequencyOracle.findUniqueOrThrow({ where: { oracle: owner } })).toEqual(oracle);

    const reading = await prisma.frequencyReading.create({
      data: {
        source: "meter-key",
        frequencyMhz: 49_700,
        measuredAt: at,
        deviating: true,
        decision: "state-change",
        txid,
        blockHeight: 7,
      },
    });
    exercised.add("FrequencyReading");
    expect(await prisma.frequencyReading.findUniqueOrThrow({ where: { id: reading.id } })).toEqual({
      id: reading.id,
      source: "meter-key",
      frequencyMhz: 49_700,
      measuredAt: at,
      receivedAt: expect.any(Date),
      deviating: true,
      decision: "state-change",
      txid,
      blockHeight: 7,
    });

    const request = {
      id: 1,
      serviceType: "frequency-regulation",
      powerKw: 250n,
      energyKwh: 400n,
      paymentUstx: 9_007_199_254_740_993n,
      requester: owner,
      expiresAt: 1_200,
      status: "fulfilled",
      facilityId: 3,
      acceptedBy: owner,
      performanceBps: 9_500,
      payoutUstx: 8_556_839_292_003_943n,
      refundUstx: 450_359_962_737_050n,
      expired: null,
      createdTxid: txid,
      createdHeight: 5,
      lastTxid: txid,
      lastHeight: 9,
      updatedAt: at,
    };
    await prisma.serviceRequest.create({ data: request });
    exercised.add("ServiceRequest");
    expect(await prisma.serviceRequest.findUniqueOrThrow({ where: { id: 1 } })).toEqual(request);

    const program = {
      id: 1,
      product: "frequency-regulation",
      operator: owner,
      startHeight: 100,
      periodBlocks: 10,
      periodCount: 4,
      capacityPriceUstx: 1_500n,
      energyPriceUstx: 200n,
      budgetUstx: 9_007_199_254_740_993n,
      settleWindow: 20,
      endHeight: 140,
      status: "closed",
      settledUstx: 7n,
      distributedUstx: 5n,
      refundUstx: 9_007_199_254_740_986n,
      createdTxid: txid,
      createdHeight: 90,
      lastTxid: txid,
      lastHeight: 170,
      updatedAt: at,
    };
    await prisma.program.create({ data: program });
    exercised.add("Program");
    expect(await prisma.program.findUniqueOrThrow({ where: { id: 1 } })).toEqual(program);

    const enrolment = {
      programId: 1,
      cohort: 2,
      slot: 99,
      facilityId: 3,
      committedKw: 250n,
      reservedKwh: 250n,
      fromPeriod: 1,
      untilPeriod: 3,
      enrolledBy: owner,
      released: true,
      createdTxid: txid,
      createdHeight: 95,
      lastTxid: txid,
      lastHeight: 120,
      updatedAt: at,
    };
    await prisma.programEnrolment.create({ data: enrolment });
    exercised.add("ProgramEnrolment");
    expect(
      await prisma.programEnrolment.findUniqueOrThrow({
        where: { programId_cohort_slot: { programId: 1, cohort: 2, slot: 99 } },
      }),
    ).toEqual(enrolment);

    const settlement = {
      programId: 1,
      cohort: 2,
      period: 1,
      reportHash: "ab".repeat(32),
      totalUstx: 7n,
      settledBy: owner,
      txid,
      blockHeight: 121,
      updatedAt: at,
    };
    await prisma.programSettlement.create({ data: settlement });
    exercised.add("ProgramSettlement");
    expect(
      await prisma.programSettlement.findUniqueOrThrow({
        where: { programId_cohort_period: { programId: 1, cohort: 2, period: 1 } },
      }),
    ).toEqual(settlement);

    const line = {
      programId: 1,
      cohort: 2,
      period: 1,
      slot: 99,
      facilityId: 3,
      committedKw: 250n,
      performanceBps: 10_000,
      deliveredKwh: 0n,
      amountUstx: 7n,
      blockHeight: 121,
    };
    await prisma.programSettlementLine.create({ data: line });
    exercised.add("ProgramSettlementLine");
    expect(await prisma.programSettlementLine.findMany()).toEqual([line]);

    const distribution = {
      txid,
      eventIndex: 4,
      programId: 1,
      cohort: 2,
      totalUstx: 9_007_199_254_740_993n,
      amountsUstx: [9_007_199_254_740_993n, 0n],
      blockHeight: 130,
    };
    await prisma.programDistribution.create({ data: distribution });
    exercised.add("ProgramDistribution");
    expect(await prisma.programDistribution.findMany()).toEqual([distribution]);

    const performance = {
      programId: 1,
      period: 1,
      facilityId: 3,
      performanceBps: 9_500,
      deliveredKwh: 12n,
      postedBy: owner,
      postedAt: at,
    };
    await prisma.programPerformance.create({ data: performance });
    exercised.add("ProgramPerformance");
    expect(await prisma.programPerformance.findMany()).toEqual([performance]);

    const report = {
      programId: 1,
      cohort: 2,
      period: 1,
      reportHash: "ab".repeat(32),
      report: { programId: "1", lines: [{ slot: "0", amountUstx: "9007199254740993" }] },
      builtAt: at,
    };
    await prisma.programReport.create({ data: report });
    exercised.add("ProgramReport");
    expect(await prisma.programReport.findMany()).toEqual([report]);

    const minute = new Date("2026-11-24T07:00:00.000Z");
    await prisma.telemetryMinute.create({
      data: { facilityId: 7, minute, powerW: [250_000, -1_000], storedWh: [1_800_000], frequencyDevMhz: [-38, 20_000] },
    });
    exercised.add("TelemetryMinute");
    expect(await prisma.telemetryMinute.findMany()).toMatchObject([
      { powerW: [250_000, -1_000], frequencyDevMhz: [-38, 20_000] },
    ]);
    await prisma.regulationSignalMinute.create({ data: { programId: 1, minute, valueBps: [-10_000, 10_000] } });
    exercised.add("RegulationSignalMinute");
    expect(await prisma.regulationSignalMinute.findMany()).toMatchObject([{ valueBps: [-10_000, 10_000] }]);

    const scoring = { programId: 1, containmentProfile: "fcr", nextPeriod: 3, enabledBy: owner, enabledAt: at };
    await prisma.programScoring.create({ data: scoring });
    exercised.add("ProgramScoring");
    expect(await prisma.programScoring.findMany()).toEqual([scoring]);
    const score = {
      programId: 1,
      period: 1,
      facilityId: 7,
      method: "containment",
      performanceBps: 9_876,
      deliveredKwh: 9_007_199_254_740_993n,
      committedKw: 250n,
      windowFrom: at,
      windowTo: at,
      breakdown: { score: 0.9876, profile: "fcr" },
      series: [{ offsetSeconds: 0, requiredW: 1, responseW: 1 }],
      scoredAt: at,
    };
    await prisma.performanceScore.create({ data: score });
    exercised.add("PerformanceScore");
    expect(await prisma.performanceScore.findMany()).toEqual([score]);
    const requestScore = {
      facilityId: score.facilityId,
      method: "energy",
      performanceBps: 7_500,
      deliveredKwh: 9_007_199_254_740_993n,
      committedKw: 100n,
      windowFrom: at,
      windowTo: at,
      breakdown: { score: 0.75 },
      series: [],
      scoredAt: at,
    };
    await prisma.requestScore.create({ data: { requestId: 4, ...requestScore } });
    exercised.add("RequestScore");
    expect(await prisma.requestScore.findMany()).toEqual([{ requestId: 4, ...requestScore }]);

    await roundTripLibraryModels(
      prisma,
      {
        outboxSubject: "facility.registered",
        inboxSubject: "facility.registered",
        deadLetterStream: "FACILITIES",
        contract: "ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM.facility-registry",
        functionName: "approve-facility",
        errorCode: "ERR_NOT_PENDING",
        txid,
        sender: owner,
      },
      exercised,
    );

    expect([...exercised].sort()).toEqual(Object.values(Prisma.ModelName).sort());
  });
});
