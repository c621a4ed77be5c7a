import { connect, type NatsConnection, type NodeConnectionOptions } from "@nats-io/transport-node";
import { natsConnected, natsDisconnectDuration, natsReconnects } from "./metrics.js";

/** Waits between reconnect attempts: doubling from the first to the last, each plus up to half again at random. */
export const NATS_RECONNECT_BACKOFF = { firstMs: 250, maxMs: 5_000 } as const;

/** The pause before a reconnect attempt after `failedAttempts` failed ones; `random` in [0, 1). */
export function natsReconnectDelayMs(failedAttempts: number, random: () => number = Math.random): number {
  const { firstMs, maxMs } = NATS_RECONNECT_BACKOFF;
  const base = Math.min(maxMs, firstMs * 2 ** Math.min(failedAttempts, 16));
  return Math.round(base + base * 0.5 * random());
}

export type NatsConnectionState = "connected" | "disconnected" | "closed";

export interface NatsConnectionLog {
  log(message: string): void;
  error(message: string): void;
}

/**
 * Follows one NATS connection that reconnects without a limit: its state for the
 * readiness and liveness checks, one log line per change of state (never one per
 * attempt), and the reconnect and outage metrics. It also paces the client's
 * reconnect attempts (`reconnectDelayHandler`), so a server that is down for
 * minutes is asked a few times a minute, not hammered, and replicas do not come
 * back in lockstep.
 */
export class NatsConnectionWatch {
  #state: NatsConnectionState = "connected";
  #disconnectedAt: number | undefined;
  #server = "";
  #attempts = 0;
  #closeReason: string | undefined;
  #stopping = false;
  #connection: NatsConnection | undefined;

  constructor(
    readonly name: string,
    private readonly logger: NatsConnectionLog = { log: console.log, error: console.error },
    private readonly now: () => number = Date.now,
  ) {}

  /** Connection options that never give up reconnecting; spread them under the caller's own. */
  reconnectOptions(): Pick<NodeConnectionOptions, "maxReconnectAttempts" | "reconnectDelayHandler" | "name"> {
    return {
      name: this.name,
      maxReconnectAttempts: -1,
      // The client asks before each attempt.
      reconnectDelayHandler: () => natsReconnectDelayMs(this.#attempts),
    };
  }

  /** Starts following `connection`'s status. */
  watch(connection: NatsConnection): void {
    this.#connection = connection;
    natsConnected.set({ connection: this.name }, 1);
    void this.follow(connection);
    void connection.closed().then((error) => {
      this.#state = "closed";
      natsConnected.set({ connection: this.name }, 0);
      if (this.#stopping) return;
      this.#closeReason = error ? error.message : "closed by the client";
      this.logger.error(`NATS connection ${this.name} closed for good: ${this.#closeReason}`);
    });
  }

  /** Tells the watch that the service closes the connection on purpose (shutdown). */
  stopping(): void {
    this.#stopping = true;
  }

  /** The connection followed. */
  get connection(): NatsConnection {
    if (!this.#connection) throw new Error(`NatsConnectionWatch ${this.name} follows no connection yet`);
    return this.#connection;
  }

  get state(): NatsConnectionState {
    return this.#state;
  }

  /** Milliseconds since the connection was lost, while it is. */
  disconnectedForMs(): number | undefined {
    return this.#disconnectedAt === undefined ? undefined : this.now() - this.#disconnectedAt;
  }

  /** Throws, naming the reason, while the connection cannot carry messages. */
  assertConnected(): void {
    if (this.#state === "closed")
      throw new Error(`the NATS connection is closed for good (${this.#closeReason ?? "shutting down"})`);
    if (this.#state === "disconnected")
      throw new Error(
        `NATS at ${this.#server} unreachable for ${Math.round(this.disconnectedForMs()! / 1000)} s, reconnecting: ${this.#attempts} attempts so far`,
      );
  }

  /** Throws only when the connection can never come back by itself: the process needs a restart. */
  assertRecoverable(): void {
    if (this.#state === "closed" && !this.#stopping)
      throw new Error(`the NATS connection is closed for good (${this.#closeReason}); restart the process`);
  }

  private async follow(connection: NatsConnection): Promise<void> {
    for await (const status of connection.status()) {
      switch (status.type) {
        case "disconnect":
          if (this.#state !== "connected") break;
          this.#state = "disconnected";
          this.#server = status.server;
          this.#disconnectedAt = this.now();
          this.#attempts = 0;
          natsConnected.set({ connection: this.name }, 0);
          this.logger.error(`NATS connection ${this.name} lost (${status.server}); reconnecting without a limit`);
          break;
        case "reconnecting":
          this.#attempts += 1;
          break;
        case "reconnect": {
          const downMs = this.disconnectedForMs() ?? 0;
          this.#state = "connected";
          this.#disconnectedAt = undefined;
          natsConnected.set({ connection: this.name }, 1);
          natsReconnects.inc({ connection: this.name });
          natsDisconnectDuration.observe({ connection: this.name }, downMs / 1000);
          this.logger.log(
            `NATS connection ${this.name} back (${status.server}) after ${Math.round(downMs / 1000)} s and ${this.#attempts} attempts`,
          );
          this.#attempts = 0;
          break;
        }
        default:
      }
    }
  }
}

/** Opens a connection that reconnects without a limit, followed by a NatsConnectionWatch. */
export async function connectWatched(
  options: NodeConnectionOptions & { name: string },
  logger?: NatsConnectionLog,
): Promise<{ connection: NatsConnection; watch: NatsConnectionWatch }> {
  const watch = new NatsConnectionWatch(options.name, logger);
  const connection = await connect({ ...watch.reconnectOptions(), ...options });
  watch.watch(connection);
  return { connection, watch };
}
