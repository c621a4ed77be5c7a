import { Inject, Injectable, Logger } from "@nestjs/common";
import { ChainError, ConfirmationTimeoutError, ContractError, type StacksChain } from "@voltstack/chain";
import type { JournalEntry, SignerKeyStore } from "@voltstack/chain-sync";
import { NonRetryableError } from "@voltstack/messaging";
import { SpanAttributes, withSpan } from "@voltstack/observability";
import { SERVICE_CONFIG } from "@voltstack/service-kit";
import { RevenueSyncService } from "../chain-sync/revenue-sync.service.js";
import { DISTRIBUTION_HOOKS, SIGNER_KEYS, STACKS_CHAIN } from "../infrastructure/tokens.js";
import type { RevenueConfig } from "../revenue-config.js";
import { RevenueChainWriter } from "../revenue/revenue-chain-writer.js";
import type { DistributionHooks } from "./distribution-hooks.js";
import { type DistributionIntent, DistributionIntentRepository } from "./distribution-intent-repository.js";
import { type Fulfilment, type IntentStatus, SETTLED_STATUSES } from "./fulfilment.js";

/** Who asked for a fulfilment's distribution, as the journal records it. */
function requester(requestId: number): string {
  return `fulfilment:request-${requestId}`;
}

/** Not now, later: the transport naks the delivery and it comes back after a backoff. */
export class DistributionNotSettledError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "DistributionNotSettledError";
  }
}

// Chain outcomes that mean "nothing was paid, try again": a deposit between reading the
// pool and the transaction (its post-condition), a dropped or replaced transaction, or
// an earlier distribution's nonce held by a transaction not final yet.
const RETRYABLE_CHAIN_CODES = new Set([
  "POST_CONDITION_ABORT",
  "TRANSACTION_DROPPED",
  "BROADCAST_REJECTED",
  "NONCE_BUSY",
]);
// How long one delivery waits for the fulfilment's block to become final before it is
// handed back for a later delivery (the transport reports progress meanwhile, and a
// handler is only counted as stuck after minutes).
const FINALITY_WAIT_MS = 60_000;
// Mempool statuses of a transaction that may still confirm.
const IN_FLIGHT = new Set(["pending"]);

/**
 * Pays out a facility's pool after a fulfilment put its payout there, exactly once per
 * fulfilment (per grid request) whatever the deliveries, crashes and other distributors:
 *
 * 1. The intent row (keyed by request id) is written before anything is sent.
 * 2. The decision is taken from the chain, through the follower brought to the tip:
 *    the fulfilment's deposit (same txid) and whether a distribution of that facility
 *    came after it in chain order. If one did, the payout is paid (by us on an earlier
 *    delivery, by an owner, by another fulfilment's distribution): nothing is sent.
 * 3. A distribution of ours still in flight (the intent's txid, or any pending
 *    `distribute-revenue` of the facility in the journal, which holds each transaction's
 *    txid and nonce from before its broadcast) is waited for, never duplicated.
 * 4. Only then is one sent; its txid goes on the intent. When the journal holds a
 *    distribution of this fulfilment the node does not know (its instance stopped
 *    around the broadcast, or the node dropped it), the new one is sent in its place
 *    (TransactionSender.replace): at its nonce while that is free, which supersedes it;
 *    at a new nonce only once another transaction executed its nonce, when it can never
 *    confirm; not at all while another transaction waits at that nonce.
 *
 * Whatever dies where, the next delivery repeats 2-4 and finds the first transaction:
 * it waits for it, or replaces it so that at most one of the two can ever confirm.
 *
 * A facility without shares leaves the intent `waiting_for_shares` (nothing is sent);
 * shares.updated reopens it and it goes through 2-4 like a redelivery.
 */
@Injectable()
export class DistributeFulfilmentUseCase {
  private readonly logger = new Logger("DistributeFulfilment");
  /** Per facility, the end of what this process runs for it. */
  private readonly running = new Map<number, Promise<void>>();

  constructor(
    @Inject(DistributionIntentRepository) private readonly intents: DistributionIntentRepository,
    @Inject(RevenueChainWriter) private readonly writer: RevenueChainWriter,
    @Inject(RevenueSyncService) private readonly revenueSync: RevenueSyncService,
    @Inject(STACKS_CHAIN) private readonly chain: StacksChain,
    @Inject(SIGNER_KEYS) private readonly signers: SignerKeyStore,
    @Inject(DISTRIBUTION_HOOKS) private readonly hooks: DistributionHooks,
    @Inject(SERVICE_CONFIG) private readonly config: RevenueConfig,
  ) {}

  execute(fulfilment: Fulfilment): Promise<IntentStatus> {
    return this.oneAtATime(fulfilment.facilityId, () => this.decide(fulfilment));
  }

