import { Inject, Injectable, type Type } from "@nestjs/common";
import {
  type CallResult,
  type CallSender,
  ConfirmationTimeoutError,
  type ContractClient,
  type ContractClientOptions,
  type ContractKey,
  type StacksChain,
} from "@voltstack/chain";
import {
  ApiError,
  assertMayActFor,
  type Caller,
  currentIdempotentRequest,
  type IdempotentRequest,
  SERVICE_CONFIG,
  WritePendingError,
} from "@voltstack/service-kit";
import { chainWriteError, type ContractErrorStatuses } from "./chain-write-errors.js";
import type { ContractEventSync } from "./contract-event-sync.js";
import { SIGNER_KEYS, STACKS_CHAIN, TRANSACTION_JOURNAL } from "./service-infrastructure.js";
import type { SignerKeyStore } from "./signer-key-store.js";
import type { TrackOptions, TransactionJournal } from "./transaction-journal.js";

/** READ_MODEL_WAIT_MS's default: how long a write waits for the follower, ms. */
export const DEFAULT_READ_MODEL_WAIT_MS = 30_000;

/** A confirmed write, as the API reports it. */
export interface ChainWriteResult {
  txid: string;
  blockHeight: number;
}

/** One of libs/chain's typed contract clients (FacilityRegistryClient, CapacityClient, ...). */
export type ContractClientClass<Client extends ContractClient> = new (
  chain: StacksChain,
  options?: ContractClientOptions,
) => Client;

/** The service's follower of the contract, which alone writes its read model and events. */
export type ReadModelFollower = Pick<ContractEventSync<ContractKey, unknown>, "waitForHeight">;

/** A service's provider of that follower (its `…SyncService`). */
export interface ContractSyncService {
  readonly sync: ReadModelFollower;
}

export interface ChainWriterOptions<Client extends ContractClient> {
  client: ContractClientClass<Client>;
  follower: ReadModelFollower;
  contractErrorStatuses: ContractErrorStatuses;
  /** How long a write waits for the follower to read its block, and a check for it to reach the tip, ms. */
  readModelWaitMs?: number;
}

/** How a call is sent: TransactionJournal.track's options, and what the call's sender is made of. */
export interface ExecuteOptions extends TrackOptions {
  /** Wraps the journal's sender, e.g. to learn each txid once broadcast. */
  sender?: (journaled: CallSender) => CallSender;
  /** Of the keys that sign as the principal (`signingKeys`), only these may sign this call. */
  signWith?: readonly string[];
}

/** What a write may be asked for besides its call. */
export interface WriteOptions {
  /** Of the keys that sign as the principal (`signingKeys`), only these may sign this call. */
  signWith?: readonly string[];
}

/**
 * Signs a contract call with the key of a principal the caller may act for, journals it,
 * waits for the chain's verdict, then for the follower to have read that block; a failure
 * becomes the HTTP answer. A service gets its own with `chainWriterFor`.
 */
export abstract class ChainWriter<Client extends ContractClient> {
  constructor(
    protected readonly chain: StacksChain,
    private readonly signers: SignerKeyStore,
    protected readonly journal: TransactionJournal,
    private readonly settings: ChainWriterOptions<Client>,
  ) {}

  /**
   * What a check before signing reads from the read model, read again once the follower has
   * reached the chain's tip when the first read would refuse (`settled` false). A write right
   * after another (an accept after its request's creation) is then not refused, nor answered
   * 404, because the read model has not yet read a block the chain already has. The wait is
   * bounded by READ_MODEL_WAIT_MS; what the second read says is the answer.
   */
  async caughtUp<T>(read: () => Promise<T>, settled: (value: T) => boolean): Promise<T> {
    const first = await read();
    if (settled(first)) return first;
    await this.followerAtTip();
    return read();
  }

  /** Resolves true once the follower has read every block up to the chain's tip now, false after READ_MODEL_WAIT_MS. */
  async followerAtTip(): Promise<boolean> {
    const tip = await this.chain.api.getTipHeight();
    return this.settings.follower.waitForHeight(tip, this.#readModelWaitMs);
  }

  get #readModelWaitMs(): number {
    return this.settings.readModelWaitMs ?? DEFAULT_READ_MODEL_WAIT_MS;
  }

  /** The keys that sign as `principal`: itself (unless its pool leaves it out) and its pool's keys (SIGNER_POOLS). */
  signingKeys(principal: string): string[] {
    return this.signers.poolOf(principal);
  }

  /** The principals among `candidates` this service holds a key for. */
  held(candidates: readonly string[]): string[] {
    return candidates.filter((principal) => this.signers.has(principal));
  }

  /**
   * The principal a caller's call is signed as: `requested` when given, else the one
   * principal of the caller the service holds a key for.
   */
  actingPrincipal(caller: Caller, requested?: string): string {
    if (requested !== undefined) {
      assertMayActFor(caller, requested);
      return requested;
    }
    const held = this.held(caller.principals);
    if (held.length === 1) return held[0]!;
    if (held.length === 0) {
      throw ApiError.unprocessable(
        "NO_SIGNER_FOR_CALLER",
        "This service holds no key for any principal of the caller; sign the transaction from the wallet instead.",
      );
    }
    throw ApiError.badRequest(
      "ACTING_PRINCIPAL_REQUIRED",
      "The caller may act for several principals this service signs for: name one in actAs.",
      { principals: held },
    );
  }

