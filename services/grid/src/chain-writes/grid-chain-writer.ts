import { Inject, Injectable } from "@nestjs/common";
import { type CallResult, GridServicesClient, type StacksChain } from "@voltstack/chain";
import type { SignerKeyStore, TransactionJournal } from "@voltstack/chain-sync";
import { ApiError, assertMayActFor, type Caller } from "@voltstack/service-kit";
import { GridSyncService } from "../chain-sync/grid-sync.service.js";
import { SIGNER_KEYS, STACKS_CHAIN, TRANSACTION_JOURNAL } from "../infrastructure/tokens.js";
import { chainWriteError } from "./chain-write-errors.js";

const READ_MODEL_WAIT_MS = 5_000;

/** A confirmed write, as the API reports it. */
export interface ChainWriteResult {
  txid: string;
  blockHeight: number;
}

/**
 * Signs a grid-services call with the key of a principal the caller may act for,
 * journals it, waits for the chain's verdict, then for the follower (which alone
 * writes the read model and the events) to have read that block.
 */
@Injectable()
export class GridChainWriter {
  constructor(
    @Inject(STACKS_CHAIN) private readonly chain: StacksChain,
    @Inject(SIGNER_KEYS) private readonly signers: SignerKeyStore,
    @Inject(TRANSACTION_JOURNAL) private readonly journal: TransactionJournal,
    @Inject(GridSyncService) private readonly gridSync: GridSyncService,
  ) {}

  /**
   * The principal a caller's call is signed as: `requested` when given, else the one
   * principal of the caller the service holds a key for.
   */
  actingPrincipal(caller: Caller, requested?: string): string {
    if (requested !== undefined) {
      assertMayActFor(caller, requested);
      return requested;
    }
    const held = caller.principals.filter((principal) => this.signers.has(principal));
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

  async write<T>(
    caller: Caller,
    principal: string,
    call: (grid: GridServicesClient) => Promise<CallResult<T>>,
  ): Promise<CallResult<T> & ChainWriteResult> {
    assertMayActFor(caller, principal);
    try {
      const sender = await this.signers.sender(principal);
      const result = await this.journal.track(caller.id, sender, (journaled) =>
        call(new GridServicesClient(this.chain, { sender: journaled })),
      );
      // Answer once the change is readable, when the follower keeps up; it is final on chain either way.
      await this.gridSync.sync.waitForHeight(result.blockHeight, READ_MODEL_WAIT_MS);
      return { ...result, txid: `0x${result.txid.replace(/^0x/, "")}` };
    } catch (error) {
      throw chainWriteError(error);
    }
  }
}
