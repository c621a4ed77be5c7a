import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type pg from "pg";
import { DeadLetterStore, pgExecutor, pgTransactions, recordDeadLetter } from "../src/index.js";
import { createTestSchema } from "./support/infra.js";

// The dead-letter store's discard against the real PostgreSQL, in a schema of its own
// built from the exported migrations.

let schema: string;
let admin: pg.Pool;
let drop: () => Promise<void>;
let store: DeadLetterStore;

beforeAll(async () => {
  ({ schema, admin, drop } = await createTestSchema());
  store = new DeadLetterStore(pgTransactions(admin), schema);
});

afterAll(async () => {
  await drop?.();
});

let sequence = 0;
async function deadLetter(payload = JSON.stringify({ orderId: 1 })) {
  sequence += 1;
  const letter = {
    consumer: "orders",
    eventId: `event-${sequence}`,
    subject: "work.requested",
    stream: "WORK",
    streamSeq: sequence,
    payload: Buffer.from(payload),
    headers: {},
    errorCode: "ORDER_UNKNOWN",
    errorMessage: "no such order",
    deliveries: 1,
  };
  return { letter, stored: await recordDeadLetter(pgExecutor(admin), letter, schema) };
}

const ids = async (state: "open" | "replayed" | "discarded" | "all") =>
  (await store.list({ state })).map((letter) => letter.id);

describe("DeadLetterStore.discard", () => {
  it("keeps the letter with the reason and who gave it; lists it as discarded, not open", async () => {
    const { stored } = await deadLetter();
    const discarded = await store.discard(stored.id, { reason: "order withdrawn", discardedBy: "ops-key" });
    expect(discarded).toMatchObject({ id: stored.id, discardReason: "order withdrawn", discardedBy: "ops-key" });
    expect(discarded.discardedAt).toBeInstanceOf(Date);
    expect(await ids("open")).not.toContain(stored.id);
    expect(await ids("discarded")).toContain(stored.id);
    expect(await ids("all")).toContain(stored.id);
    await expect(store.replay(stored.id)).rejects.toMatchObject({ code: "DEAD_LETTER_DISCARDED" });
  });

  it("answers a repeated discard with the same reason as it is, and refuses another reason", async () => {
    const { stored } = await deadLetter();
    const first = await store.discard(stored.id, { reason: "duplicate", discardedBy: "ops-key" });
    const again = await store.discard(stored.id, { reason: "duplicate", discardedBy: "someone-else" });
    expect(again).toEqual(first);
    await expect(store.discard(stored.id, { reason: "another", discardedBy: "ops-key" })).rejects.toMatchObject({
      code: "DEAD_LETTER_ALREADY_DISCARDED",
    });
    expect((await store.get(stored.id))?.discardReason).toBe("duplicate");
  });

  it("does not discard a replayed letter, nor one that does not exist", async () => {
    const { stored } = await deadLetter();
    await store.replay(stored.id);
    await expect(store.discard(stored.id, { reason: "late", discardedBy: "ops-key" })).rejects.toMatchObject({
      code: "DEAD_LETTER_ALREADY_REPLAYED",
    });
    await expect(
      store.discard("00000000-0000-4000-8000-000000000000", { reason: "x", discardedBy: "ops-key" }),
    ).rejects.toMatchObject({ code: "DEAD_LETTER_NOT_FOUND" });
  });

  it("opens a discarded letter again when the same event fails again", async () => {
    const { letter, stored } = await deadLetter();
    await store.discard(stored.id, { reason: "order withdrawn", discardedBy: "ops-key" });
    const failedAgain = await recordDeadLetter(pgExecutor(admin), { ...letter, deliveries: 2 }, schema);
    expect(failedAgain).toMatchObject({ id: stored.id, discardedAt: null, discardReason: null, discardedBy: null });
    expect(await ids("open")).toContain(stored.id);
  });
});