  /**
   * A write for an API caller: chain failures become the HTTP answer. Once a transaction
   * was broadcast the answer is what is known of it, never a bare 500: its result when it
   * confirmed (even if the journal update or the read-model wait failed after), its
   * contract error when it failed, else WritePendingError (answered 202). Under an
   * Idempotency-Key each transaction is linked to the key before its broadcast.
   */
  async write<T>(
    caller: Caller,
    principal: string,
    call: (client: Client) => Promise<CallResult<T>>,
    options: WriteOptions = {},
  ): Promise<CallResult<T> & ChainWriteResult> {
    assertMayActFor(caller, principal);
    const keyed = currentIdempotentRequest();
    const broadcast: string[] = [];
    let confirmed: (CallResult<T> & ChainWriteResult) | undefined;
    try {
      return await this.execute(
        caller.id,
        principal,
        async (client) => {
          const result = await call(client);
          confirmed = { ...result, txid: prefixed(result.txid) };
          return result;
        },
        {
          sender: (journaled) => this.#announcing(journaled, broadcast, keyed),
          ...(options.signWith ? { signWith: options.signWith } : {}),
        },
      );
    } catch (error) {
      if (confirmed) return confirmed;
      const answer = chainWriteError(error, this.settings.contractErrorStatuses);
      const last = broadcast[broadcast.length - 1];
      if (last !== undefined && (error instanceof ConfirmationTimeoutError || !(answer instanceof ApiError))) {
        throw new WritePendingError(last, (error as Error).message);
      }
      throw answer;
    }
  }

  /** `journaled`, telling `broadcast` (and the request's Idempotency-Key) each txid before it goes out. */
  #announcing(journaled: CallSender, broadcast: string[], keyed: IdempotentRequest | undefined): CallSender {
    const errorStatuses = this.settings.contractErrorStatuses;
    return {
      address: journaled.address,
      senderFor: (address) => journaled.senderFor(address),
      submit: (call, options = {}) =>
        journaled.submit(call, {
          ...options,
          beforeBroadcast: async (transaction) => {
            const txid = prefixed(transaction.txid);
            const replaces = transaction.replaces === undefined ? {} : { replaces: prefixed(transaction.replaces) };
            await keyed?.linkTransaction({ txid, errorStatuses, ...replaces });
            broadcast.push(txid);
            await options.beforeBroadcast?.(transaction);
          },
        }),
    };
  }

  /** Sends `call` as `principal`, journaled for `requestedBy`; errors are the chain's. */
  protected async execute<T>(
    requestedBy: string,
    principal: string,
    call: (client: Client) => Promise<CallResult<T>>,
    options: ExecuteOptions = {},
  ): Promise<CallResult<T> & ChainWriteResult> {
    const { sender: wrap, signWith, ...track } = options;
    const sender = await this.signers.sender(principal, signWith);
    const result = await this.journal.track(
      requestedBy,
      sender,
      (journaled) => call(new this.settings.client(this.chain, { sender: wrap ? wrap(journaled) : journaled })),
      track,
    );
    // Answer once the change is readable, when the follower keeps up within READ_MODEL_WAIT_MS;
    // it is final on chain either way, and the answer comes from the transaction's result.
    await this.settings.follower.waitForHeight(result.blockHeight, this.#readModelWaitMs);
    return { ...result, txid: prefixed(result.txid) };
  }
}

/** Txids as the API answers them: with 0x. */
function prefixed(txid: string): string {
  return `0x${txid.replace(/^0x/, "")}`;
}

/**
 * The chain writer of a service: calls through `client`, waits for `syncService`'s follower,
 * answers a contract's error with its status in `contractErrorStatuses` (409 when absent).
 * The service extends it with what only it knows (who signs, its own kinds of send).
 */
export function chainWriterFor<Client extends ContractClient>(
  client: ContractClientClass<Client>,
  syncService: Type<ContractSyncService>,
  contractErrorStatuses: ContractErrorStatuses,
): Type<ChainWriter<Client>> {
  @Injectable()
  class ContractChainWriter extends ChainWriter<Client> {
    constructor(
      @Inject(STACKS_CHAIN) chain: StacksChain,
      @Inject(SIGNER_KEYS) signers: SignerKeyStore,
      @Inject(TRANSACTION_JOURNAL) journal: TransactionJournal,
      @Inject(syncService) contractSync: ContractSyncService,
      @Inject(SERVICE_CONFIG) config: { READ_MODEL_WAIT_MS?: number },
    ) {
      super(chain, signers, journal, {
        client,
        follower: contractSync.sync,
        contractErrorStatuses,
        readModelWaitMs: config.READ_MODEL_WAIT_MS,
      });
    }
  }
  return ContractChainWriter;
}
