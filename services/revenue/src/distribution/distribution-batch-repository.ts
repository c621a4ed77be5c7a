import { randomUUID } from "node:crypto";
import { Inject, Injectable } from "@nestjs/common";
import type { Prisma, PrismaClient } from "../generated/prisma/client.js";
import { PRISMA } from "@voltstack/chain-sync";

type Tx = Prisma.TransactionClient;

/** distribute-pools takes at most 50 lines. */
export const MAX_POOL_LINES = 50;
/** A cohort holds at most 100 slots. */
export const MAX_COHORT_SLOTS = 100;
// Due payouts looked at per pass: the rest wait for the next one.
const DUE_PER_PASS = 5_000;

/** One line of distribute-pools: a stated amount out of one facility's pool. */
export interface PoolLine {
  facilityId: number;
  amountUstx: bigint;
}

export type DistributionBatch =
  | (BatchBase & { kind: "pools"; lines: PoolLine[] })
  | (BatchBase & { kind: "earnings"; programId: number; cohort: number; amounts: bigint[] });

interface BatchBase {
  id: string;
  /** The traces of the events it pays, first first: the batch runs in the first, linked to the rest. */
  traceparents: string[];
  signer: string;
  totalUstx: bigint;
  status: BatchStatus;
  txid: string | null;
}

/**
 * signing: formed, its payouts taken out of `due`; nothing may have been broadcast yet
 * (the journal knows). sent: broadcast, not final yet. confirmed / failed: final.
 */
export type BatchStatus = "signing" | "sent" | "confirmed" | "failed";

export interface FormOptions {
  /** Payouts of blocks up to this height are final enough to move. */
  finalHeight: number;
  /** At most this many batches are formed. */
  maxBatches: number;
  /** The signer of the next batch. */
  nextSigner: () => string;
  /** How long the forming process holds each batch before another may take it over. */
  leaseMs: number;
}

/** What a pass did besides forming batches: payouts settled without a transaction. */
export interface FormResult {
  batches: DistributionBatch[];
  settled: { covered: number; nothingToPay: number; waitingForShares: number };
  /** Facilities whose pool (less what batches in flight take) is below what is due: they wait. */
  shortPools: { facilityId: number; dueUstx: bigint; availableUstx: bigint }[];
}

type DueFulfilment = {
  request_id: number;
  traceparent: string | null;
  facility_id: number;
  payout_ustx: bigint;
  attempts: number;
  fulfilment_txid: string;
};

type DueEarning = {
  program_id: number;
  traceparent: string | null;
  cohort: number;
  period: number;
  slot: number;
  facility_id: number;
  amount_ustx: bigint;
  attempts: number;
};

type Position = { block_height: number; tx_index: number };

/**
 * The batches that pay what is due, and the payouts they carry, in PostgreSQL. Forming a
 * batch takes its payouts out of `due` in the transaction that records the batch (rows
 * locked, SKIP LOCKED), so two replicas never put one payout in two batches; each batch
 * is held by the process that sends it (`claimed_until`, renewed while it waits) and
 * taken over by another only once that lapsed.
 */
@Injectable()
export class DistributionBatchRepository {
  constructor(@Inject(PRISMA) private readonly prisma: PrismaClient) {}

