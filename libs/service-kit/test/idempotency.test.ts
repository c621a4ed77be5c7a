import { Body, Controller, Global, Module, Post } from "@nestjs/common";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  ApiError,
  buildOpenApiDocument,
  currentIdempotentRequest,
  hashApiKey,
  IDEMPOTENCY_STORE,
  type IdempotencyClaim,
  type IdempotencyRecord,
  type IdempotencyScope,
  type IdempotencyStore,
  type LinkedTransaction,
  pendingWriteAnswer,
  Public,
  type StoredAnswer,
  startTestService,
  type TestService,
  WritePendingError,
} from "@voltstack/service-kit";

// The interceptor with a store in memory (the PostgreSQL one is tested in chain-sync): what a
// retry is answered while the first request executes, after it answered, and with another body.

const TXID = `0x${"ef".repeat(32)}`;
const keys = {
  owner: "vsk_owner_5d3f1a2c4e6b8d0f9a3f9a1c7e5b2d4f",
  admin: "vsk_admin_9c0d1e2f3a4b5c6d1a2b3c4d5e6f7a8b",
};

class MemoryStore implements IdempotencyStore {
  readonly records = new Map<string, IdempotencyRecord>();
  /** The journal as the store sees it: txid → pending, or a final answer. */
  readonly outcomes = new Map<string, StoredAnswer>();

  /** Set to fail every claim, as PostgreSQL down would. */
  down = false;

  async claim(claim: IdempotencyClaim): Promise<IdempotencyRecord | undefined> {
    if (this.down) throw new Error("Connection terminated unexpectedly");
    const held = this.records.get(id(claim));
    if (held) return structuredClone(held);
    const { callerId, key, method, path, fingerprint } = claim;
    this.records.set(id(claim), {
      ...{ callerId, key, method, path, fingerprint },
      state: "executing",
      answer: null,
      transactions: [],
      createdAt: new Date(),
    });
    return undefined;
  }
  async renew(): Promise<void> {}
  async link(scope: IdempotencyScope, transaction: LinkedTransaction): Promise<void> {
    this.records.get(id(scope))!.transactions.push(transaction);
  }
  async complete(scope: IdempotencyScope, answer: StoredAnswer): Promise<void> {
    Object.assign(this.records.get(id(scope))!, { state: "completed", answer });
  }
  async release(scope: IdempotencyScope): Promise<void> {
    this.records.delete(id(scope));
  }
  async answerFromTransactions(record: IdempotencyRecord): Promise<StoredAnswer | undefined> {
    const last = record.transactions[record.transactions.length - 1];
    return last && (this.outcomes.get(last.txid) ?? pendingWriteAnswer(last.txid));
  }
  async find(scope: IdempotencyScope): Promise<IdempotencyRecord | undefined> {
    return this.records.get(id(scope));
  }
}

const id = (scope: IdempotencyScope) => `${scope.callerId} ${scope.key}`;
const store = new MemoryStore();

/** Lets a test hold a request inside its handler. */
let gate: { opened: Promise<void>; open: () => void };
let executions: number;

function newGate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

@Controller("writes")
class WritesController {
  @Post()
  async write(@Body() body: { name: string; sign?: boolean; hold?: boolean; pending?: boolean; refuse?: boolean }) {
    executions += 1;
    if (body.refuse) throw ApiError.badRequest("REFUSED", "Refused before signing anything.");
    if (body.sign) await currentIdempotentRequest()?.linkTransaction({ txid: TXID, errorStatuses: {} });
    if (body.hold) await gate.opened;
    if (body.pending) throw new WritePendingError(TXID, "still in the mempool");
    return { name: body.name, execution: executions };
  }

  @Post("public")
  @Public()
  open(@Body() body: { name: string }) {
    return { name: body.name };
  }
}

@Global()
@Module({ providers: [{ provide: IDEMPOTENCY_STORE, useValue: store }], exports: [IDEMPOTENCY_STORE] })
class MemoryStoreModule {}

@Module({ imports: [MemoryStoreModule], controllers: [WritesController] })
class WritesModule {}

let service: TestService;

beforeAll(async () => {
  service = await startTestService(WritesModule, {
    env: {
      AUTH_API_KEYS: JSON.stringify([
        { name: "owner-app", sha256: hashApiKey(keys.owner), role: "owner", principals: [] },
        { name: "platform-admin", sha256: hashApiKey(keys.admin), role: "admin", principals: [] },
      ]),
    },
  });
});

afterAll(async () => {
  await service?.close();
});

beforeEach(() => {
  executions = 0;
  gate = newGate();
});

const write = (body: Record<string, unknown>, key?: string, token = keys.owner) =>
  fetch(`${service.baseUrl}/writes`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      authorization: `Bearer ${token}`,
      ...(key === undefined ? {} : { "idempotency-key": key }),
    },
    body: JSON.stringify(body),
  }).then(async (response) => ({
    status: response.status,
    headers: response.headers,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- test assertions read arbitrary JSON
    body: (await response.json()) as any,
  }));

