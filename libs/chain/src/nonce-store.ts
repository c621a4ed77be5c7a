/**
 * Remembers the last nonce a signer used, so that a restart never hands out a nonce
 * twice even before the node has seen the transaction that used it. Re-syncing from
 * the node on start is always done; a store adds this guard on top.
 */
export interface NonceStore {
  load(address: string): Promise<bigint | undefined>;
  save(address: string, lastUsedNonce: bigint): Promise<void>;
}

export class InMemoryNonceStore implements NonceStore {
  readonly #nonces = new Map<string, bigint>();

  async load(address: string): Promise<bigint | undefined> {
    return this.#nonces.get(address);
  }

  async save(address: string, lastUsedNonce: bigint): Promise<void> {
    const current = this.#nonces.get(address);
    if (current === undefined || lastUsedNonce > current) this.#nonces.set(address, lastUsedNonce);
  }
}
