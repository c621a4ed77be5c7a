import { randomBytes, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHAIN_SYNC_MIGRATION_NAME, CHAIN_SYNC_MIGRATION_SQL, CHAIN_SYNC_PRISMA_MODELS } from "@voltstack/chain-sync";
import { MESSAGING_MIGRATION_NAME, MESSAGING_MIGRATION_SQL, MESSAGING_PRISMA_MODELS } from "@voltstack/messaging";
import { applyMigrations, createPgPool, createPrismaClient } from "@voltstack/persistence";
import { Prisma, PrismaClient } from "../src/generated/prisma/client.js";
import { databaseUrl, migrationsDir } from "./support/revenue-harness.js";

// The hand-written migrations must be what Prisma would make of schema.prisma: every
// model is written and read back through the generated client on a freshly migrated schema.

const schema = `revenue_schema_${randomBytes(4).toString("hex")}`;
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

describe("the revenue schema", () => {
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
        status: "sending",
      },
    });
    exercised.add("DistributionIntent");
    expect(await prisma.distributionIntent.findUniqueOrThrow({ where: { requestId: 4 } })).toMatchObject({
      payoutUstx: big,
      attempts: 0,
      distributionTxid: null,
      distributionId: null,
      errorCode: null,
    });

    const outboxId = randomUUID();
    await prisma.outboxEvent.create({ data: { id: outboxId, subject: "revenue.deposited", payload: { a: 1 } } });
    exercised.add("OutboxEvent");
    expect(await prisma.outboxEvent.findUniqueOrThrow({ where: { id: outboxId } })).toMatchObject({
      payload: { a: 1 },
      headers: {},
      attempts: 0,
      sentAt: null,
    });
    await prisma.inboxEvent.create({ data: { consumer: "c", eventId: outboxId, subject: "revenue.deposited" } });
    exercised.add("InboxEvent");
    expect(await prisma.inboxEvent.count()).toBe(1);
    const letterId = randomUUID();
    await prisma.deadLetter.create({
      data: {
        id: letterId,
        consumer: "c",
        eventId: outboxId,
        subject: "revenue.deposited",
        stream: "REVENUE",
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
        subject: "revenue.deposited",
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
        contract: "ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM.revenue-sharing",
        functionName: "distribute-revenue",
        arguments: ["u1"],
        status: "failed",
        errorCode: "ERR_EMPTY_POOL",
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
