/** Remembers, per follower, the last block height whose events were all handed over. */
export interface CheckpointStore {
  load(followerId: string): Promise<number | undefined>;
  save(followerId: string, height: number): Promise<void>;
}

export class InMemoryCheckpointStore implements CheckpointStore {
  readonly #heights = new Map<string, number>();

  async load(followerId: string): Promise<number | undefined> {
    return this.#heights.get(followerId);
  }

  async save(followerId: string, height: number): Promise<void> {
    this.#heights.set(followerId, height);
  }
}
