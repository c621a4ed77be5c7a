import { Cl } from "@stacks/transactions";
import { beforeEach, describe, expect, it, vi } from "vitest";
import {
  BroadcastRejectedError,
  type CallResult,
  type CallSender,
  ChainError,
  ConfirmationTimeoutError,
  ContractClient,
  type ContractClientOptions,
  ContractError,
  StacksChain,
} from "@voltstack/chain";
import {
  ApiError,
  type Caller,
  type LinkedTransaction,
  runIdempotentRequest,
  WritePendingError,
} from "@voltstack/service-kit";
import {
  ChainWriter,
  DEFAULT_READ_MODEL_WAIT_MS,
  type JournalEntry,
  type SignerKeyStore,
  type TrackOptions,
  type TransactionJournal,
} from "../src/index.js";

// The writer's own logic with stand-ins for the keys, the journal and the follower: the
// services' tests prove the whole path against a devnet.

const OWNER = "ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5";
const OPERATOR = "ST2CY5V39NHDPWSXMW9QDT3HC3GD6Q6XX4CFRK9AG";
const STRANGER = "ST2JHG361ZXG51QTKY2NQCVBPPRRE2KZB1HR05NNC";
const TXID = "ab".repeat(32);
const chain = new StacksChain({
  network: "devnet",
  url: "http://127.0.0.1:9",
  contracts: { deployer: "ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM" },
});

/** A client whose one call goes through its sender and confirms at block 12. */
class ProbeClient extends ContractClient {
  constructor(chain: StacksChain, options: ContractClientOptions = {}) {
    super(chain, "facility-registry", options);
  }

  async approve(): Promise<CallResult<number>> {
    const call = { contract: this.contract, functionName: "approve-facility", functionArgs: [], postConditions: [] };
    const submitted = await this.options.sender!.submit(call);
    return { ...submitted, blockHeight: 12, result: Cl.ok(Cl.uint(1)), events: [], value: 1 };
  }

  /** Broadcasts, then meets `error` while following the transaction. */
  async approveThenFail(error: Error): Promise<CallResult<number>> {
    await this.approve();
    throw error;
  }
}

class ProbeWriter extends ChainWriter<ProbeClient> {
  send(principal: string, options: { replacing?: JournalEntry; sender?: (journaled: CallSender) => CallSender }) {
    return this.execute("scheduler", principal, (client) => client.approve(), options);
  }
}

const signing: CallSender = {
  address: OWNER,
  senderFor: () => undefined,
  submit: async (call, options = {}) => {
    const transaction = {
      txid: TXID,
      nonce: 4n,
      sender: OWNER,
      feeUstx: 1_000n,
      contract: call.contract,
      functionName: call.functionName,
    };
    await options.beforeBroadcast?.(transaction);
    broadcasts.push(transaction.txid);
    return transaction;
  },
};
let broadcasts: string[];
const held = new Set([OWNER, OPERATOR]);
const signers = {
  has: (principal: string) => held.has(principal),
  sender: async (principal: string) => {
    if (held.has(principal)) return signing;
    throw new ChainError("NO_SIGNER_FOR_PRINCIPAL", `This service holds no key for ${principal}.`, { principal });
  },
} as unknown as SignerKeyStore;

let tracked: Array<{ requestedBy: string; options: TrackOptions | undefined }>;
let followed: number[];
let waitTimeouts: number[];
let followerReaches: boolean;
let follower: { waitForHeight: (height: number, timeoutMs: number) => Promise<boolean> };
const journalStub = (): TransactionJournal =>
  ({
    track: (
      requestedBy: string,
      sender: CallSender,
      work: (sender: CallSender) => Promise<unknown>,
      options?: TrackOptions,
    ) => {
      tracked.push({ requestedBy, options });
      return work(sender);
    },
  }) as unknown as TransactionJournal;
let writer: ProbeWriter;
let waitFailure: Error | undefined;

beforeEach(() => {
  tracked = [];
  followed = [];
  broadcasts = [];
  waitFailure = undefined;
  const journal = journalStub();
  waitTimeouts = [];
  followerReaches = true;
  follower = {
    waitForHeight: async (height: number, timeoutMs: number) => {
      followed.push(height);
      waitTimeouts.push(timeoutMs);
      if (waitFailure) throw waitFailure;
      return followerReaches;
    },
  };
  writer = new ProbeWriter(chain, signers, journal, {
    client: ProbeClient,
    follower,
    contractErrorStatuses: { ERR_NOT_PENDING: 409, ERR_NOT_ADMIN: 403, ERR_INVALID_NAME: 422 },
  });
});

