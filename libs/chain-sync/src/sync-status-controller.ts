import { type SyncStatus, syncStatusAnswer } from "@voltstack/api";
import { Controller, Get, Inject, type Type } from "@nestjs/common";
import { ApiTags } from "@nestjs/swagger";
import type { StacksChain } from "@voltstack/chain";
import { ApiError, Operation, Roles } from "@voltstack/service-kit";
import { STACKS_CHAIN } from "./service-infrastructure.js";

// The reader answers the API's sync status; chain-sync's index exports the type from here.
export type { SyncStatus };

/** What the status needs of a service's follower (a ChainSyncService's `sync`). */
export interface FollowedSync {
  readonly sync: {
    /** The last height whose events are known to be in the read model. */
    readonly syncedHeight: number;
    /** One pass up to the chain's tip, after the passes already queued. */
    syncToTip(): Promise<number>;
  };
}

/** How long the status waits for the follower's pass to the tip; a follower catching up answers as it stands. */
const CATCH_UP_WAIT_MS = 3_000;
/** Asked within this long, the status is the last one: a busy status page costs the API nothing more. */
const STATUS_REUSE_MS = 2_000;
/** The block interval changes slowly: measured at most this often (two API requests). */
const BLOCK_TIME_REUSE_MS = 10 * 60_000;
const BLOCK_TIME_SPAN = 100;

/** The chain's API as the status reads it. */
type ChainApi = Pick<StacksChain["api"], "getChainTip" | "getBlockTime">;

/**
 * Reads a follower's position against the chain's tip: the tip asked from the API, then one
 * follower pass (so an idle follower that has read every event reports the tip, not the
 * last height someone waited for), bounded by CATCH_UP_WAIT_MS. Answers are shared for
 * STATUS_REUSE_MS and the block interval is measured every BLOCK_TIME_REUSE_MS.
 */
export class SyncStatusReader {
  #last: { at: number; status: Promise<SyncStatus> } | undefined;
  #blockTime: { at: number; secondsPerBlock: number } | undefined;

  constructor(
    private readonly follower: FollowedSync,
    private readonly api: ChainApi,
    private readonly now: () => number = Date.now,
  ) {}

  read(): Promise<SyncStatus> {
    const at = this.now();
    if (this.#last && at - this.#last.at < STATUS_REUSE_MS) return this.#last.status;
    const status = this.#measure();
    this.#last = { at, status };
    status.catch(() => {
      if (this.#last?.status === status) this.#last = undefined;
    });
    return status;
  }

  async #measure(): Promise<SyncStatus> {
    const tip = await this.api.getChainTip();
    let timer: NodeJS.Timeout | undefined;
    const caughtUp = await Promise.race([
      this.follower.sync.syncToTip().then(
        () => true,
        () => false,
      ),
      new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), CATCH_UP_WAIT_MS);
      }),
    ]).finally(() => clearTimeout(timer));
    const followerHeight = this.follower.sync.syncedHeight;
    return {
      tipHeight: tip.height,
      followerHeight,
      lagBlocks: Math.max(0, tip.height - followerHeight),
      caughtUp: caughtUp && followerHeight >= tip.height,
      secondsPerBlock: await this.#secondsPerBlock(tip.height),
    };
  }

  async #secondsPerBlock(tipHeight: number): Promise<number | null> {
    const at = this.now();
    if (this.#blockTime && at - this.#blockTime.at < BLOCK_TIME_REUSE_MS) return this.#blockTime.secondsPerBlock;
    const span = Math.min(BLOCK_TIME_SPAN, tipHeight - 1);
    if (span < 1) return null;
    const [newest, oldest] = await Promise.all([
      this.api.getBlockTime(tipHeight),
      this.api.getBlockTime(tipHeight - span),
    ]);
    if (!newest || !oldest || newest <= oldest) return null;
    const secondsPerBlock = Math.round(((newest.getTime() - oldest.getTime()) / 1000 / span) * 100) / 100;
    this.#blockTime = { at, secondsPerBlock };
    return secondsPerBlock;
  }
}

/**
 * `GET /chain-sync/status` for the follower a service's module provides under `syncService`
 * (its sync service class or a token): the chain's tip, the height the read model reached,
 * the lag between them and the chain's block interval. Any caller with a key: each answer
 * costs requests to the Stacks API, which anonymous traffic must not spend.
 */
export function createSyncStatusController(syncService: Type<FollowedSync> | symbol | string): Type<unknown> {
  @ApiTags("operations")
  @Controller("chain-sync/status")
  class SyncStatusController {
    readonly #reader: SyncStatusReader;

    constructor(@Inject(syncService) follower: FollowedSync, @Inject(STACKS_CHAIN) chain: StacksChain) {
      this.#reader = new SyncStatusReader(follower, chain.api);
    }

    @Operation({
      summary:
        "The chain's tip, the height this service's read model reached, the lag in blocks and the chain's block interval.",
      answers: syncStatusAnswer,
      refuses: [{ CHAIN_UNAVAILABLE: 503 }],
    })
    @Get()
    @Roles("admin", "operator", "owner")
    async status(): Promise<SyncStatus> {
      try {
        return await this.#reader.read();
      } catch (error) {
        throw new ApiError(
          503,
          "CHAIN_UNAVAILABLE",
          `The Stacks API did not answer: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
  }
  return SyncStatusController;
}
