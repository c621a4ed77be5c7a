/**
 * What a sender checks before every signature: that this process alone may sign for its
 * address right now. A node replaces a pending transaction by another of the same nonce
 * and a higher fee, so two processes signing with one key evict each other's
 * transactions instead of being refused; the permit (a lease, in the services) is what
 * keeps a second signer out.
 */
export interface SigningPermit {
  /** Throws a ChainError when the permit has lapsed or was never granted. */
  assertHeld(): void;
}