  /**
   * The owner set the facility's shares: every fulfilment that waited for them is reopened
   * and decided again as a new delivery would be, from the chain. The first distribution
   * pays the whole pool, so the intents after it settle as `covered`.
   */
  async distributeWaiting(facilityId: number): Promise<{ requestId: number; status: IntentStatus }[]> {
    const outcomes: { requestId: number; status: IntentStatus }[] = [];
    for (const fulfilment of await this.intents.reopenWaiting(facilityId)) {
      outcomes.push({ requestId: fulfilment.requestId, status: await this.execute(fulfilment) });
    }
    return outcomes;
  }

  /**
   * Runs `work` after what this process already runs for the facility: service.fulfilled
   * and shares.updated have a consumer each, and one facility's pool is decided on by one
   * of them at a time.
   */
  private oneAtATime<T>(facilityId: number, work: () => Promise<T>): Promise<T> {
    const result = (this.running.get(facilityId) ?? Promise.resolve()).then(work);
    const done = result.then(
      () => undefined,
      () => undefined,
    );
    this.running.set(facilityId, done);
    void done.then(() => {
      if (this.running.get(facilityId) === done) this.running.delete(facilityId);
    });
    return result;
  }

  private decide(fulfilment: Fulfilment): Promise<IntentStatus> {
    return withSpan(
      "revenue distribute-fulfilment",
      { [SpanAttributes.facilityId]: fulfilment.facilityId, "voltstack.request_id": fulfilment.requestId },
      async () => {
        const intent = await this.intents.open(fulfilment);
        if (SETTLED_STATUSES.includes(intent.status)) return intent.status;
        if (intent.facilityId !== fulfilment.facilityId) {
          throw new NonRetryableError(
            "FULFILMENT_MISMATCH",
            `Request ${fulfilment.requestId} was recorded for facility ${intent.facilityId}, not ${fulfilment.facilityId}.`,
          );
        }
        if (fulfilment.payoutUstx === 0n) return this.settle(intent, "nothing_to_pay");

        const settled = await this.settledOnChain(fulfilment, intent);
        if (settled) return settled;
        const unresolved = await this.awaitInFlight(fulfilment, intent);
        // A transaction in flight may have paid it meanwhile.
        const paidMeanwhile = await this.settledOnChain(fulfilment, intent);
        if (paidMeanwhile) return paidMeanwhile;

        if ((await this.intents.sharesVersion(fulfilment.facilityId)) === 0) {
          return this.waitForShares(fulfilment, intent);
        }
        return this.send(fulfilment, intent, unresolved);
      },
    );
  }

  /**
   * Settles the intent as waiting until the owner sets shares; their shares.updated reopens
   * it. Shares set between the read and the settle may have reached that handler before the
   * intent waited, so they are read once more: if they are there now, the intent is
   * reopened and the delivery retried.
   */
  private async waitForShares(fulfilment: Fulfilment, intent: DistributionIntent): Promise<IntentStatus> {
    await this.settle(intent, "waiting_for_shares", { errorCode: "ERR_NO_SHARES" });
    if ((await this.intents.sharesVersion(fulfilment.facilityId)) === 0) {
      this.logger.warn(`Facility ${fulfilment.facilityId} has no shares: request ${fulfilment.requestId} waits.`);
      return "waiting_for_shares";
    }
    await this.intents.reopen(fulfilment.requestId);
    throw new DistributionNotSettledError(
      "SHARES_SET_MEANWHILE",
      `Facility ${fulfilment.facilityId} got its shares while request ${fulfilment.requestId} was found without.`,
    );
  }

  /** The intent's final status when the chain already shows the payout paid (or never paid in). */
  private async settledOnChain(fulfilment: Fulfilment, intent: DistributionIntent): Promise<IntentStatus | undefined> {
    const synced = await this.revenueSync.sync.syncToTip();
    if (synced < fulfilment.blockHeight) {
      throw new DistributionNotSettledError(
        "FOLLOWER_BEHIND",
        `The follower is at ${synced}, before the fulfilment's block ${fulfilment.blockHeight}.`,
      );
    }
    const finalAt = fulfilment.blockHeight + this.config.DISTRIBUTION_FINALITY_BLOCKS - 1;
    if (synced < finalAt && !(await this.revenueSync.sync.waitForHeight(finalAt, FINALITY_WAIT_MS))) {
      throw new DistributionNotSettledError(
        "AWAITING_FINALITY",
        `The fulfilment's block ${fulfilment.blockHeight} needs ${this.config.DISTRIBUTION_FINALITY_BLOCKS} blocks on the chain before its payout moves; the tip is ${synced}.`,
      );
    }
    const deposit = await this.intents.depositOf(fulfilment);
    if (!deposit) {
      this.logger.warn(`Transaction ${fulfilment.txid} deposited nothing into facility ${fulfilment.facilityId}.`);
      return this.settle(intent, "nothing_to_pay", { errorCode: "NO_DEPOSIT_ON_CHAIN" });
    }
    const paying = await this.intents.distributionAfter(fulfilment.facilityId, deposit);
    if (!paying) return undefined;
    const ours = paying.txid === intent.distributionTxid || (await this.sentFor(intent, paying.txid));
    return this.settle(intent, ours ? "distributed" : "covered", {
      distributionId: paying.distributionId,
      distributionTxid: paying.txid,
    });
  }

