/**
 * One dependency's readiness: resolves when it works, rejects (or honours `signal`
 * and gives up) when it does not. Each service passes its own, e.g.
 * `{ postgres: () => checkDatabaseReady(prisma), nats: natsReadiness(nc), chain: stacksNodeReadiness(url) }`.
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

/** Ready when the Stacks node API answers GET /v2/info with a 2xx status. */
export function stacksNodeReadiness(apiUrl: string): ReadinessCheck {
  const url = new URL("/v2/info", apiUrl);
  return async (signal) => {
    const response = await fetch(url, { signal });
    await response.body?.cancel();
    if (!response.ok) throw new Error(`the Stacks node answered ${response.status}`);
  };
}
