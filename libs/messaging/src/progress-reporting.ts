import type { Route } from "./consumer-route.js";

/**
 * Tells JetStream, every third of the ack wait, that each delivery received and not
 * yet settled is still being worked on (waiting for a handler, or in one), so the ack
 * wait can be short: a delivery held by a process that died goes to another replica
 * within one ack wait. A handler past stuckAfterMs no longer gets this. Returns what stops it.
 */
export function reportProgress(route: Route): () => void {
  const { ackWaitMs, stuckAfterMs } = route.settings;
  const timer = setInterval(
    () => {
      const now = Date.now();
      for (const [message, held] of route.held) {
        if (held.startedAt !== undefined && now - held.startedAt > stuckAfterMs) continue;
        try {
          message.working();
        } catch {
          // Disconnected: the server redelivers after the ack wait if we do not come back in time.
        }
      }
    },
    Math.max(100, Math.floor(ackWaitMs / 3)),
  );
  timer.unref();
  return () => clearInterval(timer);
}
