/**
 * One dependency's readiness: resolves when it works, rejects (or honours `signal`
 * and gives up) when it does not. Each service passes its own, e.g.
 * `{ postgres: () => checkDatabaseReady(prisma), nats: natsReadiness(nc), chain: chainReadiness(chain) }`.
 */
export type ReadinessCheck = (signal: AbortSignal) => Promise<unknown>;
export type ReadinessChecks = Record<string, ReadinessCheck>;

export const READINESS_CHECKS = Symbol("READINESS_CHECKS");

/** The part of a NATS connection a readiness check needs. */
export interface NatsLike {
  isClosed(): boolean;
  flush(): Promise<void>;
}

/** Ready when the connection is open and the server answers a round trip. */
export function natsReadiness(connection: NatsLike): ReadinessCheck {
  return async () => {
    if (connection.isClosed()) throw new Error("the NATS connection is closed");
    await connection.flush();
  };
}
