import type { Pool, PoolClient } from "pg";
import { MessagingError } from "./errors.js";
import { checkout } from "./pg-checkout.js";
import { type PrismaRawClient, pgExecutor, prismaExecutor, type SqlExecutor } from "./sql-executor.js";

/**
 * Runs work in one database transaction and commits it when the work
 * resolves (rolls back when it rejects). `Tx` is what the work gets to make
 * its own changes with: a pg PoolClient, or a Prisma transaction client.
 */
export interface TransactionRunner<Tx = unknown> {
  transaction<T>(work: (tx: Tx, sql: SqlExecutor) => Promise<T>): Promise<T>;
}

/** Transactions on connections of a pg Pool; the work gets the PoolClient. */
export function pgTransactions(pool: Pool): TransactionRunner<PoolClient> {
  return {
    async transaction<T>(work: (tx: PoolClient, sql: SqlExecutor) => Promise<T>): Promise<T> {
      const { client, release } = await checkout(pool);
      let broken: unknown;
      try {
        await client.query("BEGIN");
        const result = await work(client, pgExecutor(client));
        const commit = await client.query("COMMIT");
        // PostgreSQL answers COMMIT of a transaction that hit an error (which the work swallowed) with ROLLBACK.
        if (commit.command === "ROLLBACK") {
          throw new MessagingError(
            "TRANSACTION_ROLLED_BACK",
            "The transaction failed part-way and was rolled back instead of committed.",
          );
        }
        return result;
      } catch (error) {
        try {
          await client.query("ROLLBACK");
        } catch (rollbackError) {
          // The connection is unusable (terminated, say): drop it from the pool.
          broken = rollbackError;
        }
        throw error;
      } finally {
        release(broken);
      }
    },
  };
}

/** A Prisma client's interactive transactions (`prisma.$transaction(async (tx) => ...)`). */
export interface PrismaTransactionClient<Tx extends PrismaRawClient> {
  $transaction<T>(work: (tx: Tx) => Promise<T>, options?: Record<string, unknown>): Promise<T>;
}

/** Interactive transactions of a Prisma client; the work gets the transaction client. */
export function prismaTransactions<Tx extends PrismaRawClient>(
  prisma: PrismaTransactionClient<Tx>,
  options?: Record<string, unknown>,
): TransactionRunner<Tx> {
  return {
    transaction<T>(work: (tx: Tx, sql: SqlExecutor) => Promise<T>): Promise<T> {
      return prisma.$transaction((tx) => work(tx, prismaExecutor(tx)), options);
    },
  };
}
