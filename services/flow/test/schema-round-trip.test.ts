import { randomBytes, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHAIN_SYNC_MIGRATION_NAME, CHAIN_SYNC_MIGRATION_SQL, CHAIN_SYNC_PRISMA_MODELS } from "@voltstack/chain-sync";
import { MESSAGING_MIGRATION_NAME, MESSAGING_MIGRATION_SQL, MESSAGING_PRISMA_MODELS } from "@voltstack/messaging";
import { applyMigrations, createPgPool, createPrismaClient } from "@voltstack/persistence";
import { Prisma, PrismaClient } from "../src/generated/prisma/client.js";
import { databaseUrl, migrationsDir } from "./support/flow-harness.js";

// The hand-written migrations must be what Prisma would make of schema.prisma: every
// model is written and read back through the generated client on a freshly migrated schema.

const schema = `flow_schema_${randomBytes(4).toString("hex")}`;
let prisma: PrismaClient;

beforeAll(async () => {
  await applyMigrations({ url: databaseUrl, schema, migrationsDir });
  prisma = createPrismaClient(PrismaClient, { url: databaseUrl, schema, pool: { max: 2 } });
});

afterAll(async () => {
  await prisma?.$disconnect();
  const pool = createPgPool({ url: databaseUrl, pool: { max: 1 } });
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await pool.end();
});

describe("the flow schema", () => {
  it("carries the libraries' tables verbatim, in the schema and in the migrations", () => {
    const prismaSchema = readFileSync(join(migrationsDir, "..", "schema.prisma"), "utf8");
    expect(prismaSchema).toContain(MESSAGING_PRISMA_MODELS);
    expect(prismaSchema).toContain(CHAIN_SYNC_PRISMA_MODELS);
    const migration = (name: string) => readFileSync(join(migrationsDir, name, "migration.sql"), "utf8");
    expect(migration(MESSAGING_MIGRATION_NAME)).toBe(MESSAGING_MIGRATION_SQL);
    expect(migration(CHAIN_SYNC_MIGRATION_NAME)).toBe(CHAIN_SYNC_MIGRATION_SQL);
  });

  it("writes and reads back every model through the generated client", async () => {
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
      data: { facilityId: 1, version: 1, demandLevelPercent: 85, stepMinutes: 60, steps, computedAt: at },
    });
    exercised.add("FlowSchedule");
    expect(await prisma.flowSchedule.findUniqueOrThrow({ where: { facilityId: 1 } })).toMatchObject({ steps });

    const outboxId = randomUUID();
    await prisma.outboxEvent.create({ data: { id: outboxId, subject: "flow.recorded", payload: { a: 1 } } });
    exercised.add("OutboxEvent");
    expect(await prisma.outboxEvent.findUniqueOrThrow({ where: { id: outboxId } })).toMatchObject({
      payload: { a: 1 },
      headers: {},
      attempts: 0,
      sentAt: null,
    });
    await prisma.inboxEvent.create({ data: { consumer: "c", eventId: outboxId, subject: "flow.recorded" } });
    exercised.add("InboxEvent");
    expect(await prisma.inboxEvent.count()).toBe(1);
    const letterId = randomUUID();
    await prisma.deadLetter.create({
      data: {
        id: letterId,
        consumer: "c",
        eventId: outboxId,
        subject: "flow.recorded",
        stream: "FLOW",
        streamSeq: 3n,
        payload: Buffer.from("{}"),
        errorCode: "E",
        errorMessage: "failed",
        deliveries: 5,
      },
    });
    exercised.add("DeadLetter");
    expect(await prisma.deadLetter.findUniqueOrThrow({ where: { id: letterId } })).toMatchObject({
      streamSeq: 3n,
      replayCount: 0,
    });

    await prisma.chainCheckpoint.create({ data: { followerId: "f", height: 42, blockHash: txid } });
    exercised.add("ChainCheckpoint");
    expect(await prisma.chainCheckpoint.findUniqueOrThrow({ where: { followerId: "f" } })).toMatchObject({
      height: 42,
      blockHash: txid,
    });
    await prisma.chainEvent.create({
      data: {
        eventId: outboxId,
        followerId: "f",
        txid,
        eventIndex: 0,
        blockHeight: 42,
        subject: "flow.recorded",
      },
    });
    exercised.add("ChainEvent");
    expect(await prisma.chainEvent.count({ where: { txid, eventIndex: 0 } })).toBe(1);
    const journalId = randomUUID();
    await prisma.chainTransaction.create({
      data: {
        id: journalId,
        txid,
        requestedBy: "owner-key",
        sender: owner,
        nonce: 3n,
        contract: "ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM.charge-discharge",
        functionName: "set-grid-demand",
        arguments: ["u1"],
        status: "failed",
        errorCode: "ERR_NOT_ADMIN",
      },
    });
    exercised.add("ChainTransaction");
    expect(await prisma.chainTransaction.findUniqueOrThrow({ where: { txid } })).toMatchObject({
      id: journalId,
      nonce: 3n,
      arguments: ["u1"],
      blockHeight: null,
    });

    expect([...exercised].sort()).toEqual(Object.values(Prisma.ModelName).sort());
  });
});