  /**
   * Forms distribute-pools batches of the fulfilments due by `finalHeight`: one line per
   * facility (the sum of its payouts), up to 50 lines a batch. On the way, payouts a
   * whole-pool distribution already paid settle as `covered`, those of facilities without
   * shares as `waiting_for_shares`. A facility whose payouts were refused before goes alone.
   */
  formPoolBatches(options: FormOptions): Promise<FormResult> {
    return this.prisma.$transaction(async (tx) => {
      const result: FormResult = {
        batches: [],
        settled: { covered: 0, nothingToPay: 0, waitingForShares: 0 },
        shortPools: [],
      };
      const due = await tx.$queryRawUnsafe<DueFulfilment[]>(
        `SELECT request_id, facility_id, payout_ustx, attempts, fulfilment_txid, traceparent FROM distribution_intents
          WHERE status = 'due' AND fulfilment_height <= $1
          ORDER BY fulfilment_height, request_id LIMIT $2 FOR UPDATE SKIP LOCKED`,
        options.finalHeight,
        DUE_PER_PASS,
      );
      if (due.length === 0) return result;
      const facilities = [...new Set(due.map((row) => row.facility_id))];
      const pools = new Map(
        (
          await tx.$queryRawUnsafe<{ facility_id: number; balance_ustx: bigint; shares_version: number }[]>(
            "SELECT facility_id, balance_ustx, shares_version FROM revenue_pools WHERE facility_id = ANY($1::int[])",
            facilities,
          )
        ).map((row) => [row.facility_id, row]),
      );
      const deposits = new Map(
        (
          await tx.$queryRawUnsafe<(Position & { txid: string; facility_id: number })[]>(
            `SELECT txid, facility_id, block_height, tx_index FROM revenue_deposits
              WHERE txid = ANY($1::text[])`,
            [...new Set(due.map((row) => row.fulfilment_txid))],
          )
        ).map((row) => [`${row.txid}/${row.facility_id}`, row]),
      );
      // The last distribution of each facility that emptied its pool: it paid every deposit before it.
      const emptied = new Map(
        (
          await tx.$queryRawUnsafe<(Position & { facility_id: number; distribution_id: number; txid: string })[]>(
            `SELECT DISTINCT ON (facility_id) facility_id, distribution_id, txid, block_height, tx_index
               FROM revenue_distributions
              WHERE facility_id = ANY($1::int[]) AND source = 'pool' AND pool_after_ustx = 0
              ORDER BY facility_id, block_height DESC, tx_index DESC`,
            facilities,
          )
        ).map((row) => [row.facility_id, row]),
      );
      // The last distribution of each facility out of its pool, whole or not.
      const paidOutAfter = new Map(
        (
          await tx.$queryRawUnsafe<{ facility_id: number; distribution_id: number; txid: string }[]>(
            `SELECT DISTINCT ON (facility_id) facility_id, distribution_id, txid FROM revenue_distributions
              WHERE facility_id = ANY($1::int[]) AND source = 'pool'
              ORDER BY facility_id, block_height DESC, tx_index DESC`,
            facilities,
          )
        ).map((row) => [row.facility_id, row]),
      );
      const reserved = new Map(
        (
          await tx.$queryRawUnsafe<{ facility_id: number; reserved: string }[]>(
            `SELECT facility_id, sum(payout_ustx)::text AS reserved FROM distribution_intents
              WHERE status = 'batched' AND facility_id = ANY($1::int[]) GROUP BY facility_id`,
            facilities,
          )
        ).map((row) => [row.facility_id, BigInt(row.reserved)]),
      );

      const payable = new Map<number, DueFulfilment[]>();
      for (const row of due) {
        const deposit = deposits.get(`${row.fulfilment_txid}/${row.facility_id}`);
        if (!deposit) {
          await settleFulfilments(tx, [row.request_id], "nothing_to_pay", { errorCode: "NO_DEPOSIT_ON_CHAIN" });
          result.settled.nothingToPay += 1;
          continue;
        }
        const last = emptied.get(row.facility_id);
        if (last && before(deposit, last)) {
          await settleFulfilments(tx, [row.request_id], "covered", {
            distributionId: last.distribution_id,
            distributionTxid: last.txid,
          });
          result.settled.covered += 1;
          continue;
        }
        if ((pools.get(row.facility_id)?.shares_version ?? 0) === 0) {
          await settleFulfilments(tx, [row.request_id], "waiting_for_shares", { errorCode: "ERR_NO_SHARES" });
          result.settled.waitingForShares += 1;
          continue;
        }
        payable.set(row.facility_id, [...(payable.get(row.facility_id) ?? []), row]);
      }

      type Entry = { line: PoolLine; requestIds: number[]; traceparents: (string | null)[] };
      const together: Entry[] = [];
      const alone: Entry[] = [];
      for (const [facilityId, owed] of payable) {
        let rows = owed;
        let dueUstx = rows.reduce((sum, row) => sum + BigInt(row.payout_ustx), 0n);
        const inFlight = reserved.get(facilityId) ?? 0n;
        const availableUstx = BigInt(pools.get(facilityId)?.balance_ustx ?? 0n) - inFlight;
        if (dueUstx > availableUstx && inFlight === 0n) {
          // Someone else paid part of the pool out since (a stated amount, not all of it): the
          // payouts deposited first count as paid by it, as a whole-pool distribution would.
          const last = paidOutAfter.get(facilityId);
          while (rows.length > 0 && dueUstx > availableUstx && last) {
            const [oldest, ...rest] = rows;
            await settleFulfilments(tx, [oldest!.request_id], "covered", {
              distributionId: last.distribution_id,
              distributionTxid: last.txid,
            });
            result.settled.covered += 1;
            dueUstx -= BigInt(oldest!.payout_ustx);
            rows = rest;
          }
          if (rows.length === 0) continue;
        }
        if (dueUstx > availableUstx) {
          result.shortPools.push({ facilityId, dueUstx, availableUstx });
          continue;
        }
        const entry = {
          line: { facilityId, amountUstx: dueUstx },
          requestIds: rows.map((row) => row.request_id),
          traceparents: rows.map((row) => row.traceparent),
        };
        (rows.some((row) => row.attempts > 0) ? alone : together).push(entry);
      }
      const groups = [...alone.map((entry) => [entry]), ...chunks(together, MAX_POOL_LINES)];
      for (const group of groups.slice(0, options.maxBatches)) {
        const id = randomUUID();
        const lines = group.map((entry) => entry.line);
        const signer = options.nextSigner();
        const traceparents = distinctTraces(group.flatMap((entry) => entry.traceparents));
        await insertBatch(tx, {
          id,
          kind: "pools",
          programId: null,
          cohort: null,
          signer,
          lines,
          traceparents,
          leaseMs: options.leaseMs,
        });
        await tx.distributionIntent.updateMany({
          where: { requestId: { in: group.flatMap((entry) => entry.requestIds) }, status: "due" },
          data: { status: "batched", batchId: id, updatedAt: new Date() },
        });
        result.batches.push({
          id,
          kind: "pools",
          traceparents,
          signer,
          lines,
          totalUstx: total(lines),
          status: "signing",
          txid: null,
        });
      }
      return result;
    });
  }

