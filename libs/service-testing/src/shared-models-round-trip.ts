import { randomUUID } from "node:crypto";
import { expect } from "vitest";

type Delegate<Data, Where> = {
  create(args: { data: Data }): PromiseLike<unknown>;
  findUniqueOrThrow(args: { where: Where }): PromiseLike<unknown>;
  count(args?: { where?: Partial<Data> }): PromiseLike<number>;
};

/** The part of a service's generated Prisma client that holds the messaging and chain-sync tables. */
export interface LibraryModelsClient {
  outboxEvent: Pick<
    Delegate<{ id: string; subject: string; payload: { a: number } }, { id: string }>,
    "create" | "findUniqueOrThrow"
  >;
  inboxEvent: Pick<Delegate<{ consumer: string; eventId: string; subject: string }, never>, "create" | "count">;
  deadLetter: Pick<
    Delegate<
      {
        id: string;
        consumer: string;
        eventId: string;
        subject: string;
        stream: string;
        streamSeq: bigint;
        payload: Buffer<ArrayBuffer>;
        errorCode: string;
        errorMessage: string;
        deliveries: number;
      },
      { id: string }
    >,
    "create" | "findUniqueOrThrow"
  >;
  chainCheckpoint: Pick<
    Delegate<{ followerId: string; height: number; blockHash: string }, { followerId: string }>,
    "create" | "findUniqueOrThrow"
  >;
  chainEvent: Pick<
    Delegate<
      { eventId: string; followerId: string; txid: string; eventIndex: number; blockHeight: number; subject: string },
      never
    >,
    "create" | "count"
  >;
  chainFollowedEvent: Pick<
    Delegate<
      {
        followerId: string;
        txid: string;
        eventIndex: number;
        blockHeight: number;
        txIndex: number;
        blockHash: string;
      },
      never
    >,
    "create" | "count"
  >;
  chainTransaction: Pick<
    Delegate<
      {
        id: string;
        txid: string;
        requestedBy: string;
        sender: string;
        nonce: bigint;
        contract: string;
        functionName: string;
        arguments: string[];
        status: string;
        errorCode: string;
      },
      { txid: string }
    >,
    "create" | "findUniqueOrThrow"
  >;
  idempotencyKey: Pick<
    Delegate<
      {
        callerId: string;
        idempotencyKey: string;
        method: string;
        path: string;
        fingerprint: string;
        state: string;
        responseStatus: number;
        responseBody: { txid: string };
        transactions: Array<{ txid: string; errorStatuses: Record<string, number> }>;
        expiresAt: Date;
      },
      { callerId_idempotencyKey: { callerId: string; idempotencyKey: string } }
    >,
    "create" | "findUniqueOrThrow"
  >;
}

/** The service's own subjects, stream and contract call the sample rows use. */
export interface LibraryModelsSample {
  /** The subject of the outbox row and of the chain event. */
  outboxSubject: string;
  /** The subject of the inbox row and of the dead letter. */
  inboxSubject: string;
  deadLetterStream: string;
  /** The journaled call's `<deployer>.<contract>`, function and error code. */
  contract: string;
  functionName: string;
  errorCode: string;
  txid: string;
  sender: string;
}

/**
 * Writes a row into each messaging and chain-sync table through the service's generated
 * client and reads it back, adding each model's name to `exercised`.
 */
export async function roundTripLibraryModels(
  prisma: LibraryModelsClient,
  sample: LibraryModelsSample,
  exercised: Set<string>,
): Promise<void> {
  const { txid } = sample;
  const outboxId = randomUUID();
  await prisma.outboxEvent.create({ data: { id: outboxId, subject: sample.outboxSubject, payload: { a: 1 } } });
  exercised.add("OutboxEvent");
  expect(await prisma.outboxEvent.findUniqueOrThrow({ where: { id: outboxId } })).toMatchObject({
    payload: { a: 1 },
    headers: {},
    attempts: 0,
    sentAt: null,
  });
  await prisma.inboxEvent.create({ data: { consumer: "c", eventId: outboxId, subject: sample.inboxSubject } });
  exercised.add("InboxEvent");
  expect(await prisma.inboxEvent.count()).toBe(1);
  const letterId = randomUUID();
  await prisma.deadLetter.create({
    data: {
      id: letterId,
      consumer: "c",
      eventId: outboxId,
      subject: sample.inboxSubject,
      stream: sample.deadLetterStream,
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
      subject: sample.outboxSubject,
    },
  });
  exercised.add("ChainEvent");
  expect(await prisma.chainEvent.count({ where: { txid, eventIndex: 0 } })).toBe(1);
  await prisma.chainFollowedEvent.create({
    data: { followerId: "f", txid, eventIndex: 0, blockHeight: 42, txIndex: 1, blockHash: txid },
  });
  exercised.add("ChainFollowedEvent");
  expect(await prisma.chainFollowedEvent.count({ where: { followerId: "f", blockHeight: 42 } })).toBe(1);
  const journalId = randomUUID();
  await prisma.chainTransaction.create({
    data: {
      id: journalId,
      txid,
      requestedBy: "owner-key",
      sender: sample.sender,
      nonce: 3n,
      contract: sample.contract,
      functionName: sample.functionName,
      arguments: ["u1"],
      status: "failed",
      errorCode: sample.errorCode,
    },
  });
  exercised.add("ChainTransaction");
  expect(await prisma.chainTransaction.findUniqueOrThrow({ where: { txid } })).toMatchObject({
    id: journalId,
    nonce: 3n,
    arguments: ["u1"],
    blockHeight: null,
  });
  await prisma.idempotencyKey.create({
    data: {
      callerId: "api-key:owner-key",
      idempotencyKey: journalId,
      method: "POST",
      path: "/p",
      fingerprint: "f",
      state: "completed",
      responseStatus: 200,
      responseBody: { txid },
      transactions: [{ txid, errorStatuses: { [sample.errorCode]: 409 } }],
      expiresAt: new Date("2026-11-25T07:00:00.000Z"),
    },
  });
  exercised.add("IdempotencyKey");
  expect(
    await prisma.idempotencyKey.findUniqueOrThrow({
      where: { callerId_idempotencyKey: { callerId: "api-key:owner-key", idempotencyKey: journalId } },
    }),
  ).toMatchObject({ responseBody: { txid }, responseLocation: null, transactions: [{ txid }] });
}