  /** Whether the journal shows `txid` sent for this intent (its txid may not have reached the intent). */
  private async sentFor(intent: DistributionIntent, txid: string): Promise<boolean> {
    return (await this.writer.journalEntry(txid))?.requestedBy === requester(intent.requestId);
  }

  /**
   * Waits (by retrying the delivery) while a distribution of this facility we sent may
   * still confirm. Returns this fulfilment's latest journaled distribution when the node
   * does not know it: the next one must take its place, never go beside it.
   */
  private async awaitInFlight(fulfilment: Fulfilment, intent: DistributionIntent): Promise<JournalEntry | undefined> {
    const candidates = new Set(await this.intents.pendingJournaledDistributions(fulfilment.facilityId));
    if (intent.distributionTxid) candidates.add(intent.distributionTxid);
    const unknown = new Set<string>();
    for (const txid of candidates) {
      const transaction = await this.chain.api.getTransaction(txid);
      if (transaction && IN_FLIGHT.has(transaction.tx_status)) {
        throw new DistributionNotSettledError(
          "DISTRIBUTION_IN_FLIGHT",
          `Distribution ${txid} of facility ${fulfilment.facilityId} is not confirmed yet.`,
        );
      }
      if (transaction?.tx_status === "success") {
        // Confirmed but not yet read by the follower: the next pass will show it.
        await this.revenueSync.sync.syncToTip();
      }
      if (!transaction || transaction.tx_status.startsWith("dropped")) unknown.add(txid);
    }
    const [latest] = await this.writer.pendingJournalEntries(requester(intent.requestId));
    return latest?.txid && unknown.has(latest.txid) ? latest : undefined;
  }

  private async send(
    fulfilment: Fulfilment,
    intent: DistributionIntent,
    replacing: JournalEntry | undefined,
  ): Promise<IntentStatus> {
    // A replacement must come from the signer of the transaction it replaces.
    const distributor = replacing ? this.holding(replacing.sender) : this.distributor();
    await this.intents.beginAttempt(fulfilment.requestId);
    try {
      const result = await this.writer.send(
        requester(fulfilment.requestId),
        distributor,
        (client) => client.distributeRevenue(BigInt(fulfilment.facilityId)),
        {
          replacing,
          onBroadcast: async (txid) => {
            await this.hooks.afterBroadcast(txid);
            await this.intents.recordBroadcast(fulfilment.requestId, txid);
          },
        },
      );
      return this.settle(intent, "distributed", {
        distributionId: Number(result.value),
        distributionTxid: result.txid,
      });
    } catch (error) {
      if (error instanceof ContractError && error.code === "ERR_EMPTY_POOL") {
        // Someone else's distribution got there first: it paid this payout.
        const settled = await this.settledOnChain(fulfilment, intent);
        if (settled) return settled;
        throw new DistributionNotSettledError("ERR_EMPTY_POOL", "The pool is empty but no distribution is seen yet.");
      }
      if (error instanceof ContractError && error.code === "ERR_NO_SHARES") {
        return this.settle(intent, "waiting_for_shares", { errorCode: error.code });
      }
      if (error instanceof ContractError) {
        // ERR_NOT_AUTHORIZED and the like: the configuration is wrong, retrying cannot help.
        throw new NonRetryableError(error.code, error.message);
      }
      if (error instanceof ConfirmationTimeoutError) {
        throw new DistributionNotSettledError(error.code, error.message);
      }
      if (error instanceof ChainError && RETRYABLE_CHAIN_CODES.has(error.code)) {
        throw new DistributionNotSettledError(error.code, error.message);
      }
      throw error;
    }
  }

  private distributor(): string {
    return this.holding(this.config.DISTRIBUTOR_PRINCIPAL ?? this.config.SIGNER_KEYS[0]?.principal);
  }

  private holding(principal: string | undefined): string {
    if (!principal || !this.signers.has(principal)) {
      throw new NonRetryableError(
        "NO_DISTRIBUTOR",
        `The service holds no key to distribute revenue with${principal ? ` as ${principal}` : ""}.`,
      );
    }
    return principal;
  }

  private async settle(
    intent: DistributionIntent,
    status: IntentStatus,
    outcome: { distributionId?: number; distributionTxid?: string; errorCode?: string } = {},
  ): Promise<IntentStatus> {
    await this.intents.settle(intent.requestId, status, outcome);
    return status;
  }
}