  /**
   * Forms distribute-earnings batches of the program settlements due by `finalHeight`: one
   * per cohort, each slot's amount the sum of its due periods. Slots of facilities
   * without shares settle as `waiting_for_shares`; a slot refused before goes alone.
   */
  formEarningBatches(options: FormOptions): Promise<FormResult> {
    return this.prisma.$transaction(async (tx) => {
      const result: FormResult = {
        batches: [],
        settled: { covered: 0, nothingToPay: 0, waitingForShares: 0 },
        shortPools: [],
      };
      const due = await tx.$queryRawUnsafe<DueEarning[]>(
        `SELECT program_id, cohort, period, slot, facility_id, amount_ustx, attempts, traceparent FROM earning_intents
          WHERE status = 'due' AND settlement_height <= $1
          ORDER BY program_id, cohort, period, slot LIMIT $2 FOR UPDATE SKIP LOCKED`,
        options.finalHeight,
        DUE_PER_PASS,
      );
      if (due.length === 0) return result;
      const withShares = new Set(
        (
          await tx.$queryRawUnsafe<{ facility_id: number }[]>(
            "SELECT facility_id FROM revenue_pools WHERE facility_id = ANY($1::int[]) AND shares_version > 0",
            [...new Set(due.map((row) => row.facility_id))],
          )
        ).map((row) => row.facility_id),
      );
      type Group = { programId: number; cohort: number; rows: DueEarning[] };
      const groups: Group[] = [];
      const byCohort = new Map<string, Group>();
      for (const row of due) {
        if (!withShares.has(row.facility_id)) {
          await tx.earningIntent.update({
            where: { programId_cohort_period_slot: keyOf(row) },
            data: { status: "waiting_for_shares", errorCode: "ERR_NO_SHARES", updatedAt: new Date() },
          });
          result.settled.waitingForShares += 1;
          continue;
        }
        if (row.attempts > 0) {
          groups.push({ programId: row.program_id, cohort: row.cohort, rows: [row] });
          continue;
        }
        const key = `${row.program_id}/${row.cohort}`;
        let group = byCohort.get(key);
        if (!group) {
          group = { programId: row.program_id, cohort: row.cohort, rows: [] };
          byCohort.set(key, group);
          groups.push(group);
        }
        group.rows.push(row);
      }
      // Refused slots first, each alone, then the cohorts in order.
      groups.sort(
        (a, b) =>
          Number(b.rows.length === 1 && b.rows[0]!.attempts > 0) -
          Number(a.rows.length === 1 && a.rows[0]!.attempts > 0),
      );
      for (const group of groups.slice(0, options.maxBatches)) {
        const width = Math.max(...group.rows.map((row) => row.slot)) + 1;
        const amounts = Array.from({ length: width }, () => 0n);
        for (const row of group.rows) amounts[row.slot]! += BigInt(row.amount_ustx);
        const id = randomUUID();
        const signer = options.nextSigner();
        const traceparents = distinctTraces(group.rows.map((row) => row.traceparent));
        await insertBatch(tx, {
          id,
          kind: "earnings",
          programId: group.programId,
          cohort: group.cohort,
          signer,
          lines: amounts,
          traceparents,
          leaseMs: options.leaseMs,
        });
        for (const row of group.rows) {
          await tx.earningIntent.update({
            where: { programId_cohort_period_slot: keyOf(row) },
            data: { status: "batched", batchId: id, updatedAt: new Date() },
          });
        }
        result.batches.push({
          id,
          kind: "earnings",
          traceparents,
          programId: group.programId,
          cohort: group.cohort,
          signer,
          amounts,
          totalUstx: amounts.reduce((sum, amount) => sum + amount, 0n),
          status: "signing",
          txid: null,
        });
      }
      return result;
    });
  }

