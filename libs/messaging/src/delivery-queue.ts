import type { JsMsg } from "@nats-io/jetstream";

/**
 * Deliveries received and not yet handled. The fetch loop fills it up to its
 * capacity; handler tasks take what is waiting (up to a batch) whenever free,
 * so batches form under load and a lone message is handled at once.
 */
export class DeliveryQueue {
  private readonly items: JsMsg[] = [];
  private readonly takers: Array<() => void> = [];
  private space: (() => void) | undefined;
  private ended = false;
  constructor(private readonly capacity: number) {}

  async push(message: JsMsg): Promise<void> {
    while (this.items.length >= this.capacity && !this.ended) {
      await new Promise<void>((resolve) => (this.space = resolve));
    }
    this.items.push(message);
    this.takers.shift()?.();
  }

  /** Up to `max` waiting deliveries; undefined once ended and empty. */
  async take(max: number): Promise<JsMsg[] | undefined> {
    while (this.items.length === 0) {
      if (this.ended) return undefined;
      await new Promise<void>((resolve) => this.takers.push(resolve));
    }
    const batch = this.items.splice(0, max);
    const space = this.space;
    this.space = undefined;
    space?.();
    return batch;
  }

  end(): void {
    this.ended = true;
    for (const taker of this.takers.splice(0)) taker();
    this.space?.();
  }
}
