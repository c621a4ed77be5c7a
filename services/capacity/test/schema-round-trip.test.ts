import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { expectLibraryTablesVerbatim, migratedSchemaFixture, roundTripLibraryModels } from "@voltstack/service-testing";
import { Prisma, PrismaClient } from "../src/generated/prisma/client.js";
import { migrationsDir } from "./support/capacity-harness.js";

// The hand-written migrations must be what Prisma would make of schema.prisma: every
// model is written and read back through the generated client on a freshly migrated schema.

const database = migratedSchemaFixture({ service: "capacity", migrationsDir, PrismaClient });

describe("the capacity schema", () => {
  it("carries the libraries' tables verbatim, in the schema and in the migrations", () => {
    expectLibraryTablesVerbatim(migrationsDir);
  });

  it("writes and reads back every model through the generated client", async () => {
    const { prisma } = database;
    const exercised = new Set<string>();
    const at = new Date("2026-11-24T07:00:00.123Z");
    const owner = "ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5";
    const txid = `0x${"ab".repeat(32)}`;

    await prisma.approvedFacility.create({
      data: {
        id: 1,
        owner,
        capacityKwh: 9_007_199_254_740_993n,
        approvedTxid: txid,
        approvedHeight: 7,
        approvedAt: at,
      },
    });
    exercised.add("ApprovedFacility");
    expect(await prisma.approvedFacility.findUniqueOrThrow({ where: { id: 1 } })).toEqual({
      id: 1,
      owner,
      capacityKwh: 9_007_199_254_740_993n,
      approvedTxid: txid,
      approvedHeight: 7,
      approvedAt: at,
    });
    const capacity = {
      facilityId: 1,
      totalKwh: 2000n,
      storedKwh: 1200n,
      reservedKwh: 400n,
      availableKwh: 800n,
      lastReason: "reserved",
      initializedTxid: null,
      initializedHeight: null,
      lastTxid: txid,
      lastHeight: 9,
      updatedAt: at,
    };
    await prisma.capacity.create({ data: capacity });
    exercised.add("Capacity");
    expect(await prisma.capacity.findUniqueOrThrow({ where: { facilityId: 1 } })).toEqual(capacity);
    const reading = {
      id: randomUUID(),
      facilityId: 1,
      storedKwh: 1210n,
      measuredAt: at,
      receivedAt: at,
      requestedBy: "bms-key",
      outcome: "skipped",
      detail: "BELOW_MIN_CHANGE",
      txid: null,
      blockHeight: null,
    };
    await prisma.reading.create({ data: reading });
    exercised.add("Reading");
    expect(await prisma.reading.findUniqueOrThrow({ where: { id: reading.id } })).toEqual(reading);

    await roundTripLibraryModels(
      prisma,
      {
        outboxSubject: "capacity.updated",
        inboxSubject: "facility.approved",
        deadLetterStream: "FACILITIES",
        contract: "ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM.capacity-tracking",
        functionName: "update-capacity",
        errorCode: "ERR_STORED_EXCEEDS_TOTAL",
        txid,
        sender: owner,
      },
      exercised,
    );

    expect([...exercised].sort()).toEqual(Object.values(Prisma.ModelName).sort());
  });
});
