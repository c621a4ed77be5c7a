import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from "@nestjs/common";
import {
  ChainError,
  ConfirmationTimeoutError,
  ContractError,
  GridServicesClient,
  type StacksChain,
} from "@voltstack/chain";
import { type JournalEntry, STACKS_CHAIN } from "@voltstack/chain-sync";
import { withSpan } from "@voltstack/observability";
import { SERVICE_CONFIG } from "@voltstack/service-kit";
import { RevenueSyncService } from "../chain-sync/revenue-sync.service.js";
import { distributionSigners, type RevenueConfig } from "../revenue-config.js";
import { RevenueChainWriter } from "../chain/revenue-chain-writer.js";
import {
  type DistributionBatch,
  DistributionBatchRepository,
  type FormResult,
} from "./distribution-batch-repository.js";
import { DISTRIBUTION_HOOKS, type DistributionHooks } from "./distribution-hooks.js";
import { DistributionIntentRepository } from "./distribution-intent-repository.js";
import { EarningsChainWriter } from "../chain/earnings-chain-writer.js";

/** Who asked for a batch's transaction, as the journal records it. */
export function batchRequester(batchId: string): string {
  return `distribution-batch:${batchId}`;
}

// After a pass that events asked for, the next one no sooner than this.
const WAKE_GAP_MS = 100;
// How long a batch found confirmed waits for the follower to read its block.
const READ_MODEL_WAIT_MS = 5_000;
// Passes closer than this to the last one that brought the follower to the tip use the
// height it reached, so a stream of events does not become a stream of API requests.
const SYNC_GAP_MS = 1_000;
// Outcomes after which the batch's transaction can never pay: nothing was paid, and the
// payouts are due again without counting an attempt (the chain did not refuse them).
const NEVER_PAID = new Set(["TRANSACTION_DROPPED", "BROADCAST_REJECTED", "NONCE_BUSY", "TRANSACTION_SUPERSEDED"]);
// Mined and failed: nothing was paid; the payouts count an attempt.
const MINED_FAILED = new Set(["POST_CONDITION_ABORT", "TRANSACTION_FAILED"]);
// Refusals that say nothing about the payouts themselves: the cohort grew between reading
// its length and the transaction (one amount per slot is required).
const NOT_THE_PAYOUTS = new Set(["ERR_LINES_MISMATCH"]);

/**
 * Pays what the event consumers recorded as due, in batches, never holding a consumer:
 * every DISTRIBUTION_BATCH_INTERVAL_MS (and soon after an event was recorded), it brings
 * the follower to the tip, forms batches of the payouts whose block has
 * DISTRIBUTION_FINALITY_BLOCKS on the chain (distribute-pools, up to 50 facilities;
 * distribute-earnings, one cohort) and sends them, up to DISTRIBUTION_MAX_IN_FLIGHT at
 * once, signers taken in turn. Each batch is recorded, its payouts taken out of `due`,
 * before anything is signed; its transaction is journaled before its broadcast. A batch
 * whose sender stopped is taken over once its hold lapsed and decided from the journal
 * and the node: confirmed, it is settled; in the mempool, it is waited for; unknown to the
 * node, it is sent again in its place (at its nonce while that is free), so the same
 * amounts are never paid twice; refused, its payouts are due again.
 */
