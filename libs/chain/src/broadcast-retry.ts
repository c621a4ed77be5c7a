import { BroadcastRejectedError, ChainError } from "./chain-error.js";

/** How a broadcast the node could not take for now is retried. */
export interface BroadcastRetryPolicy {
  /** Tries in all, the first included. */
  attempts: number;
  /** The pause before the second try, ms; it doubles with each further try. */
  baseDelayMs: number;
  /** The longest pause, ms. */
  maxDelayMs: number;
}

// Five tries wait at most 0.5 + 1 + 2 + 4 s: long enough for a restarting node or a
// proxy's hiccup, short enough that the signer's queue (held meanwhile) does not stall.
export const DEFAULT_BROADCAST_RETRY: BroadcastRetryPolicy = { attempts: 5, baseDelayMs: 500, maxDelayMs: 8_000 };

/**
 * Failures after which sending the same signed bytes again is worth it. Re-broadcasting a
 * signed transaction is idempotent (same txid, same nonce), so retrying cannot double a call.
 * - `blacklisted`: the node holds the txid in its temporary blacklist and refused it unseen.
 * - `server`: the node or a proxy answered 429 or 5xx; the transaction may or may not have arrived.
 */
export function retryableBroadcastFailure(error: unknown): "blacklisted" | "server" | undefined {
  if (error instanceof BroadcastRejectedError) {
    if (error.reason === "TemporarilyBlacklisted") return "blacklisted";
    // A JSON error body without a reason is reported as `HTTP <status>` by the client.
    const status = error.status ?? Number(/^HTTP (\d{3})$/.exec(error.reason)?.[1]);
    return isServerTrouble(status) ? "server" : undefined;
  }
  if (error instanceof ChainError && isServerTrouble(Number(error.details.status))) return "server";
  return undefined;
}

/**
 * Whether the node may hold the transaction even though the broadcast failed: it did not
 * answer, or answered 429/5xx. Such a transaction keeps its nonce; recovery re-broadcasts it.
 */
export function broadcastOutcomeUnknown(error: unknown): boolean {
  if (error instanceof ChainError && error.code === "NODE_UNREACHABLE") return true;
  return retryableBroadcastFailure(error) === "server";
}

/** The pause before try `attempt + 1`: exponential, capped, with jitter over its upper half so that senders spread out. */
export function broadcastBackoffMs(policy: BroadcastRetryPolicy, attempt: number, random: () => number): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(cap / 2 + (random() * cap) / 2);
}

function isServerTrouble(status: number): boolean {
  return status === 429 || (status >= 500 && status <= 599);
}
