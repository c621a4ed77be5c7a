import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyMigrations, checkDatabaseReady, createPgPool, createPrismaClient } from "@voltstack/persistence";
import { closedPort, databaseUrl, dropSchemas, fixtureDir, fixtureMigrations, uniqueSchema } from "./test-database.js";

// The generated client is not committed; scripts/prisma-generate.ts writes it. Loading it
// at run time lets this file generate it first when it is missing.
type FixtureClientModule = typeof import("./fixture/generated/prisma/client.js");
type FixtureClient = InstanceType<FixtureClientModule["PrismaClient"]>;

const generatedClient = join(fixtureDir, "generated", "prisma", "client.ts");
const schema = uniqueSchema("fixture");
let fixture: FixtureClientModule;
let prisma: FixtureClient;

beforeAll(async () => {
  if (!existsSync(generatedClient)) {
    const root = join(import.meta.dirname, "..", "..", "..");
    const run = spawnSync(
      process.execPath,
      ["--import", "tsx", "scripts/prisma-generate.ts", join(fixtureDir, "schema.prisma")],
      {
        cwd: root,
        encoding: "utf8",
      },
    );
    if (run.status !== 0) throw new Error(`prisma generate failed:\n${run.stdout}${run.stderr}`);
  }
  fixture = await import("./fixture/generated/prisma/client.js");
  await applyMigrations({ url: databaseUrl, schema, migrationsDir: fixtureMigrations });
  prisma = createPrismaClient(fixture.PrismaClient, { url: databaseUrl, schema, pool: { max: 2 } });
});

afterAll(async () => {
  await prisma?.$disconnect();
  await dropSchemas(schema);
});

describe("the fixture migrations match schema.prisma", () => {
  it("writes and reads back every model through the generated client", async () => {
    const exercised = new Set<string>();
    const registeredAt = new Date("2026-11-20T10:00:00.123Z");

    const facility = await prisma.facility.create({
      data: {
        id: "facility-1",
        name: "Harbour battery",
        ownerPrincipal: "ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM",
        status: fixture.FacilityStatus.APPROVED,
        capacityKwh: 2_000,
        depositUstx: 9_007_199_254_740_993n,
        metadata: { site: "north", cells: [1, 2, 3] },
        registeredAt,
        approved: true,
      },
    });
    exercised.add("Facility");
    const defaulted = await prisma.facility.create({
      data: { id: "facility-2", name: "Defaults", ownerPrincipal: "ST2", capacityKwh: 1, depositUstx: 0n },
    });
    expect(defaulted).toMatchObject({ status: "PENDING", approved: false, metadata: null });
    expect(defaulted.registeredAt).toBeInstanceOf(Date);

    const reading = await prisma.capacityReading.create({
      data: { facilityId: facility.id, storedKwh: 750, blockHeight: 123_456n, txId: "0xabc", recordedAt: registeredAt },
    });
    exercised.add("CapacityReading");
    expect(reading.id).toBeGreaterThan(0);

    await prisma.revenueShare.createMany({
      data: [
        { facilityId: facility.id, stakeholder: "ST1OWNER", shareBps: 7_000 },
        { facilityId: facility.id, stakeholder: "ST2INVESTOR", shareBps: 3_000 },
      ],
    });
    exercised.add("RevenueShare");

    const loaded = await prisma.facility.findUniqueOrThrow({
      where: { id: facility.id },
      include: { readings: true, shares: { orderBy: { stakeholder: "asc" } } },
    });
    expect(loaded).toEqual({
      id: "facility-1",
      name: "Harbour battery",
      ownerPrincipal: "ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM",
      status: "APPROVED",
      capacityKwh: 2_000,
      depositUstx: 9_007_199_254_740_993n,
      metadata: { site: "north", cells: [1, 2, 3] },
      registeredAt,
      approved: true,
      readings: [
        {
          id: reading.id,
          facilityId: "facility-1",
          storedKwh: 750,
          blockHeight: 123_456n,
          txId: "0xabc",
          recordedAt: registeredAt,
        },
      ],
      shares: [
        { facilityId: "facility-1", stakeholder: "ST1OWNER", shareBps: 7_000 },
        { facilityId: "facility-1", stakeholder: "ST2INVESTOR", shareBps: 3_000 },
      ],
    });
    const share = await prisma.revenueShare.findUniqueOrThrow({
      where: { facilityId_stakeholder: { facilityId: facility.id, stakeholder: "ST2INVESTOR" } },
    });
    expect(share.shareBps).toBe(3_000);
    expect(await prisma.facility.findMany({ where: { ownerPrincipal: "ST2" }, select: { id: true } })).toEqual([
      { id: "facility-2" },
    ]);

    // Every model of schema.prisma is covered: a new model without a round trip here fails.
    expect([...exercised].sort()).toEqual(Object.values(fixture.Prisma.ModelName).sort());
  });

  it("enforces the unique and foreign keys the schema declares", async () => {
    await prisma.facility.create({
      data: { id: "facility-3", name: "Keys", ownerPrincipal: "ST3", capacityKwh: 5, depositUstx: 1n },
    });
    const recordedAt = new Date();
    await prisma.capacityReading.create({
      data: { facilityId: "facility-3", storedKwh: 1, blockHeight: 1n, txId: "0xdup", recordedAt },
    });
    await expect(
      prisma.capacityReading.create({
        data: { facilityId: "facility-3", storedKwh: 2, blockHeight: 2n, txId: "0xdup", recordedAt },
      }),
    ).rejects.toMatchObject({ code: "P2002" });
    await expect(
      prisma.revenueShare.create({ data: { facilityId: "no-such-facility", stakeholder: "ST1", shareBps: 1 } }),
    ).rejects.toMatchObject({ code: "P2003" });

    await prisma.facility.delete({ where: { id: "facility-3" } });
    expect(await prisma.capacityReading.count({ where: { txId: "0xdup" } })).toBe(0);
  });
});

describe("database readiness", () => {
  it("is ready when the database answers a query", async () => {
    await expect(checkDatabaseReady(prisma)).resolves.toBeUndefined();
    const pool = createPgPool({ url: databaseUrl, schema });
    try {
      await expect(checkDatabaseReady(pool)).resolves.toBeUndefined();
    } finally {
      await pool.end();
    }
  });

  it("is not ready when the database is down, although $connect() succeeds", async () => {
    const down = createPrismaClient(fixture.PrismaClient, {
      url: `postgresql://postgres@127.0.0.1:${await closedPort()}/postgres`,
      schema,
      pool: { connectionTimeoutMs: 1_000 },
    });
    try {
      await expect(down.$connect()).resolves.toBeUndefined();
      await expect(checkDatabaseReady(down, 3_000)).rejects.toMatchObject({ code: "DATABASE_NOT_READY" });
    } finally {
      await down.$disconnect();
    }
  });
});
