import type { JournalStatus } from "@voltstack/api";
import { randomUUID } from "node:crypto";
import { cvToString, hexToCV } from "@stacks/transactions";
import {
  type CallSender,
  type CallOutcome,
  ChainError,
  ConfirmationTimeoutError,
  type ContractCall,
  type FinalStatus,
  type StacksChain,
  type SubmittedTransaction,
} from "@voltstack/chain";
import type { SqlExecutor } from "@voltstack/messaging";
import { currentTraceContext } from "@voltstack/observability";

export interface JournalEntry {
  id: string;
  txid: string | null;
  requestedBy: string;
  sender: string;
  nonce: string | null;
  contract: string;
  functionName: string;
  arguments: string[];
  /**
   * pending: signed and journaled before its broadcast, not final yet (the node may or may not
   * have it); confirmed: succeeded on chain; failed: refused at broadcast, ended in an error, or
   * replaced by a transaction that took its nonce.
   */
  status: JournalStatus;
  errorCode: string | null;
  errorMessage: string | null;
  blockHeight: number | null;
  createdAt: string;
  updatedAt: string;
}

/** What `track` may be asked for besides the work. */
export interface TrackOptions {
  /**
   * A pending entry of this signer whose transaction the node does not know: the work's
   * first call is sent in its place (TransactionSender.replace), so the two never both confirm.
   */
  replacing?: JournalEntry;
}

export interface JournalFilter {
  status?: JournalStatus;
  requestedBy?: string;
  limit?: number;
  offset?: number;
}

type Row = {
  id: string;
  txid: string | null;
  requested_by: string;
  sender: string;
  nonce: string | null;
  contract: string;
  function_name: string;
  arguments: string[];
  status: JournalStatus;
  error_code: string | null;
  error_message: string | null;
  block_height: number | null;
  created_at: Date;
  updated_at: Date;
};

const COLUMNS = `id::text AS id, txid, requested_by, sender, nonce::text AS nonce, contract, function_name, arguments,
  status, error_code, error_message, block_height, created_at, updated_at`;

/**
 * Every chain transaction a service sends: who asked, the call, its txid and how it
 * ended, in the service's `chain_transactions` table, so an operator can list what is
 * pending and what failed. The follower confirms entries too (`confirmWith`), so an
 * entry left pending by a restart is settled once the chain shows it.
 */
export class TransactionJournal {
  constructor(private readonly sql: SqlExecutor) {}

  /**
   * Runs `work` with a sender that journals each transaction it signs before the
   * broadcast (so a crash at any point leaves the txid and nonce to look up), then
   * records the broadcast's outcome and how the work ended: confirmed with its block,
   * or failed with the error's code. A confirmation timeout leaves the entry pending.
   * Rethrows the work's error.
   */
  async track<T extends CallOutcome>(
    requestedBy: string,
    sender: CallSender,
    work: (sender: CallSender) => Promise<T>,
    options: TrackOptions = {},
  ): Promise<T> {
    const submitted: string[] = [];
    // Fee bumps of each entry: rows of their own, at the entry's nonce, oldest first.
    const bumps = new Map<string, string[]>();
    let replacing = options.replacing;
    const journaling: CallSender = {
      address: sender.address,
      senderFor: (address) => sender.senderFor(address),
      submit: async (call, submitOptions = {}) => {
        const earlier = replacing;
        replacing = undefined;
        let id: string | undefined;
        // Signed again unchanged (same call, nonce and fee), a transaction keeps its txid and its entry.
        const earlierEntryOf = (transaction: SubmittedTransaction) =>
          earlier && normalizeTxid(transaction.txid) === earlier.txid ? earlier.id : undefined;
        const beforeBroadcast = async (transaction: SubmittedTransaction): Promise<void> => {
          if (transaction.replaces !== undefined && id !== undefined) {
            // A same-nonce, higher-fee replacement: its own row, so that whichever of the two
            // is mined is found by its txid (the follower's confirmWith included).
            const bumpId = randomUUID();
            await this.#record(bumpId, requestedBy, call, transaction);
            bumps.set(id, [...(bumps.get(id) ?? []), bumpId]);
            await submitOptions.beforeBroadcast?.(transaction);
            return;
          }
          id ??= earlierEntryOf(transaction) ?? randomUUID();
          await this.#record(id, requestedBy, call, transaction);
          await submitOptions.beforeBroadcast?.(transaction);
        };
        let transaction: SubmittedTransaction;
        try {
          transaction = earlier
            ? await replacementOf(sender, earlier, call, beforeBroadcast)
            : await sender.submit(call, { beforeBroadcast });
        } catch (error) {
          // The earlier entry stays pending: its transaction may still be on its way.
          if (id && id !== earlier?.id) await this.#settle([id], undefined, "failed", undefined, error);
          else if (!id) await this.#insertFailed(requestedBy, sender.address, call, error);
          throw error;
        }
        const kept = earlierEntryOf(transaction);
        if (kept) {
          submitted.push(kept);
          return transaction;
        }
        id ??= randomUUID();
        await this.#record(id, requestedBy, call, transaction);
        submitted.push(id);
        if (earlier) await this.#settle([earlier.id], undefined, "failed", undefined, replacedBy(earlier, transaction));
        return transaction;
      },
    };
    try {
      const outcome = await work(journaling);
      await this.#settleBumped(submitted, bumps, outcome.txid, "confirmed", outcome.blockHeight);
      return outcome;
    } catch (error) {
      if (!(error instanceof ConfirmationTimeoutError)) {
        const txid = error instanceof ChainError ? (error.details.txid as string | undefined) : undefined;
        await this.#settleBumped(submitted, bumps, txid, "failed", undefined, error);
      }
      throw error;
    }
  }

