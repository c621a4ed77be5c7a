import { Inject, Injectable } from "@nestjs/common";
import { type CallResult, type CallSender, RevenueSharingClient, type StacksChain } from "@voltstack/chain";
import type { JournalEntry, SignerKeyStore, TransactionJournal } from "@voltstack/chain-sync";
import { ApiError, assertMayActFor, type Caller } from "@voltstack/service-kit";
import { RevenueSyncService } from "../chain-sync/revenue-sync.service.js";
import { SIGNER_KEYS, STACKS_CHAIN, TRANSACTION_JOURNAL } from "../infrastructure/tokens.js";
import { chainWriteError } from "./chain-write-errors.js";

const READ_MODEL_WAIT_MS = 5_000;

/** A confirmed write, as the API reports it. */
export interface ChainWriteResult {
  txid: string;
  blockHeight: number;
}

/** Called with each transaction the sender broadcast, before its confirmation is awaited. */
export type OnBroadcast = (txid: string) => Promise<void>;

/**
 * Signs a revenue-sharing call with the key of a principal, journals it, waits for the
 * chain's verdict, then for the follower (which alone writes the read model and the
 * events) to have read that block.
 */
@Injectable()
export class RevenueChainWriter {
  constructor(
    @Inject(STACKS_CHAIN) private readonly chain: StacksChain,
    @Inject(SIGNER_KEYS) private readonly signers: SignerKeyStore,
    @Inject(TRANSACTION_JOURNAL) private readonly journal: TransactionJournal,
    @Inject(RevenueSyncService) private readonly revenueSync: RevenueSyncService,
  ) {}

  /** A client that only reads (pre-flight checks; the API's queries use the read model). */
  reader(): RevenueSharingClient {
    return new RevenueSharingClient(this.chain);
  }

  /** What the journal knows of a transaction this service sent. */
  journalEntry(txid: string): Promise<JournalEntry | undefined> {
    return this.journal.get(txid);
  }

  /** The journal's entries `requestedBy` sent that are not final yet, newest first. */
  pendingJournalEntries(requestedBy: string): Promise<JournalEntry[]> {
    return this.journal.list({ requestedBy, status: "pending", limit: 100 });
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

  /** A write for an API caller: chain failures become the HTTP answer. */
  async write<T>(
    caller: Caller,
    principal: string,
    call: (client: RevenueSharingClient) => Promise<CallResult<T>>,
  ): Promise<CallResult<T> & ChainWriteResult> {
    assertMayActFor(caller, principal);
    try {
      return await this.send(caller.id, principal, call);
    } catch (error) {
      throw chainWriteError(error);
    }
  }

  /**
   * A write on the service's own account (`requestedBy` names why); errors are the chain's.
   * `replacing` is a pending journal entry whose transaction the node does not know: the
   * call is sent in its place (see TransactionJournal.track).
   */
  async send<T>(
    requestedBy: string,
    principal: string,
    call: (client: RevenueSharingClient) => Promise<CallResult<T>>,
    options: { onBroadcast?: OnBroadcast; replacing?: JournalEntry } = {},
  ): Promise<CallResult<T> & ChainWriteResult> {
    const { onBroadcast, replacing } = options;
    const sender = await this.signers.sender(principal);
    const result = await this.journal.track(
      requestedBy,
      sender,
      (journaled) =>
        call(
          new RevenueSharingClient(this.chain, { sender: onBroadcast ? observed(journaled, onBroadcast) : journaled }),
        ),
      { replacing },
    );
    // Answer once the change is readable, when the follower keeps up; it is final on chain either way.
    await this.revenueSync.sync.waitForHeight(result.blockHeight, READ_MODEL_WAIT_MS);
    return { ...result, txid: `0x${result.txid.replace(/^0x/, "")}` };
  }
}

function observed(sender: CallSender, onBroadcast: OnBroadcast): CallSender {
  return {
    address: sender.address,
    senderFor: (address) => sender.senderFor(address),
    submit: async (call, options) => {
      const submitted = await sender.submit(call, options);
      await onBroadcast(`0x${submitted.txid.replace(/^0x/, "")}`);
      return submitted;
    },
  };
}