  /** Batches not final whose holder let go (or died): this process takes up to `limit` of them. */
  async takeOver(excluding: readonly string[], leaseMs: number, limit: number): Promise<DistributionBatch[]> {
    const rows = await this.prisma.$queryRawUnsafe<BatchRow[]>(
      `UPDATE distribution_batches SET claimed_until = now() + $1::int * interval '1 millisecond', updated_at = now()
        WHERE id IN (SELECT id FROM distribution_batches
                      WHERE status IN ('signing', 'sent') AND claimed_until < now() AND NOT (id = ANY($2::uuid[]))
                      ORDER BY created_at LIMIT $3 FOR UPDATE SKIP LOCKED)
        RETURNING id::text AS id, kind, program_id, cohort, signer, lines, total_ustx::text AS total_ustx, status, txid,
                  traceparents`,
      leaseMs,
      [...excluding],
      limit,
    );
    return rows.map(toBatch);
  }

  /** Holds the batch for another `leaseMs`; false when it is no longer this process's to send. */
  async renew(id: string, leaseMs: number): Promise<boolean> {
    const count = await this.prisma.$executeRawUnsafe(
      `UPDATE distribution_batches SET claimed_until = now() + $2::int * interval '1 millisecond'
        WHERE id = $1::uuid AND status IN ('signing', 'sent')`,
      id,
      leaseMs,
    );
    return count > 0;
  }

  /** Lets a pass (of this process or another) look at the batch again in `afterMs`. */
  async release(id: string, afterMs: number): Promise<void> {
    await this.prisma.$executeRawUnsafe(
      `UPDATE distribution_batches SET claimed_until = now() + $2::int * interval '1 millisecond', updated_at = now()
        WHERE id = $1::uuid AND status IN ('signing', 'sent')`,
      id,
      afterMs,
    );
  }

  async recordBroadcast(id: string, txid: string): Promise<void> {
    await this.prisma.distributionBatch.updateMany({
      where: { id, status: { in: ["signing", "sent"] } },
      data: { status: "sent", txid, updatedAt: new Date() },
    });
  }

  /** The batch confirmed in `txid`: its payouts are distributed (each fulfilment's distribution id when the follower has it). */
  async confirm(id: string, txid: string, blockHeight: number): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      await tx.distributionBatch.updateMany({
        where: { id, status: { not: "confirmed" } },
        data: { status: "confirmed", txid, blockHeight, errorCode: null, errorMessage: null, updatedAt: new Date() },
      });
      await tx.$executeRawUnsafe(
        `UPDATE distribution_intents i
            SET status = 'distributed', distribution_txid = $2, error_code = NULL, updated_at = now(),
                distribution_id = (SELECT d.distribution_id FROM revenue_distributions d
                                    WHERE d.txid = $2 AND d.facility_id = i.facility_id LIMIT 1)
          WHERE batch_id = $1::uuid AND status IN ('batched', 'due')`,
        id,
        txid,
      );
      await tx.earningIntent.updateMany({
        where: { batchId: id, status: { in: ["batched", "due"] } },
        data: { status: "distributed", distributionTxid: txid, errorCode: null, updatedAt: new Date() },
      });
    });
  }

  /**
   * The batch paid nothing: its payouts are due again. A refusal by the chain (`counted`)
   * counts an attempt: such a payout goes alone next time, and is `failed` after `max`.
   * A transaction dropped or never broadcast does not count.
   */
  async fail(
    id: string,
    error: { code: string; message: string },
    attempts: { max: number; counted: boolean },
  ): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      await tx.distributionBatch.updateMany({
        where: { id, status: { in: ["signing", "sent"] } },
        data: { status: "failed", errorCode: error.code, errorMessage: error.message, updatedAt: new Date() },
      });
      for (const table of ["distribution_intents", "earning_intents"]) {
        await tx.$executeRawUnsafe(
          `UPDATE ${table}
              SET attempts = attempts + $4, error_code = $2, updated_at = now(),
                  status = CASE WHEN attempts + $4 >= $3 THEN 'failed' ELSE 'due' END,
                  batch_id = CASE WHEN attempts + $4 >= $3 THEN batch_id ELSE NULL END
            WHERE batch_id = $1::uuid AND status = 'batched'`,
          id,
          error.code,
          attempts.max,
          attempts.counted ? 1 : 0,
        );
      }
    });
  }

  async find(id: string): Promise<DistributionBatch | undefined> {
    const rows = await this.prisma.$queryRawUnsafe<BatchRow[]>(
      `SELECT id::text AS id, kind, program_id, cohort, signer, lines, total_ustx::text AS total_ustx, status, txid
         FROM distribution_batches WHERE id = $1::uuid`,
      id,
    );
    return rows[0] && toBatch(rows[0]);
  }
}

