import { jitteredBackoffMs } from "./jittered-backoff.js";
import type { TransportRuntime } from "./transport-runtime.js";

/** Pauses between asking an unreachable database whether it answers again. */
const DATABASE_PROBE_BACKOFF = { firstMs: 250, maxMs: 5_000 } as const;

/** Whether the database answers, and waiting until it does again. */
export class DatabaseAvailability {
  /** While the database does not answer: resolves true once it does, false if the server closes first. */
  private outage: Promise<boolean> | undefined;

  constructor(private readonly transport: TransportRuntime) {}

  async answers(): Promise<boolean> {
    try {
      await this.transport.transactions.transaction((_tx, sql) => sql.query("SELECT 1"));
      return true;
    } catch {
      return false;
    }
  }

  /** One probe loop for all handlers, with one log line when it starts and one when it ends. */
  waitUntilAnswering(): Promise<boolean> {
    this.outage ??= (async () => {
      const since = Date.now();
      this.transport.onStateChange(
        "the database does not answer: deliveries are held until it does (not retried, not dead-lettered)",
      );
      for (let attempt = 1; !this.transport.isClosing(); attempt += 1) {
        await new Promise((resolve) => setTimeout(resolve, jitteredBackoffMs(DATABASE_PROBE_BACKOFF, attempt)));
        if (await this.answers()) {
          this.transport.onStateChange(
            `the database answers again after ${Math.round((Date.now() - since) / 1000)} s: handling the held deliveries`,
          );
          return true;
        }
      }
      return false;
    })().finally(() => (this.outage = undefined));
    return this.outage;
  }
}