  /**
   * #settle for an entry that may have fee bumps: the row of the transaction that ended the
   * call (the newest when none matches) takes the outcome, the others at its nonce fail as
   * superseded, since only one transaction per nonce is ever mined.
   */
  async #settleBumped(
    ids: string[],
    bumps: Map<string, string[]>,
    finalTxid: string | undefined,
    status: JournalStatus,
    blockHeight?: number,
    error?: unknown,
  ): Promise<void> {
    const last = ids[ids.length - 1];
    const group = last === undefined ? [] : [last, ...(bumps.get(last) ?? [])];
    if (group.length < 2) return this.#settle(ids, finalTxid, status, blockHeight, error);
    const rows = await this.sql.query<{ id: string; txid: string | null }>(
      "SELECT id::text AS id, txid FROM chain_transactions WHERE id = ANY($1::uuid[])",
      [group],
    );
    const final = finalTxid === undefined ? undefined : normalizeTxid(finalTxid);
    const ended = rows.find((row) => row.txid === final)?.id;
    await this.#settle([ended ?? group[group.length - 1]!], ended ? undefined : finalTxid, status, blockHeight, error);
    for (const id of group) {
      if (id === (ended ?? group[group.length - 1])) continue;
      const txid = rows.find((row) => row.id === id)?.txid ?? null;
      await this.#settle([id], undefined, "failed", undefined, replacedAtNonce(txid, final));
    }
  }

  /**
   * Settles entries still pending after `olderThanMs` (their sender timed out waiting,
   * or the process restarted) from the node's record of their transaction, as
   * libs/chain would have: confirmed, or failed with the contract's constant. A
   * transaction the node does not know fails once another transaction executed its
   * nonce (it can never confirm: its process stopped before the broadcast); otherwise it
   * stays pending, as do those the node shows pending. Returns how many settled.
   */
  async reconcile(chain: StacksChain, options: { olderThanMs: number; limit?: number }): Promise<number> {
    const rows = await this.sql.query<{
      id: string;
      txid: string;
      sender: string;
      nonce: string | null;
      contract: string;
      function_name: string;
    }>(
      `SELECT id::text AS id, txid, sender, nonce::text AS nonce, contract, function_name FROM chain_transactions
        WHERE status = 'pending' AND txid IS NOT NULL AND created_at < now() - $1::int * interval '1 millisecond'
        ORDER BY created_at LIMIT $2`,
      [options.olderThanMs, options.limit ?? 100],
    );
    const executedUpTo = new Map<string, Promise<bigint | null>>();
    const nonceExecuted = async (sender: string, nonce: string): Promise<boolean> => {
      let executed = executedUpTo.get(sender);
      if (!executed) {
        executed = chain.api.getNonces(sender).then((nonces) => nonces.lastExecutedTxNonce);
        executedUpTo.set(sender, executed);
      }
      const last = await executed;
      return last !== null && BigInt(nonce) <= last;
    };
    let settled = 0;
    for (const row of rows) {
      const tx = await chain.api.getTransaction(row.txid);
      if (!tx && row.nonce !== null && (await nonceExecuted(row.sender, row.nonce))) {
        await this.#settle([row.id], undefined, "failed", undefined, superseded(row.txid, row.nonce));
        settled += 1;
        continue;
      }
      if (!tx || tx.tx_status === "pending") continue;
      if (tx.tx_status === "success") {
        if (tx.canonical === false || tx.block_height === undefined) continue;
        await this.#settle([row.id], undefined, "confirmed", tx.block_height);
        settled += 1;
        continue;
      }
      const contract = Object.values(chain.contracts).find((ref) => ref.id === row.contract);
      if (!contract) continue;
      try {
        chain.outcomeOf(
          { contract, functionName: row.function_name, functionArgs: [], postConditions: [] },
          {
            txid: row.txid,
            status: tx.tx_status as FinalStatus,
            blockHeight: tx.block_height,
            result: tx.tx_result?.hex ? hexToCV(tx.tx_result.hex) : undefined,
            resultRepr: tx.tx_result?.repr,
            events: [],
          },
        );
      } catch (error) {
        await this.#settle([row.id], undefined, "failed", tx.block_height, error);
        settled += 1;
      }
    }
    return settled;
  }

  async list(filter: JournalFilter = {}): Promise<JournalEntry[]> {
    const rows = await this.sql.query<Row>(
      `SELECT ${COLUMNS} FROM chain_transactions
        WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR requested_by = $2)
        ORDER BY created_at DESC, id LIMIT $3 OFFSET $4`,
      [filter.status ?? null, filter.requestedBy ?? null, filter.limit ?? 50, filter.offset ?? 0],
    );
    return rows.map(toEntry);
  }

  async get(txid: string): Promise<JournalEntry | undefined> {
    const rows = await this.sql.query<Row>(`SELECT ${COLUMNS} FROM chain_transactions WHERE txid = $1`, [
      normalizeTxid(txid),
    ]);
    return rows[0] && toEntry(rows[0]);
  }

  /** The W3C traceparent of the request that sent `txid`, when this service sent it. */
  static async traceparentWith(sql: SqlExecutor, txid: string): Promise<string | undefined> {
    const rows = await sql.query<{ traceparent: string | null }>(
      "SELECT traceparent FROM chain_transactions WHERE txid = $1",
      [normalizeTxid(txid)],
    );
    return rows[0]?.traceparent ?? undefined;
  }

  /** Marks `txid` confirmed at `blockHeight`, inside the caller's transaction (the follower's). */
  /**
   * Makes confirmed entries pending again when a fork orphaned their blocks: the follower
   * confirms them once more where the new branch mines them, and reconciliation settles
   * those the chain never mines again.
   */
  static async reopenWith(sql: SqlExecutor, txids: string[], fromHeight: number): Promise<void> {
    if (txids.length === 0) return;
    await sql.execute(
      `UPDATE chain_transactions
          SET status = 'pending', block_height = NULL, updated_at = CURRENT_TIMESTAMP
        WHERE txid = ANY($1::text[]) AND status = 'confirmed' AND block_height >= $2`,
      [txids.map(normalizeTxid), fromHeight],
    );
  }

  static async confirmWith(sql: SqlExecutor, txid: string, blockHeight: number): Promise<void> {
    await sql.execute(
      `UPDATE chain_transactions
          SET status = 'confirmed', block_height = $2, error_code = NULL, error_message = NULL, updated_at = CURRENT_TIMESTAMP
        WHERE txid = $1 AND status <> 'confirmed'`,
      [normalizeTxid(txid), blockHeight],
    );
  }

  /**
   * Writes entry `id` as pending with the transaction that now stands for its call: first
   * before the broadcast, again after it, and on each re-sign (which moves it to a new txid).
   */
  async #record(id: string, requestedBy: string, call: ContractCall, transaction: SubmittedTransaction): Promise<void> {
    await this.sql.execute(
      `INSERT INTO chain_transactions
         (id, txid, requested_by, sender, nonce, contract, function_name, arguments, status, traceparent)
       VALUES ($1::uuid, $2, $3, $4, $5::bigint, $6, $7, $8::jsonb, 'pending', $9)
       ON CONFLICT (id) DO UPDATE
          SET txid = EXCLUDED.txid, sender = EXCLUDED.sender, nonce = EXCLUDED.nonce, updated_at = CURRENT_TIMESTAMP`,
      [
        id,
        normalizeTxid(transaction.txid),
        requestedBy,
        transaction.sender,
        transaction.nonce.toString(),
        call.contract.id,
        call.functionName,
        JSON.stringify(call.functionArgs.map((arg) => cvToString(arg))),
        currentTraceContext().traceparent,
      ],
    );
  }

  /** A call that failed before any transaction was signed for it. */
  async #insertFailed(requestedBy: string, sender: string, call: ContractCall, error: unknown): Promise<void> {
    const { code, message } = describe(error);
    await this.sql.execute(
      `INSERT INTO chain_transactions
         (id, txid, requested_by, sender, nonce, contract, function_name, arguments, status, error_code, error_message, traceparent)
       VALUES ($1::uuid, NULL, $2, $3, NULL, $4, $5, $6::jsonb, 'failed', $7, $8, $9)`,
      [
        randomUUID(),
        requestedBy,
        sender,
        call.contract.id,
        call.functionName,
        JSON.stringify(call.functionArgs.map((arg) => cvToString(arg))),
        code,
        message,
        currentTraceContext().traceparent,
      ],
    );
  }

  async #settle(
    ids: string[],
    finalTxid: string | undefined,
    status: JournalStatus,
    blockHeight?: number,
    error?: unknown,
  ): Promise<void> {
    if (ids.length === 0) return;
    const { code, message } = describe(error);
    // A stuck transaction may have been re-signed under a new txid: the last entry takes the final one.
    const last = ids[ids.length - 1]!;
    await this.sql.execute(
      `UPDATE chain_transactions
          SET status = $2, txid = COALESCE($3, txid), block_height = COALESCE($4, block_height),
              error_code = $5, error_message = $6, updated_at = CURRENT_TIMESTAMP
        WHERE id = $1::uuid AND status = 'pending'`,
      [last, status, finalTxid ? normalizeTxid(finalTxid) : null, blockHeight ?? null, code, message],
    );
  }
}

