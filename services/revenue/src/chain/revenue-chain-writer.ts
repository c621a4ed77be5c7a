import { Injectable } from "@nestjs/common";
import { type CallResult, type CallSender, RevenueSharingClient } from "@voltstack/chain";
import { type ChainWriteResult, chainWriterFor, type JournalEntry } from "@voltstack/chain-sync";
import { RevenueSyncService } from "../chain-sync/revenue-sync.service.js";
import { STATUS_BY_CONTRACT_ERROR } from "./chain-write-errors.js";

/** Called with each transaction the sender broadcast, before its confirmation is awaited. */
export type OnBroadcast = (txid: string) => Promise<void>;

/**
 * Signs a revenue-sharing call with the key of a principal, journals it, waits for the
 * chain's verdict, then for the follower (which alone writes the read model and the
 * events) to have read that block.
 */
@Injectable()
export class RevenueChainWriter extends chainWriterFor(
  RevenueSharingClient,
  RevenueSyncService,
  STATUS_BY_CONTRACT_ERROR,
) {
  /** A client that only reads (pre-flight checks; the API's queries use the read model). */
  reader(): RevenueSharingClient {
    return new RevenueSharingClient(this.chain);
  }

  /** What the journal knows of a transaction this service sent. */
  journalEntry(txid: string): Promise<JournalEntry | undefined> {
    return this.journal.get(txid);
  }

  /** Every journal entry `requestedBy` sent, newest first. */
  journalEntries(requestedBy: string): Promise<JournalEntry[]> {
    return this.journal.list({ requestedBy, limit: 100 });
  }

  /** Settles the journal's pending entries from the node's record of their transactions, as the pipeline does on its own. */
  reconcileJournal(): Promise<number> {
    return this.journal.reconcile(this.chain, { olderThanMs: 0 });
  }

  /** The journal's entries `requestedBy` sent that are not final yet, newest first. */
  pendingJournalEntries(requestedBy: string): Promise<JournalEntry[]> {
    return this.journal.list({ requestedBy, status: "pending", limit: 100 });
  }

  /**
   * A write on the service's own account (`requestedBy` names why); errors are the chain's.
   * `replacing` is a pending journal entry whose transaction the node does not know: the
   * call is sent in its place (see TransactionJournal.track).
   */
  send<T>(
    requestedBy: string,
    principal: string,
    call: (client: RevenueSharingClient) => Promise<CallResult<T>>,
    options: { onBroadcast?: OnBroadcast; replacing?: JournalEntry } = {},
  ): Promise<CallResult<T> & ChainWriteResult> {
    const { onBroadcast, replacing } = options;
    return this.execute(requestedBy, principal, call, {
      replacing,
      sender: onBroadcast ? (journaled) => observed(journaled, onBroadcast) : undefined,
    });
  }
}

/** `sender`, telling `onBroadcast` each txid once the node took it. */
export function observed(sender: CallSender, onBroadcast: OnBroadcast): CallSender {
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