@Injectable()
export class DistributionBatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger("DistributionBatcher");
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly signers: string[];
  private turn = 0;
  private timer: NodeJS.Timeout | undefined;
  private passing: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private lastSyncAt = 0;

  constructor(
    @Inject(DistributionBatchRepository) private readonly batches: DistributionBatchRepository,
    @Inject(DistributionIntentRepository) private readonly intents: DistributionIntentRepository,
    @Inject(RevenueChainWriter) private readonly pools: RevenueChainWriter,
    @Inject(EarningsChainWriter) private readonly earnings: EarningsChainWriter,
    @Inject(RevenueSyncService) private readonly revenueSync: RevenueSyncService,
    @Inject(STACKS_CHAIN) private readonly chain: StacksChain,
    @Inject(DISTRIBUTION_HOOKS) private readonly hooks: DistributionHooks,
    @Inject(SERVICE_CONFIG) private readonly config: RevenueConfig,
  ) {
    this.signers = distributionSigners(config);
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.wake(), this.config.DISTRIBUTION_BATCH_INTERVAL_MS);
    this.timer.unref();
    this.wake();
  }

  onApplicationShutdown(): void {
    this.stop();
  }

  /** Stops looking and renewing holds; batches in flight are left to whoever takes them over. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
  }

  /** Runs a pass now, or right after the one under way. */
  wake(): void {
    if (this.stopped) return;
    if (this.passing) {
      this.again = true;
      return;
    }
    this.passing = this.pass()
      .catch((error: unknown) => this.logger.warn(`A batching pass failed: ${(error as Error).message}`))
      .finally(() => {
        this.passing = undefined;
        if (this.again) {
          this.again = false;
          setTimeout(() => this.wake(), WAKE_GAP_MS).unref();
        }
      });
  }

  /** Batches this process is sending now. */
  get inFlightCount(): number {
    return this.inFlight.size;
  }

  private free(): number {
    return this.config.DISTRIBUTION_MAX_IN_FLIGHT - this.inFlight.size;
  }

  private async pass(): Promise<void> {
    if (this.signers.length === 0 || this.free() <= 0) return;
    for (const batch of await this.batches.takeOver(
      [...this.inFlight.keys()],
      this.config.DISTRIBUTION_BATCH_HOLD_MS,
      this.free(),
    )) {
      this.launch(batch, "taken over");
    }
    if (this.free() <= 0 || !(await this.intents.anythingDue())) return;
    const synced = await this.followerHeight();
    const options = () => ({
      finalHeight: synced - this.config.DISTRIBUTION_FINALITY_BLOCKS + 1,
      maxBatches: this.free(),
      nextSigner: () => this.signers[this.turn++ % this.signers.length]!,
      leaseMs: this.config.DISTRIBUTION_BATCH_HOLD_MS,
    });
    this.report(await this.batches.formPoolBatches(options()));
    if (this.free() > 0) this.report(await this.batches.formEarningBatches(options()));
  }

  private async followerHeight(): Promise<number> {
    if (Date.now() - this.lastSyncAt < Math.min(SYNC_GAP_MS, this.config.DISTRIBUTION_BATCH_INTERVAL_MS)) {
      return this.revenueSync.sync.syncedHeight;
    }
    const synced = await this.revenueSync.sync.syncToTip();
    this.lastSyncAt = Date.now();
    return synced;
  }

  private report(result: FormResult): void {
    const { covered, nothingToPay, waitingForShares } = result.settled;
    if (covered + nothingToPay + waitingForShares > 0) {
      this.logger.log(
        `Settled without a transaction: ${covered} covered, ${nothingToPay} nothing to pay, ${waitingForShares} waiting for shares.`,
      );
    }
    for (const short of result.shortPools) {
      this.logger.warn(
        `Facility ${short.facilityId}: ${short.dueUstx} micro-STX due but ${short.availableUstx} in its pool besides batches in flight; it waits.`,
      );
    }
    for (const batch of result.batches) this.launch(batch, "formed");
  }

  private launch(batch: DistributionBatch, how: string): void {
    this.logger.debug?.(`Batch ${batch.id} (${batch.kind}, ${batch.totalUstx} micro-STX) ${how}.`);
    // In the trace of the first request it pays (so one trace id leads from a request to its
    // payout), linked to the others'.
    const [first, ...others] = batch.traceparents.map((traceparent) => ({ traceparent }));
    const task = withSpan(
      "revenue distribution-batch",
      { "voltstack.batch_id": batch.id, "voltstack.batch_kind": batch.kind, "voltstack.batch_how": how },
      () => this.run(batch),
      { ...(first ? { parent: first } : {}), links: others },
    )
      .catch((error: unknown) => {
        this.logger.warn(`Batch ${batch.id}: ${(error as Error).message}; it is looked at again later.`);
        return this.batches.release(batch.id, this.config.DISTRIBUTION_BATCH_INTERVAL_MS).catch(() => undefined);
      })
      .finally(() => {
        this.inFlight.delete(batch.id);
        this.wake();
      });
    this.inFlight.set(batch.id, task);
  }

  private async run(batch: DistributionBatch): Promise<void> {
    const renewal = setInterval(() => {
      if (!this.stopped)
        void this.batches.renew(batch.id, this.config.DISTRIBUTION_BATCH_HOLD_MS).catch(() => undefined);
    }, this.config.DISTRIBUTION_BATCH_HOLD_MS / 3);
    renewal.unref();
    try {
      const next = await this.resume(batch);
      if (next) await this.send(batch, next.replacing);
    } finally {
      clearInterval(renewal);
    }
  }

  /**
   * What the journal and the node say of the batch's earlier transaction, if any: undefined
   * when that decided the batch (or it must wait), else how to send it.
   */
  private async resume(batch: DistributionBatch): Promise<{ replacing?: JournalEntry } | undefined> {
    const entries = await this.pools.journalEntries(batchRequester(batch.id));
    if (entries.length === 0) return {};
    const confirmed = entries.find((entry) => entry.status === "confirmed" && entry.txid);
    if (confirmed) {
      await this.confirmFound(batch, confirmed.txid!, confirmed.blockHeight ?? 0);
      return undefined;
    }
    const pending = entries.find((entry) => entry.status === "pending" && entry.txid);
    if (!pending) {
      const [latest] = entries;
      await this.fail(batch, latest!.errorCode ?? "UNKNOWN", latest!.errorMessage ?? "The transaction failed.");
      return undefined;
    }
    const transaction = await this.chain.api.getTransaction(pending.txid!);
    if (!transaction || transaction.tx_status.startsWith("dropped")) return { replacing: pending };
    if (transaction.tx_status === "pending") {
      await this.batches.release(batch.id, this.config.DISTRIBUTION_BATCH_INTERVAL_MS);
      return undefined;
    }
    // Mined: the journal learns how it ended from the node, as its own reconciliation would.
    await this.pools.reconcileJournal();
    const settled = await this.pools.journalEntry(pending.txid!);
    if (settled?.status === "confirmed") await this.confirmFound(batch, settled.txid!, settled.blockHeight ?? 0);
    else if (settled?.status === "failed") {
      await this.fail(batch, settled.errorCode ?? "UNKNOWN", settled.errorMessage ?? "The transaction failed.");
    } else await this.batches.release(batch.id, this.config.DISTRIBUTION_BATCH_INTERVAL_MS);
    return undefined;
  }

  /**
   * A batch found confirmed (by the journal or the node) is settled once the follower read its
   * block (bounded, as a write waits), so its payouts show as distributed with their payments.
   */
  private async confirmFound(batch: DistributionBatch, txid: string, blockHeight: number): Promise<void> {
    await this.revenueSync.sync.waitForHeight(blockHeight, READ_MODEL_WAIT_MS);
    await this.paid(batch, txid, blockHeight);
  }

  /** Records the batch as paid, and says so in the log (in the trace of the payouts it paid). */
  private async paid(batch: DistributionBatch, txid: string, blockHeight: number): Promise<void> {
    await this.batches.confirm(batch.id, txid, blockHeight);
    const lines = batch.kind === "pools" ? batch.lines.length : batch.amounts.filter((amount) => amount > 0n).length;
    this.logger.log(
      `Batch ${batch.id} paid ${batch.totalUstx} micro-STX (${batch.kind}, ${lines} lines) in ${txid} at block ${blockHeight}.`,
    );
  }

  private async send(batch: DistributionBatch, replacing: JournalEntry | undefined): Promise<void> {
    // A replacement must come from the signer of the transaction it replaces.
    const principal = replacing?.sender ?? batch.signer;
    const options = {
      replacing,
      onBroadcast: async (txid: string) => {
        await this.hooks.afterBroadcast(txid);
        await this.batches.recordBroadcast(batch.id, txid);
      },
    };
    try {
      const result =
        batch.kind === "pools"
          ? await this.pools.send(
              batchRequester(batch.id),
              principal,
              (client) =>
                client.distributePools(
                  batch.lines.map((line) => ({ facilityId: BigInt(line.facilityId), amountUstx: line.amountUstx })),
                ),
              options,
            )
          : await this.earnings.send(
              batchRequester(batch.id),
              principal,
              async (client) =>
                client.distributeEarnings(
                  BigInt(batch.programId),
                  BigInt(batch.cohort),
                  await this.alignedWithSlots(batch.programId, batch.cohort, batch.amounts),
                ),
              options,
            );
      await this.paid(batch, result.txid, result.blockHeight);
    } catch (error) {
      if (error instanceof ConfirmationTimeoutError) {
        // It may still confirm: whoever takes the batch over next decides from the node.
        await this.batches.release(batch.id, this.config.DISTRIBUTION_BATCH_INTERVAL_MS);
        return;
      }
      if (
        error instanceof ContractError ||
        (error instanceof ChainError && (MINED_FAILED.has(error.code) || NEVER_PAID.has(error.code)))
      ) {
        await this.fail(batch, error.code, error.message);
        return;
      }
      // Anything else (the API unreachable, the database) may have left a transaction on its
      // way: the batch is decided again from the journal and the node.
      throw error;
    }
  }

  /** One amount per slot of the cohort as the chain holds it now (slots enrolled after the settlement get 0). */
  private async alignedWithSlots(programId: number, cohort: number, amounts: readonly bigint[]): Promise<bigint[]> {
    const slots = await new GridServicesClient(this.chain).getProgramCohort(BigInt(programId), BigInt(cohort));
    const width = Math.max(slots?.length ?? 0, amounts.length);
    return Array.from({ length: width }, (_, slot) => amounts[slot] ?? 0n);
  }

  /**
   * A refusal by the chain counts an attempt of each payout; one that says nothing about
   * the payouts (a dropped transaction, a grown cohort) does not.
   */
  private async fail(batch: DistributionBatch, code: string, message: string): Promise<void> {
    const counted = !NEVER_PAID.has(code) && !NOT_THE_PAYOUTS.has(code);
    if (counted) this.logger.warn(`Batch ${batch.id} (${batch.kind}) was refused: ${code}. ${message}`);
    await this.batches.fail(batch.id, { code, message }, { max: this.config.DISTRIBUTION_MAX_ATTEMPTS, counted });
  }
}