async function replacementOf(
  sender: CallSender,
  earlier: JournalEntry,
  call: ContractCall,
  beforeBroadcast: (transaction: SubmittedTransaction) => Promise<void>,
): Promise<SubmittedTransaction> {
  const owner = sender.senderFor(earlier.sender);
  if (!owner || earlier.txid === null || earlier.nonce === null) {
    throw new ChainError(
      "NOT_REPLACEABLE",
      `Journal entry ${earlier.id} has no transaction this sender could replace.`,
      { id: earlier.id, sender: earlier.sender },
    );
  }
  return owner.replace({ txid: earlier.txid, nonce: BigInt(earlier.nonce) }, call, { beforeBroadcast });
}

function replacedBy(earlier: JournalEntry, transaction: SubmittedTransaction): ChainError {
  return new ChainError(
    "TRANSACTION_SUPERSEDED",
    `Replaced by ${normalizeTxid(transaction.txid)} (nonce ${transaction.nonce}): its nonce ${earlier.nonce} is taken, so it can no longer confirm.`,
    { txid: earlier.txid, replacedBy: normalizeTxid(transaction.txid) },
  );
}

function replacedAtNonce(txid: string | null, finalTxid: string | undefined): ChainError {
  return new ChainError(
    "TRANSACTION_SUPERSEDED",
    finalTxid
      ? `A fee bump at the same nonce: ${finalTxid} ended the call, so this one can no longer be mined.`
      : "A fee bump at the same nonce took this transaction's place.",
    { txid, replacedBy: finalTxid ?? null },
  );
}

function superseded(txid: string, nonce: string): ChainError {
  return new ChainError(
    "TRANSACTION_SUPERSEDED",
    `The node never had ${txid} and another transaction executed its nonce ${nonce}, so it can no longer confirm.`,
    { txid, nonce },
  );
}

function describe(error: unknown): { code: string | null; message: string | null } {
  if (error === undefined) return { code: null, message: null };
  if (error instanceof ChainError) return { code: error.code, message: error.message };
  return { code: "UNEXPECTED_ERROR", message: error instanceof Error ? error.message : String(error) };
}

/** Txids are kept as the Stacks API and the event envelope write them: 0x and lower-case hex. */
function normalizeTxid(txid: string): string {
  return `0x${txid.replace(/^0x/, "").toLowerCase()}`;
}

function toEntry(row: Row): JournalEntry {
  return {
    id: row.id,
    txid: row.txid,
    requestedBy: row.requested_by,
    sender: row.sender,
    nonce: row.nonce,
    contract: row.contract,
    functionName: row.function_name,
    arguments: row.arguments,
    status: row.status,
    errorCode: row.error_code,
    errorMessage: row.error_message,
    blockHeight: row.block_height,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
