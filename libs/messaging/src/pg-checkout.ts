import type { Pool, PoolClient } from "pg";

/**
 * Takes a connection from the pool for a transaction. While it is checked
 * out the pool does not listen to its errors, and a connection the server
 * ends between two queries (restart, failover) would otherwise raise an
 * uncaught 'error' event; here the error is kept and the connection is
 * destroyed on release instead of going back to the pool.
 */
export async function checkout(pool: Pool): Promise<{ client: PoolClient; release: (error?: unknown) => void }> {
  const client = await pool.connect();
  let lost: Error | undefined;
  const onError = (error: Error) => {
    lost = error;
  };
  client.on("error", onError);
  return {
    client,
    release: (error?: unknown) => {
      client.off("error", onError);
      const reason =
        lost ?? (error === undefined ? undefined : error instanceof Error ? error : new Error(String(error)));
      client.release(reason);
    },
  };
}
