import type { ClientBase, Pool } from "pg";

/**
 * The little this library needs from a database connection that is inside a
 * transaction: so the same outbox, inbox and dead-letter code runs on a pg
 * client and inside a Prisma interactive transaction. Parameters are
 * positional ($1, $2...); the SQL casts them where a type matters.
 */
export interface SqlExecutor {
  query<Row extends Record<string, unknown>>(sql: string, params?: unknown[]): Promise<Row[]>;
  execute(sql: string, params?: unknown[]): Promise<number>;
}

/** A SqlExecutor over a pg client (a PoolClient inside BEGIN ... COMMIT) or a Pool. */
export function pgExecutor(client: ClientBase | Pool): SqlExecutor {
  return {
    async query<Row extends Record<string, unknown>>(sql: string, params: unknown[] = []) {
      const result = await client.query<Row>(sql, params);
      return result.rows;
    },
    async execute(sql: string, params: unknown[] = []) {
      const result = await client.query(sql, params);
      return result.rowCount ?? 0;
    },
  };
}

/** The raw-SQL methods of a Prisma client or of the client of an interactive transaction. */
export interface PrismaRawClient {
  $executeRawUnsafe(query: string, ...values: unknown[]): PromiseLike<number>;
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): PromiseLike<T>;
}

/** A SqlExecutor over Prisma's `$executeRawUnsafe` / `$queryRawUnsafe` (use the `tx` of `$transaction(async (tx) => ...)`). */
export function prismaExecutor(tx: PrismaRawClient): SqlExecutor {
  return {
    async query<Row extends Record<string, unknown>>(sql: string, params: unknown[] = []) {
      return tx.$queryRawUnsafe<Row[]>(sql, ...params);
    },
    async execute(sql: string, params: unknown[] = []) {
      return tx.$executeRawUnsafe(sql, ...params);
    },
  };
}