type BatchRow = {
  id: string;
  kind: "pools" | "earnings";
  program_id: number | null;
  cohort: number | null;
  signer: string;
  lines: unknown;
  total_ustx: string;
  status: BatchStatus;
  txid: string | null;
  traceparents: string[] | null;
};

function toBatch(row: BatchRow): DistributionBatch {
  const base = {
    id: row.id,
    traceparents: row.traceparents ?? [],
    signer: row.signer,
    totalUstx: BigInt(row.total_ustx),
    status: row.status,
    txid: row.txid,
  };
  if (row.kind === "pools") {
    const lines = (row.lines as { facilityId: number; amountUstx: string }[]).map((line) => ({
      facilityId: line.facilityId,
      amountUstx: BigInt(line.amountUstx),
    }));
    return { ...base, kind: "pools", lines };
  }
  return {
    ...base,
    kind: "earnings",
    programId: row.program_id!,
    cohort: row.cohort!,
    amounts: (row.lines as string[]).map((amount) => BigInt(amount)),
  };
}

async function insertBatch(
  tx: Tx,
  batch: {
    id: string;
    kind: "pools" | "earnings";
    programId: number | null;
    cohort: number | null;
    signer: string;
    lines: PoolLine[] | bigint[];
    traceparents: string[];
    leaseMs: number;
  },
): Promise<void> {
  const stored =
    batch.kind === "pools"
      ? (batch.lines as PoolLine[]).map((line) => ({
          facilityId: line.facilityId,
          amountUstx: line.amountUstx.toString(),
        }))
      : (batch.lines as bigint[]).map((amount) => amount.toString());
  const totalUstx =
    batch.kind === "pools" ? total(batch.lines as PoolLine[]) : (batch.lines as bigint[]).reduce((a, b) => a + b, 0n);
  await tx.distributionBatch.create({
    data: {
      id: batch.id,
      kind: batch.kind,
      programId: batch.programId,
      cohort: batch.cohort,
      signer: batch.signer,
      lines: stored,
      totalUstx,
      traceparents: batch.traceparents,
      status: "signing",
      claimedUntil: new Date(Date.now() + batch.leaseMs),
    },
  });
}

async function settleFulfilments(
  tx: Tx,
  requestIds: number[],
  status: "covered" | "nothing_to_pay" | "waiting_for_shares",
  outcome: { distributionId?: number; distributionTxid?: string; errorCode?: string },
): Promise<void> {
  await tx.distributionIntent.updateMany({
    where: { requestId: { in: requestIds } },
    data: { status, ...outcome, errorCode: outcome.errorCode ?? null, updatedAt: new Date() },
  });
}

function keyOf(row: DueEarning) {
  return { programId: row.program_id, cohort: row.cohort, period: row.period, slot: row.slot };
}

/** Whether `a` comes before `b` in the chain's order. */
function before(a: Position, b: Position): boolean {
  return a.block_height < b.block_height || (a.block_height === b.block_height && a.tx_index < b.tx_index);
}

function total(lines: readonly PoolLine[]): bigint {
  return lines.reduce((sum, line) => sum + line.amountUstx, 0n);
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The traces in the order first seen, each once; rows recorded before traces were kept have none. */
function distinctTraces(traceparents: (string | null)[]): string[] {
  return [...new Set(traceparents.filter((traceparent): traceparent is string => traceparent !== null))];
}
