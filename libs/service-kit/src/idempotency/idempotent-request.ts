import { AsyncLocalStorage } from "node:async_hooks";
import type { LinkedTransaction } from "./idempotency-store.js";

/** What a request with an Idempotency-Key offers the code that handles it. */
export interface IdempotentRequest {
  /** Links a transaction to the key before it is broadcast, so a retry answers from it instead of signing again. */
  linkTransaction(transaction: LinkedTransaction): Promise<void>;
}

const storage = new AsyncLocalStorage<IdempotentRequest>();

/** The keyed request being handled, if the current request has an Idempotency-Key. */
export function currentIdempotentRequest(): IdempotentRequest | undefined {
  return storage.getStore();
}

export function runIdempotentRequest<T>(request: IdempotentRequest, work: () => Promise<T>): Promise<T> {
  return storage.run(request, work);
}