describe("IdempotencyInterceptor", () => {
  it("answers a retry with the first answer, executing once, whatever order the body's fields come in", async () => {
    const first = await write({ name: "a", sign: true }, "k-replay");
    expect([first.status, first.body]).toEqual([201, { name: "a", execution: 1 }]);
    const again = await write({ sign: true, name: "a" }, "k-replay");
    expect([again.status, again.body, again.headers.get("idempotent-replayed")]).toEqual([201, first.body, "true"]);
    expect(executions).toBe(1);
  });

  it("refuses the key with another body: 422 IDEMPOTENCY_KEY_REUSED, not executed", async () => {
    await write({ name: "a" }, "k-reused");
    const other = await write({ name: "b" }, "k-reused");
    expect([other.status, other.body.code, other.body.details.key]).toEqual([
      422,
      "IDEMPOTENCY_KEY_REUSED",
      "k-reused",
    ]);
    expect(executions).toBe(1);
  });

  it("keeps keys per caller", async () => {
    await write({ name: "a" }, "k-caller");
    const admin = await write({ name: "a" }, "k-caller", keys.admin);
    expect([admin.status, admin.headers.get("idempotent-replayed")]).toEqual([201, null]);
    expect(executions).toBe(2);
  });

  it("answers a duplicate while the first has signed nothing 409 IDEMPOTENCY_KEY_IN_USE, with a transaction 202", async () => {
    const first = write({ name: "held", hold: true }, "k-busy");
    await waitUntil(() => executions === 1);
    const busy = await write({ name: "held", hold: true }, "k-busy");
    expect([busy.status, busy.body.code]).toEqual([409, "IDEMPOTENCY_KEY_IN_USE"]);
    gate.open();
    expect((await first).status).toBe(201);

    gate = newGate();
    const signing = write({ name: "signed", sign: true, hold: true }, "k-signed");
    await waitUntil(() => (store.records.get("api-key:owner-app k-signed")?.transactions.length ?? 0) > 0);
    const pending = await write({ name: "signed", sign: true, hold: true }, "k-signed");
    expect([pending.status, pending.body, pending.headers.get("location")]).toEqual([
      202,
      { txid: TXID, status: "pending", poll: `/transactions/${TXID}` },
      `/transactions/${TXID}`,
    ]);
    gate.open();
    const answered = await signing;
    const retried = await write({ name: "signed", sign: true, hold: true }, "k-signed");
    expect([retried.status, retried.body]).toEqual([201, answered.body]);
    expect(executions).toBe(2);
  });

  it("answers a write left pending 202 with where to poll, with or without a key; a retry answers from its transaction", async () => {
    const unkeyed = await write({ name: "p", pending: true });
    expect([unkeyed.status, unkeyed.body]).toEqual([
      202,
      { txid: TXID, status: "pending", poll: `/transactions/${TXID}` },
    ]);
    const keyed = await write({ name: "p", sign: true, pending: true }, "k-pending");
    expect(keyed.status).toBe(202);
    store.outcomes.set(TXID, { status: 409, body: { code: "ERR_NOT_PENDING", message: "m", details: null } });
    const failed = await write({ name: "p", sign: true, pending: true }, "k-pending");
    expect([failed.status, failed.body.code]).toEqual([409, "ERR_NOT_PENDING"]);
    store.outcomes.clear();
    // The outcome is final: kept, a later retry answers it without looking again.
    const kept = await write({ name: "p", sign: true, pending: true }, "k-pending");
    expect([kept.status, kept.body.code]).toEqual([409, "ERR_NOT_PENDING"]);
    expect(executions).toBe(2);
  });

  it("frees the key of a request that failed before signing, so a corrected retry executes", async () => {
    const refused = await write({ name: "r", refuse: true }, "k-refused");
    expect([refused.status, refused.body.code]).toEqual([400, "REFUSED"]);
    expect(store.records.has("api-key:owner-app k-refused")).toBe(false);
    const corrected = await write({ name: "r" }, "k-refused");
    expect(corrected.status).toBe(201);
  });

  it("answers 503 IDEMPOTENCY_STORE_UNAVAILABLE, executing nothing, while the store cannot be reached", async () => {
    store.down = true;
    try {
      const unavailable = await write({ name: "d", sign: true }, "k-down");
      expect([unavailable.status, unavailable.body.code]).toEqual([503, "IDEMPOTENCY_STORE_UNAVAILABLE"]);
    } finally {
      store.down = false;
    }
    expect(executions).toBe(0);
    expect((await write({ name: "d", sign: true }, "k-down")).status).toBe(201);
  });

  it("refuses a malformed key with 400 before the handler runs", async () => {
    for (const malformed of ["", " ", "x".repeat(256), "caf\u00e9"]) {
      const refused = await write({ name: "m" }, malformed);
      expect([refused.status, refused.body.code]).toEqual([400, "IDEMPOTENCY_KEY_INVALID"]);
    }
    expect(executions).toBe(0);
  });

  it("documents the header and the 202 on every mutating operation", () => {
    const document = buildOpenApiDocument(service.app, { title: "writes" });
    for (const path of ["/writes", "/writes/public"]) {
      const operation = document.paths[path]!.post!;
      expect(operation.parameters).toContainEqual(
        expect.objectContaining({ name: "Idempotency-Key", in: "header", required: false }),
      );
      expect(Object.keys(operation.responses)).toContain("202");
    }
  });
});

async function waitUntil(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not reached in 30 s");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
