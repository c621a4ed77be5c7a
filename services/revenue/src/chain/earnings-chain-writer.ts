import { Injectable } from "@nestjs/common";
import { type CallResult, GridServicesClient } from "@voltstack/chain";
import { type ChainWriteResult, chainWriterFor, type JournalEntry } from "@voltstack/chain-sync";
import { RevenueSyncService } from "../chain-sync/revenue-sync.service.js";
import { STATUS_BY_CONTRACT_ERROR } from "./chain-write-errors.js";
import { observed, type OnBroadcast } from "./revenue-chain-writer.js";

/**
 * Signs grid-services' distribute-earnings as the service's own write (journaled like
 * every other), then waits for the revenue follower, which reads the revenue-sharing
 * prints the call makes through distribute-payments.
 */
@Injectable()
export class EarningsChainWriter extends chainWriterFor(
  GridServicesClient,
  RevenueSyncService,
  STATUS_BY_CONTRACT_ERROR,
) {
  send<T>(
    requestedBy: string,
    principal: string,
    call: (client: GridServicesClient) => Promise<CallResult<T>>,
    options: { onBroadcast?: OnBroadcast; replacing?: JournalEntry } = {},
  ): Promise<CallResult<T> & ChainWriteResult> {
    const { onBroadcast, replacing } = options;
    return this.execute(requestedBy, principal, call, {
      replacing,
      sender: onBroadcast ? (journaled) => observed(journaled, onBroadcast) : undefined,
    });
  }
}
