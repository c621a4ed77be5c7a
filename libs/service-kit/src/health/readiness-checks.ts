/**
 * One dependency's readiness: resolves when it works, rejects (or honours `signal`
 * and gives up) when it does not. Each service passes its own, e.g.
 * `{ postgres: () => checkDatabaseReady(prisma), nats: natsReadiness(nc), chain: chainReadiness(chain) }`.
 */
export type ReadinessCheck = (signal: AbortSignal) => Promise<unknown>;
export type ReadinessChecks = Record<string, ReadinessCheck>;

export const READINESS_CHECKS = Symbol("READINESS_CHECKS");

/**
 * What makes the process worth restarting: each check rejects only when the process
 * cannot recover by itself (a connection closed for good, a worker that died for
 * good), never during an outage that reconnecting ends. `/health/live` runs them when
 * a global provider of LIVENESS_CHECKS exists (the service's infrastructure module).
 */
export const LIVENESS_CHECKS = Symbol("LIVENESS_CHECKS");

/** The part of a NATS connection a readiness check needs. */
export interface NatsLike {
  isClosed(): boolean;
  flush(): Promise<void>;
}

/** What is known of a reconnecting connection's state (a NatsConnectionWatch of @voltstack/messaging). */
export interface ConnectionStateLike {
  /** Throws, naming the reason, while the connection is down. */
  assertConnected(): void;
}

/**
 * Ready when the connection is open and the server answers a round trip. With `state`,
 * a connection that is reconnecting is reported as such at once, with how long it has
 * been down, instead of a round trip that waits for the reconnect and times out.
 */
export function natsReadiness(connection: NatsLike, state?: ConnectionStateLike): ReadinessCheck {
  return async () => {
    state?.assertConnected();
    if (connection.isClosed()) throw new Error("the NATS connection is closed");
    await connection.flush();
  };
}
