import { randomBytes, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHAIN_SYNC_MIGRATION_NAME, CHAIN_SYNC_MIGRATION_SQL, CHAIN_SYNC_PRISMA_MODELS } from "@voltstack/chain-sync";
import { MESSAGING_MIGRATION_NAME, MESSAGING_MIGRATION_SQL, MESSAGING_PRISMA_MODELS } from "@voltstack/messaging";
import { applyMigrations, createPgPool, createPrismaClient } from "@voltstack/persistence";
import { Prisma, PrismaClient } from "../src/generated/prisma/client.js";
import { databaseUrl, migrationsDir } from "./support/grid-harness.js";

// The hand-written migrations must be what Prisma would make of schema.prisma: every
// model is written and read back through the generated client on a freshly migrated schema.

const schema = `grid_schema_${randomBytes(4).toString("hex")}`;
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

describe("the grid schema", () => {
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

    const outboxId = randomUUID();
    await prisma.outboxEvent.create({ data: { id: outboxId, subject: "facility.registered", payload: { a: 1 } } });
    exercised.add("OutboxEvent");
    expect(await prisma.outboxEvent.findUniqueOrThrow({ where: { id: outboxId } })).toMatchObject({
      payload: { a: 1 },
      headers: {},
      attempts: 0,
      sentAt: null,
    });
    await prisma.inboxEvent.create({ data: { consumer: "c", eventId: outboxId, subject: "facility.registered" } });
    exercised.add("InboxEvent");
    expect(await prisma.inboxEvent.count()).toBe(1);
    const letterId = randomUUID();
    await prisma.deadLetter.create({
      data: {
        id: letterId,
        consumer: "c",
        eventId: outboxId,
        subject: "facility.registered",
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
        subject: "facility.registered",
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
        contract: "ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM.facility-registry",
        functionName: "approve-facility",
        arguments: ["u1"],
        status: "failed",
        errorCode: "ERR_NOT_PENDING",
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
