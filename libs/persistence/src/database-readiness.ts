import { PersistenceError } from "./persistence-error.js";

/** Anything that can run raw SQL: a generated Prisma client or a transaction client. */
export interface RawQueryable {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
}

/** A `pg` pool or client. */
export interface PgQueryable {
  query(text: string): Promise<unknown>;
}

/**
 * Resolves when the database answers a query within `timeoutMs`. `$connect()` alone
 * proves nothing with a driver adapter: it succeeds while the server is down.
 */
export async function checkDatabaseReady(db: RawQueryable | PgQueryable, timeoutMs = 2_000): Promise<void> {
  const query = "$queryRawUnsafe" in db ? db.$queryRawUnsafe("SELECT 1") : db.query("SELECT 1");
  // A query that loses the race to the timeout must not become an unhandled rejection.
  query.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new PersistenceError("DATABASE_NOT_READY", `The database did not answer within ${timeoutMs} ms.`)),
      timeoutMs,
    );
  });
  try {
    await Promise.race([query, timeout]);
  } catch (cause) {
    if (cause instanceof PersistenceError) throw cause;
    throw new PersistenceError(
      "DATABASE_NOT_READY",
      `The database did not answer: ${cause instanceof Error ? cause.message : String(cause)}`,
      {},
      { cause },
    );
  } finally {
    clearTimeout(timer);
  }
}
