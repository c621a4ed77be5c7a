import { estimateTransactionByteLength, serializePayload, type StacksTransactionWire } from "@stacks/transactions";
import type { StacksApi } from "./stacks-api.js";

export interface FeePolicy {
  /** Lowest fee paid, micro-STX; also used when the node cannot estimate. */
  floorUstx: bigint;
  /** Highest fee paid, micro-STX, whatever the node estimates. */
  ceilingUstx: bigint;
  /** How long an estimate is reused for the same contract function, ms (0 = ask the node for every transaction). */
  cacheMs: number;
  /** How much a same-nonce replacement of a stuck transaction adds to its fee at least, percent. */
  bumpPercent?: number;
}

export const DEFAULT_FEE_POLICY: FeePolicy = {
  floorUstx: 1_000n,
  ceilingUstx: 1_000_000n,
  cacheMs: 10_000,
  bumpPercent: 25,
};

export class FeeEstimator {
  readonly #cache = new Map<string, { feeUstx: bigint; until: number }>();

  constructor(
    private readonly api: StacksApi,
    readonly policy: FeePolicy = DEFAULT_FEE_POLICY,
  ) {
    if (policy.floorUstx < 0n || policy.ceilingUstx < policy.floorUstx) {
      throw new RangeError("The fee floor must be non-negative and not above the ceiling.");
    }
  }

  /** The node's estimate for this transaction (built only when needed), held within [floor, ceiling]; reused per `cacheKey` for `cacheMs`. */
  async feeFor(
    transactionOrBuild: StacksTransactionWire | (() => Promise<StacksTransactionWire>),
    cacheKey?: string,
  ): Promise<bigint> {
    const cached = cacheKey === undefined ? undefined : this.#cache.get(cacheKey);
    if (cached && cached.until > Date.now()) return cached.feeUstx;
    const transaction = typeof transactionOrBuild === "function" ? await transactionOrBuild() : transactionOrBuild;
    const estimate = await this.api
      .estimateFee(serializePayload(transaction.payload), estimateTransactionByteLength(transaction))
      .catch(() => undefined);
    const feeUstx = this.clamp(estimate ?? this.policy.floorUstx);
    if (cacheKey !== undefined && estimate !== undefined && this.policy.cacheMs > 0)
      this.#cache.set(cacheKey, { feeUstx, until: Date.now() + this.policy.cacheMs });
    return feeUstx;
  }

  /**
   * The fee of a replacement for a pending transaction that paid `previousUstx`: the more of
   * the previous fee plus `bumpPercent` and the node's current estimate, within the ceiling.
   * A stacks-node takes a replacement at the same nonce when it pays strictly more
   * (`tx_fee > prior_tx.tx_fee` in stackslib's mempool); the percentage is there so that a
   * miner ordering by fee rate actually prefers it. Undefined when the ceiling leaves no
   * room above the previous fee.
   */
  bumped(previousUstx: bigint, estimateUstx?: bigint): bigint | undefined {
    const percent = BigInt(this.policy.bumpPercent ?? 25);
    let target = previousUstx + (previousUstx * percent + 99n) / 100n;
    if (target <= previousUstx) target = previousUstx + 1n;
    if (estimateUstx !== undefined && estimateUstx > target) target = estimateUstx;
    const feeUstx = this.clamp(target);
    return feeUstx > previousUstx ? feeUstx : undefined;
  }

  clamp(feeUstx: bigint): bigint {
    if (feeUstx < this.policy.floorUstx) return this.policy.floorUstx;
    if (feeUstx > this.policy.ceilingUstx) return this.policy.ceilingUstx;
    return feeUstx;
  }
}
