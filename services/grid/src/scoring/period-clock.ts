import { Inject, Injectable } from "@nestjs/common";
import type { StacksChain } from "@voltstack/chain";
import { STACKS_CHAIN } from "@voltstack/chain-sync";

// Block times of a few hundred periods' boundaries; an evicted one is asked again.
const CACHED_BLOCKS = 1_024;

/**
 * Wall-clock time of a program period: periods are spans of Stacks blocks, telemetry is timed
 * by the meter, and a block's time is when it was made. A confirmed block's time does not
 * change, so it is asked once (a fork that replaces it moves it by seconds at most).
 */
@Injectable()
export class PeriodClock {
  readonly #times = new Map<number, Date>();

  constructor(@Inject(STACKS_CHAIN) private readonly chain: StacksChain) {}

  /** When the block at `height` was made, or null while the chain has no such block. */
  async blockTime(height: number): Promise<Date | null> {
    const known = this.#times.get(height);
    if (known) return known;
    const time = await this.chain.api.getBlockTime(height);
    if (time) {
      if (this.#times.size >= CACHED_BLOCKS) this.#times.delete(this.#times.keys().next().value!);
      this.#times.set(height, time);
    }
    return time;
  }
}
