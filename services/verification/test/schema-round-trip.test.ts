import { describe, expect, it } from "vitest";
import { expectLibraryTablesVerbatim, migratedSchemaFixture, roundTripLibraryModels } from "@voltstack/service-testing";
import { Prisma, PrismaClient } from "../src/generated/prisma/client.js";
import { migrationsDir } from "./support/verification-harness.js";

// The hand-written migrations must be what Prisma would make of schema.prisma: every
// model is written and read back through the generated client on a freshly migrated schema.

const database = migratedSchemaFixture({ service: "verification", migrationsDir, PrismaClient });

describe("the verification schema", () => {
  it("carries the libraries' tables verbatim, in the schema and in the migrations", () => {
    expectLibraryTablesVerbatim(migrationsDir);
  });

  it("writes and reads back every model through the generated client", async () => {
    const { prisma } = database;
    const exercised = new Set<string>();
    const at = new Date("2026-11-24T07:00:00.123Z");
    const owner = "ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5";
    const txid = `0x${"ab".repeat(32)}`;

    await prisma.facility.create({
      data: {
        id: 1,
        owner,
        name: "Harbour Battery 1",
        location: "Rotterdam, NL",
        capacityKwh: 9_007_199_254_740_993n,
        maxPowerKw: 500n,
        status: "pending",
        registeredTxid: txid,
        registeredHeight: 7,
        registeredAt: at,
        lastTxid: txid,
        lastHeight: 7,
        updatedAt: at,
      },
    });
    exercised.add("Facility");
    await prisma.facilityOperator.create({
      data: { facilityId: 1, operator: owner, enabled: true, lastTxid: txid, lastHeight: 8, updatedAt: at },
    });
    exercised.add("FacilityOperator");
    expect(await prisma.facility.findUniqueOrThrow({ where: { id: 1 }, include: { operators: true } })).toEqual({
      id: 1,
      owner,
      name: "Harbour Battery 1",
      location: "Rotterdam, NL",
      capacityKwh: 9_007_199_254_740_993n,
      maxPowerKw: 500n,
      status: "pending",
      rejectionReason: null,
      registeredTxid: txid,
      registeredHeight: 7,
      registeredAt: at,
      lastTxid: txid,
      lastHeight: 7,
      updatedAt: at,
      operators: [{ facilityId: 1, operator: owner, enabled: true, lastTxid: txid, lastHeight: 8, updatedAt: at }],
    });

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
