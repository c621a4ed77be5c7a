import { describe, expect, it } from "vitest";
import { expectLibraryTablesVerbatim, migratedSchemaFixture, roundTripLibraryModels } from "@voltstack/service-testing";
import { Prisma, PrismaClient } from "../src/generated/prisma/client.js";
import { migrationsDir } from "./support/flow-harness.js";

// The hand-written migrations must be what Prisma would make of schema.prisma: every
// model is written and read back through the generated client on a freshly migrated schema.

const database = migratedSchemaFixture({ service: "flow", migrationsDir, PrismaClient });

describe("the flow schema", () => {
  it("carries the libraries' tables verbatim, in the schema and in the migrations", () => {
    expectLibraryTablesVerbatim(migrationsDir);
  });

  it("writes and reads back every model through the generated client", async () => {
    const { prisma } = database;
    const exercised = new Set<string>();
    const at = new Date("2026-11-24T07:00:00.123Z");
    const owner = "ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5";
    const txid = `0x${"ab".repeat(32)}`;

    await prisma.gridDemand.create({
      data: {
        id: 1,
        demandLevelPercent: 85,
        lowThresholdPercent: 30,
        highThresholdPercent: 70,
        lastTxid: txid,
        lastHeight: 7,
        updatedAt: at,
      },
    });
    exercised.add("GridDemand");
    expect(await prisma.gridDemand.findUniqueOrThrow({ where: { id: 1 } })).toMatchObject({
      demandLevelPercent: 85,
      updatedAt: at,
    });
    await prisma.flowRecord.create({
      data: {
        recordId: 1,
        facilityId: 1,
        action: "discharge",
        energyKwh: 9_007_199_254_740_993n,
        demandLevelPercent: 85,
        storedAfterKwh: 0n,
        recordedBy: owner,
        txid,
        blockHeight: 8,
        recordedAt: at,
      },
    });
    exercised.add("FlowRecord");
    expect(await prisma.flowRecord.findUniqueOrThrow({ where: { recordId: 1 } })).toMatchObject({
      energyKwh: 9_007_199_254_740_993n,
      recordedBy: owner,
    });
    await prisma.facilityEnergy.create({
      data: {
        facilityId: 1,
        totalKwh: 2000n,
        storedKwh: 1200n,
        reservedKwh: 0n,
        availableKwh: 1200n,
        maxPowerKw: 500n,
        status: "approved",
        capacityHeight: 9,
        updatedAt: at,
      },
    });
    exercised.add("FacilityEnergy");
    expect(await prisma.facilityEnergy.findUniqueOrThrow({ where: { facilityId: 1 } })).toMatchObject({
      maxPowerKw: 500n,
      capacityHeight: 9,
    });
    const steps = [{ startsAt: at.toISOString(), action: "hold", energyKwh: 0 }];
    await prisma.flowSchedule.create({
      data: {
        facilityId: 1,
        version: 1,
        demandLevelPercent: 85,
        stepMinutes: 60,
        steps,
        strategy: "optimal",
        expectedRevenueMicroStx: -9_007_199_254_740_993n,
        fallbackReason: "SCHEDULE_TIMEOUT: not solved within 3000 ms",
        computedAt: at,
      },
    });
    exercised.add("FlowSchedule");
    expect(await prisma.flowSchedule.findUniqueOrThrow({ where: { facilityId: 1 } })).toMatchObject({
      steps,
      expectedRevenueMicroStx: -9_007_199_254_740_993n,
    });
    await prisma.priceCurve.create({
      data: {
        id: 1,
        startsAt: at,
        stepMinutes: 5,
        pricesMicroStxPerKwh: [-12_000, 0, 2_000_000_000],
        demandPercent: [],
        source: null,
        publishedAt: at,
      },
    });
    exercised.add("PriceCurve");
    expect(await prisma.priceCurve.findUniqueOrThrow({ where: { id: 1 } })).toMatchObject({
      pricesMicroStxPerKwh: [-12_000, 0, 2_000_000_000],
    });
    await expect(
      prisma.priceCurve.create({
        data: { id: 2, startsAt: at, stepMinutes: 5, pricesMicroStxPerKwh: [], demandPercent: [], publishedAt: at },
      }),
    ).rejects.toThrow();
    await prisma.scheduleSettings.create({
      data: {
        facilityId: 1,
        strategy: "optimal",
        chargeEfficiencyBps: 9_500,
        dischargeEfficiencyBps: 9_400,
        selfDischargeBpsPerDay: 10,
        degradationMicroStxPerKwh: 2_000,
        maxCyclesPerDay: null,
        endKwh: 9_007_199_254_740_993n,
        updatedBy: owner,
        updatedAt: at,
      },
    });
    exercised.add("ScheduleSettings");
    expect(await prisma.scheduleSettings.findUniqueOrThrow({ where: { facilityId: 1 } })).toMatchObject({
      endKwh: 9_007_199_254_740_993n,
      maxCyclesPerDay: null,
    });
    await prisma.programProduct.create({ data: { programId: 1, product: "frequency-containment" } });
    exercised.add("ProgramProduct");
    await prisma.reserveCommitment.create({
      data: {
        programId: 1,
        facilityId: 1,
        product: "frequency-containment",
        committedKw: 9_007_199_254_740_993n,
        upKw: 400n,
        downKw: 0n,
        durationMinutes: 30,
      },
    });
    exercised.add("ReserveCommitment");
    await prisma.scheduleExecution.create({
      data: {
        facilityId: 1,
        stepStartsAt: at,
        scheduleVersion: 2,
        action: "discharge",
        energyKwh: 9_007_199_254_740_993n,
        status: "refused",
        txid: null,
        code: "ERR_INSUFFICIENT_ENERGY",
        message: "not enough stored",
        executedAt: at,
      },
    });
    exercised.add("ScheduleExecution");
    expect(await prisma.scheduleExecution.findMany()).toMatchObject([
      { energyKwh: 9_007_199_254_740_993n, status: "refused", code: "ERR_INSUFFICIENT_ENERGY" },
    ]);
    expect(await prisma.reserveCommitment.findMany({ where: { facilityId: 1 } })).toMatchObject([
      { programId: 1, committedKw: 9_007_199_254_740_993n, durationMinutes: 30 },
    ]);

    await roundTripLibraryModels(
      prisma,
      {
        outboxSubject: "flow.recorded",
        inboxSubject: "flow.recorded",
        deadLetterStream: "FLOW",
        contract: "ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM.charge-discharge",
        functionName: "set-grid-demand",
        errorCode: "ERR_NOT_ADMIN",
        txid,
        sender: owner,
      },
      exercised,
    );

    expect([...exercised].sort()).toEqual(Object.values(Prisma.ModelName).sort());
  });
});
