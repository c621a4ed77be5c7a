import { randomBytes, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHAIN_SYNC_MIGRATION_NAME, CHAIN_SYNC_MIGRATION_SQL, CHAIN_SYNC_PRISMA_MODELS } from "@voltstack/chain-sync";
import { MESSAGING_MIGRATION_NAME, MESSAGING_MIGRATION_SQL, MESSAGING_PRISMA_MODELS } from "@voltstack/messaging";
import { applyMigrations, createPgPool, createPrismaClient } from "@voltstack/persistence";
import { Prisma, PrismaClient } from "../src/generated/prisma/client.js";
import { databaseUrl, migrationsDir } from "./support/capacity-harness.js";

// The hand-written migrations must be what Prisma would make of schema.prisma: every
// model is written and read back through the generated client on a freshly migrated schema.

const schema = `capacity_schema_${randomBytes(4).toString("hex")}`;
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

describe("the capacity schema", () => {
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

    const outboxId = randomUUID();
    await prisma.outboxEvent.create({ data: { id: outboxId, subject: "capacity.updated", payload: { a: 1 } } });
    exercised.add("OutboxEvent");
    expect(await prisma.outboxEvent.findUniqueOrThrow({ where: { id: outboxId } })).toMatchObject({
      payload: { a: 1 },
      headers: {},
      attempts: 0,
      sentAt: null,
    });
    await prisma.inboxEvent.create({ data: { consumer: "c", eventId: outboxId, subject: "facility.approved" } });
    exercised.add("InboxEvent");
    expect(await prisma.inboxEvent.count()).toBe(1);
    const letterId = randomUUID();
    await prisma.deadLetter.create({
      data: {
        id: letterId,
        consumer: "c",
        eventId: outboxId,
        subject: "facility.approved",
        stream: "FACILITIES",
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
        subject: "capacity.updated",
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
        contract: "ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM.capacity-tracking",
        functionName: "update-capacity",
        arguments: ["u1"],
        status: "failed",
        errorCode: "ERR_STORED_EXCEEDS_TOTAL",
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