const caller = (...principals: string[]): Caller => ({ id: "owner-key", via: "api-key", roles: ["owner"], principals });

async function refusal(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

describe("ChainWriter and its read model", () => {
  it("waits READ_MODEL_WAIT_MS for the follower, then answers from the transaction's result all the same", async () => {
    const configured = new ProbeWriter(chain, signers, journalStub(), {
      client: ProbeClient,
      follower,
      contractErrorStatuses: {},
      readModelWaitMs: 1_234,
    });
    followerReaches = false;
    const result = await configured.write(caller(OWNER), OWNER, (client) => client.approve());
    expect(result).toMatchObject({ txid: `0x${TXID}`, blockHeight: 12, value: 1 });
    await writer.write(caller(OWNER), OWNER, (client) => client.approve());
    expect(waitTimeouts).toEqual([1_234, DEFAULT_READ_MODEL_WAIT_MS]);
    expect(DEFAULT_READ_MODEL_WAIT_MS).toBe(30_000);
  });

  it("reads a refusing check again once the follower reached the chain's tip, and an accepted one once", async () => {
    const tip = vi.spyOn(chain.api, "getTipHeight").mockResolvedValue(40);
    try {
      const rows: Array<string | undefined> = [undefined, "open"];
      const read = vi.fn(async () => rows.shift());
      expect(await writer.caughtUp(read, (row) => row === "open")).toBe("open");
      expect(read).toHaveBeenCalledTimes(2);
      expect(followed).toEqual([40]);

      const once = vi.fn(async () => "open");
      expect(await writer.caughtUp(once, (row) => row === "open")).toBe("open");
      expect(once).toHaveBeenCalledTimes(1);
      expect(followed).toEqual([40]);

      // Still refusing after the wait: the second read is the answer.
      followerReaches = false;
      expect(
        await writer.caughtUp(
          async () => "accepted",
          (row) => row === "open",
        ),
      ).toBe("accepted");
      expect(followed).toEqual([40, 40]);
    } finally {
      tip.mockRestore();
    }
  });
});

describe("ChainWriter", () => {
  it("journals the call for the caller and answers once the follower read its block", async () => {
    const result = await writer.write(caller(OWNER), OWNER, (client) => client.approve());
    expect(result).toMatchObject({ txid: `0x${TXID}`, blockHeight: 12, value: 1, sender: OWNER });
    expect(tracked.map((t) => t.requestedBy)).toEqual(["owner-key"]);
    expect(followed).toEqual([12]);
  });

  it("refuses a principal the caller may not act for before anything is signed", async () => {
    const error = await refusal(writer.write(caller(OWNER), OPERATOR, (client) => client.approve()));
    expect([error.status, error.code]).toEqual([403, "PRINCIPAL_NOT_ALLOWED"]);
    expect(tracked).toEqual([]);
  });

  it("answers a contract error with the service's status for it, and 409 for one it does not name", async () => {
    const failing = (code: "ERR_INVALID_NAME" | "ERR_LAST_ADMIN", txid?: string) => async () => {
      throw new ContractError(code, "facility-registry", 1010n, txid, "ST1.facility-registry", "register-facility");
    };
    const named = await refusal(writer.write(caller(OWNER), OWNER, failing("ERR_INVALID_NAME", TXID)));
    expect([named.status, named.code]).toEqual([422, "ERR_INVALID_NAME"]);
    expect(named.details).toEqual({
      txid: `0x${TXID}`,
      contract: "ST1.facility-registry",
      function: "register-facility",
      errorNumber: "1010",
    });
    const unnamed = await refusal(writer.write(caller(OWNER), OWNER, failing("ERR_LAST_ADMIN")));
    expect([unnamed.status, unnamed.code, (unnamed.details as { txid: unknown }).txid]).toEqual([
      409,
      "ERR_LAST_ADMIN",
      null,
    ]);
  });

  it("answers the chain's other failures: refused broadcast 422 or 502, no key 422", async () => {
    const throwing = (error: Error) => async () => {
      throw error;
    };
    const poor = await refusal(
      writer.write(caller(OWNER), OWNER, throwing(new BroadcastRejectedError("NotEnoughFunds", null, undefined))),
    );
    expect([poor.status, poor.details]).toEqual([422, { reason: "NotEnoughFunds" }]);
    const refused = await refusal(
      writer.write(caller(OWNER), OWNER, throwing(new BroadcastRejectedError("BadNonce", null, undefined))),
    );
    expect(refused.status).toBe(502);
    const keyless = await refusal(writer.write(caller(STRANGER), STRANGER, (client) => client.approve()));
    expect([keyless.status, keyless.code]).toEqual([422, "NO_SIGNER_FOR_PRINCIPAL"]);
  });

  it("answers a broadcast transaction whose confirmation timed out as pending, with its txid", async () => {
    const timeout = new ConfirmationTimeoutError(`0x${TXID}`, "pending", 1);
    const pending = await writer
      .write(caller(OWNER), OWNER, (client) => client.approveThenFail(timeout))
      .catch((error: unknown) => error);
    expect(pending).toBeInstanceOf(WritePendingError);
    expect((pending as WritePendingError).txid).toBe(`0x${TXID}`);
  });

  it("answers a broadcast transaction as pending when following it failed for a reason of its own, not 500", async () => {
    const outage = new Error("Connection terminated unexpectedly");
    const pending = await writer
      .write(caller(OWNER), OWNER, (client) => client.approveThenFail(outage))
      .catch((error: unknown) => error);
    expect(pending).toMatchObject({ name: "WritePendingError", txid: `0x${TXID}` });
  });

  it("answers a confirmed write with its result when the wait for the read model fails after", async () => {
    waitFailure = new Error("Connection terminated unexpectedly");
    const result = await writer.write(caller(OWNER), OWNER, (client) => client.approve());
    expect(result).toMatchObject({ txid: `0x${TXID}`, blockHeight: 12, value: 1 });
    expect(followed).toEqual([12]);
  });

  it("still fails with the outage when nothing was broadcast", async () => {
    const outage = new Error("Connection terminated unexpectedly");
    const error = await writer
      .write(caller(OWNER), OWNER, async () => {
        throw outage;
      })
      .catch((failure: unknown) => failure);
    expect(error).toBe(outage);
  });

  it("links each transaction to the request's Idempotency-Key before it is broadcast", async () => {
    const order: string[] = [];
    const linking = {
      linkTransaction: async (transaction: LinkedTransaction) => {
        order.push(`link ${transaction.txid} (${broadcasts.length} broadcast)`);
        expect(transaction.errorStatuses).toMatchObject({ ERR_NOT_PENDING: 409 });
      },
    };
    await runIdempotentRequest(linking, () => writer.write(caller(OWNER), OWNER, (client) => client.approve()));
    expect(order).toEqual([`link 0x${TXID} (0 broadcast)`]);
    expect(broadcasts).toEqual([TXID]);
  });

  it("broadcasts nothing when the transaction cannot be linked to the key", async () => {
    const unlinkable = {
      linkTransaction: async () => {
        throw new Error("Idempotency key k is no longer held by this request.");
      },
    };
    const error = await runIdempotentRequest(unlinkable, () =>
      writer.write(caller(OWNER), OWNER, (client) => client.approve()),
    ).catch((failure: unknown) => failure);
    expect(error).toMatchObject({ message: "Idempotency key k is no longer held by this request." });
    expect(broadcasts).toEqual([]);
  });

  it("signs as the one principal of the caller it holds a key for, or asks which", async () => {
    expect(writer.actingPrincipal(caller(STRANGER, OWNER))).toBe(OWNER);
    expect(writer.actingPrincipal(caller(OWNER, OPERATOR), OPERATOR)).toBe(OPERATOR);
    expect(() => writer.actingPrincipal(caller(OWNER, OPERATOR))).toThrow(
      expect.objectContaining({
        status: 400,
        code: "ACTING_PRINCIPAL_REQUIRED",
        details: { principals: [OWNER, OPERATOR] },
      }),
    );
    expect(() => writer.actingPrincipal(caller(STRANGER))).toThrow(
      expect.objectContaining({ status: 422, code: "NO_SIGNER_FOR_CALLER" }),
    );
  });

  it("hands the journal its options and the call a wrapped sender; errors stay the chain's", async () => {
    const broadcast: string[] = [];
    const replacing = { txid: `0x${"cd".repeat(32)}` } as JournalEntry;
    const result = await writer.send(OWNER, {
      replacing,
      sender: (journaled) => ({
        ...journaled,
        submit: async (call, options) => {
          const submitted = await journaled.submit(call, options);
          broadcast.push(submitted.txid);
          return submitted;
        },
      }),
    });
    expect(result.txid).toBe(`0x${TXID}`);
    expect(broadcast).toEqual([TXID]);
    expect(tracked).toEqual([{ requestedBy: "scheduler", options: { replacing } }]);
    const keyless: unknown = await writer.send(STRANGER, {}).catch((error: unknown) => error);
    expect(keyless).toBeInstanceOf(ChainError);
    expect(keyless).toMatchObject({ code: "NO_SIGNER_FOR_PRINCIPAL" });
  });
});
