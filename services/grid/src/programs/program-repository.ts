import { Inject, Injectable } from "@nestjs/common";
import { COHORT_SIZE, PROGRAM_PRODUCTS, type ProgramProduct } from "@voltstack/chain";
import type { Prisma, PrismaClient } from "../generated/prisma/client.js";
import type { Enrolment, EnrolmentPage, Program, ProgramPage, ProgramStatus, Settlement } from "@voltstack/api";
import { PRISMA } from "@voltstack/chain-sync";
import { figure } from "../chain/chain-write-errors.js";

export interface SettlementLineRow {
  slot: number;
  facilityId: number;
  committedKw: bigint;
  performanceBps: number;
  deliveredKwh: bigint;
  amountUstx: bigint;
}

/** A slot as settlement needs it: the period range it earns in and its reservation. */
export interface SlotRow {
  slot: number;
  facilityId: number;
  committedKw: bigint;
  reservedKwh: bigint;
  fromPeriod: number;
  untilPeriod: number;
}

export interface PerformanceInput {
  facilityId: number;
  performanceBps: number;
  deliveredKwh: bigint;
}

export interface SettlementKey {
  programId: number;
  cohort: number;
  period: number;
}

type ProgramRow = NonNullable<Awaited<ReturnType<PrismaClient["program"]["findUnique"]>>>;
type EnrolmentRow = NonNullable<Awaited<ReturnType<PrismaClient["programEnrolment"]["findUnique"]>>>;
type SettlementRow = NonNullable<Awaited<ReturnType<PrismaClient["programSettlement"]["findUnique"]>>>;

/** Reads of the programs' read model, and the service's own inputs (performances, built reports). */
@Injectable()
export class ProgramRepository {
  constructor(@Inject(PRISMA) private readonly prisma: PrismaClient) {}

  async findProgram(id: number): Promise<Program | undefined> {
    const row = await this.prisma.program.findUnique({ where: { id } });
    return row ? programView(row) : undefined;
  }

  async listPrograms(filter: { status?: ProgramStatus; after?: number; limit: number }): Promise<ProgramPage> {
    const rows = await this.prisma.program.findMany({
      where: {
        ...(filter.status ? { status: filter.status } : {}),
        ...(filter.after !== undefined ? { id: { gt: filter.after } } : {}),
      },
      orderBy: { id: "asc" },
      take: filter.limit + 1,
    });
    const page = rows.slice(0, filter.limit);
    return { items: page.map(programView), nextAfter: rows.length > filter.limit ? page[page.length - 1]!.id : null };
  }

  /** Active programs whose first period has ended by `height`, for the settlement sweep. */
  async activeProgramsStartedBefore(height: number): Promise<Program[]> {
    const rows = await this.prisma.program.findMany({
      where: { status: "active", startHeight: { lt: height } },
      orderBy: { id: "asc" },
    });
    return rows.map(programView);
  }

  /** Active programs whose last period has ended by `height`, oldest first. */
  async activeProgramsEndedBy(height: number): Promise<Program[]> {
    const rows = await this.prisma.program.findMany({
      where: { status: "active", endHeight: { lte: height } },
      orderBy: { id: "asc" },
    });
    return rows.map(programView);
  }

  /** Cohorts of closed or cancelled programs with a slot still holding its reservation. */
  async unreleasedEndedCohorts(limit: number): Promise<{ programId: number; cohort: number }[]> {
    const ended = await this.prisma.program.findMany({
      where: { status: { in: ["closed", "cancelled"] } },
      select: { id: true },
    });
    if (ended.length === 0) return [];
    const rows = await this.prisma.programEnrolment.groupBy({
      by: ["programId", "cohort"],
      where: { released: false, programId: { in: ended.map((program) => program.id) } },
      orderBy: [{ programId: "asc" }, { cohort: "asc" }],
      take: limit,
    });
    return rows.map((row) => ({ programId: row.programId, cohort: row.cohort }));
  }

  /**
   * A program's enrolments in slot order. `after` is a position (cohort x 100 + slot) from a
   * previous page's nextAfter.
   */
  async listEnrolments(
    program: Program,
    filter: { cohort?: number; facility?: number; after?: number; limit: number },
  ): Promise<EnrolmentPage> {
    const after = filter.after;
    const rows = await this.prisma.programEnrolment.findMany({
      where: {
        programId: program.id,
        ...(filter.cohort !== undefined ? { cohort: filter.cohort } : {}),
        ...(filter.facility !== undefined ? { facilityId: filter.facility } : {}),
        ...(after !== undefined
          ? {
              OR: [
                { cohort: { gt: Math.floor(after / COHORT_SIZE) } },
                { cohort: Math.floor(after / COHORT_SIZE), slot: { gt: after % COHORT_SIZE } },
              ],
            }
          : {}),
      },
      orderBy: [{ cohort: "asc" }, { slot: "asc" }],
      take: filter.limit + 1,
    });
    const page = rows.slice(0, filter.limit);
    const last = page[page.length - 1];
    return {
      items: await this.withEarnings(program, page),
      nextAfter: rows.length > filter.limit && last ? last.cohort * COHORT_SIZE + last.slot : null,
    };
  }

  async findEnrolment(program: Program, facilityId: number): Promise<Enrolment | undefined> {
    const row = await this.prisma.programEnrolment.findFirst({ where: { programId: program.id, facilityId } });
    return row ? (await this.withEarnings(program, [row]))[0] : undefined;
  }

  /** The enrolments of the given facilities in a program, by facility id. */
  async enrolmentsOf(
    programId: number,
    facilityIds: readonly number[],
  ): Promise<Map<number, SlotRow & { cohort: number }>> {
    const rows = await this.prisma.programEnrolment.findMany({
      where: { programId, facilityId: { in: [...facilityIds] } },
    });
    const program = await this.prisma.program.findUnique({ where: { id: programId } });
    return new Map(
      rows.map((row) => [row.facilityId, { ...slotRow(row, program?.periodCount ?? 0), cohort: row.cohort }]),
    );
  }

  /** Every slot of a program with its cohort, for the settlement sweep. */
  async slotsOf(program: Program): Promise<(SlotRow & { cohort: number })[]> {
    const rows = await this.prisma.programEnrolment.findMany({
      where: { programId: program.id },
      orderBy: [{ cohort: "asc" }, { slot: "asc" }],
    });
    return rows.map((row) => ({ ...slotRow(row, program.periodCount), cohort: row.cohort }));
  }

  async findSettlement(key: SettlementKey): Promise<Settlement | undefined> {
    const row = await this.prisma.programSettlement.findUnique({ where: { programId_cohort_period: key } });
    return row ? settlementView(row) : undefined;
  }

  async listSettlements(
    programId: number,
    filter: { period?: number; cohort?: number; limit: number; after?: number },
  ): Promise<{ items: Settlement[] }> {
    const rows = await this.prisma.programSettlement.findMany({
      where: {
        programId,
        ...(filter.period !== undefined ? { period: filter.period } : {}),
        ...(filter.cohort !== undefined ? { cohort: filter.cohort } : {}),
      },
      orderBy: [{ period: "asc" }, { cohort: "asc" }],
      take: filter.limit,
    });
    return { items: rows.map(settlementView) };
  }

  async settlementLines(key: SettlementKey): Promise<SettlementLineRow[]> {
    const rows = await this.prisma.programSettlementLine.findMany({ where: key, orderBy: { slot: "asc" } });
    return rows.map((row) => ({
      slot: row.slot,
      facilityId: row.facilityId,
      committedKw: row.committedKw,
      performanceBps: row.performanceBps,
      deliveredKwh: row.deliveredKwh,
      amountUstx: row.amountUstx,
    }));
  }

  /** Posted performances of a period, by facility id. */
  async performances(
    programId: number,
    period: number,
    facilityIds: readonly number[],
  ): Promise<Map<number, PerformanceInput>> {
    const rows = await this.prisma.programPerformance.findMany({
      where: { programId, period, facilityId: { in: [...facilityIds] } },
    });
    return new Map(
      rows.map((row) => [
        row.facilityId,
        { facilityId: row.facilityId, performanceBps: row.performanceBps, deliveredKwh: row.deliveredKwh },
      ]),
    );
  }

  /** The facilities with a posted performance for one period of a program. */
  async postedFacilities(programId: number, period: number): Promise<Set<number>> {
    const rows = await this.prisma.programPerformance.findMany({
      where: { programId, period },
      select: { facilityId: true },
    });
    return new Set(rows.map((row) => row.facilityId));
  }

  /** How many cohorts are settled for each period below `belowPeriod` that has any settlement. */
  async settlementCountsByPeriod(programId: number, belowPeriod: number): Promise<Map<number, number>> {
    const rows = await this.prisma.programSettlement.groupBy({
      by: ["period"],
      where: { programId, period: { lt: belowPeriod } },
      _count: { _all: true },
    });
    return new Map(rows.map((row) => [row.period, row._count._all]));
  }

  /** The cohorts settled for one period of a program. */
  async settledCohorts(programId: number, period: number): Promise<Set<number>> {
    const rows = await this.prisma.programSettlement.findMany({
      where: { programId, period },
      select: { cohort: true },
    });
    return new Set(rows.map((row) => row.cohort));
  }

  /** Records (or corrects, until settled) performances of one period, in one transaction. */
  async storePerformances(
    programId: number,
    period: number,
    performances: readonly PerformanceInput[],
    postedBy: string,
  ): Promise<void> {
    await this.prisma.$transaction(
      performances.map((performance) =>
        this.prisma.programPerformance.upsert({
          where: { programId_period_facilityId: { programId, period, facilityId: performance.facilityId } },
          create: { programId, period, ...performance, postedBy },
          update: {
            performanceBps: performance.performanceBps,
            deliveredKwh: performance.deliveredKwh,
            postedBy,
            postedAt: new Date(),
          },
        }),
      ),
    );
  }

  async storeReport(key: SettlementKey, reportHash: string, report: Prisma.InputJsonValue): Promise<void> {
    await this.prisma.programReport.upsert({
      where: { programId_cohort_period_reportHash: { ...key, reportHash } },
      create: { ...key, reportHash, report },
      update: {},
    });
  }

  async findReport(key: SettlementKey, reportHash: string): Promise<unknown> {
    const row = await this.prisma.programReport.findUnique({
      where: { programId_cohort_period_reportHash: { ...key, reportHash } },
    });
    return row?.report ?? undefined;
  }

  /** Enrolment views with what each slot earned (its settlement lines) and was paid (distributions). */
  private async withEarnings(program: Program, rows: EnrolmentRow[]): Promise<Enrolment[]> {
    if (rows.length === 0) return [];
    const cohorts = [...new Set(rows.map((row) => row.cohort))];
    const [earned, distributions] = await Promise.all([
      this.prisma.programSettlementLine.groupBy({
        by: ["cohort", "slot"],
        where: { programId: program.id, cohort: { in: cohorts } },
        _sum: { amountUstx: true },
      }),
      this.prisma.programDistribution.findMany({
        where: { programId: program.id, cohort: { in: cohorts } },
        select: { cohort: true, amountsUstx: true },
      }),
    ]);
    const earnedBy = new Map(earned.map((row) => [`${row.cohort}:${row.slot}`, row._sum.amountUstx ?? 0n]));
    const paidBy = new Map<string, bigint>();
    for (const distribution of distributions) {
      distribution.amountsUstx.forEach((amount, slot) => {
        const key = `${distribution.cohort}:${slot}`;
        paidBy.set(key, (paidBy.get(key) ?? 0n) + amount);
      });
    }
    return rows.map((row) => {
      const key = `${row.cohort}:${row.slot}`;
      return {
        programId: row.programId,
        facilityId: row.facilityId,
        cohort: row.cohort,
        slot: row.slot,
        committedKw: figure(row.committedKw),
        reservedKwh: figure(row.reservedKwh),
        fromPeriod: row.fromPeriod,
        untilPeriod: row.untilPeriod ?? program.periodCount,
        withdrawn: row.untilPeriod !== null,
        released: row.released,
        enrolledBy: row.enrolledBy,
        earnedUstx: (earnedBy.get(key) ?? 0n).toString(),
        paidUstx: (paidBy.get(key) ?? 0n).toString(),
        createdTxid: row.createdTxid,
        createdHeight: row.createdHeight,
      };
    });
  }
}

function slotRow(row: EnrolmentRow, periodCount: number): SlotRow {
  return {
    slot: row.slot,
    facilityId: row.facilityId,
    committedKw: row.committedKw,
    reservedKwh: row.reservedKwh,
    fromPeriod: row.fromPeriod,
    untilPeriod: row.untilPeriod ?? periodCount,
  };
}

function programView(row: ProgramRow): Program {
  const product = PROGRAM_PRODUCTS[row.product as ProgramProduct] as { unit: string } | undefined;
  return {
    id: row.id,
    product: row.product,
    unit: product?.unit ?? null,
    operator: row.operator,
    startHeight: row.startHeight,
    periodBlocks: row.periodBlocks,
    periodCount: row.periodCount,
    endHeight: row.endHeight,
    settleWindow: row.settleWindow,
    settleUntilHeight: row.endHeight + row.settleWindow,
    capacityPriceUstx: row.capacityPriceUstx.toString(),
    energyPriceUstx: row.energyPriceUstx.toString(),
    budgetUstx: row.budgetUstx.toString(),
    settledUstx: row.settledUstx.toString(),
    distributedUstx: row.distributedUstx.toString(),
    refundUstx: row.refundUstx.toString(),
    remainingUstx: (row.budgetUstx - row.settledUstx - row.refundUstx).toString(),
    status: row.status as ProgramStatus,
    createdTxid: row.createdTxid,
    createdHeight: row.createdHeight,
    lastTxid: row.lastTxid,
    lastHeight: row.lastHeight,
    updatedAt: row.updatedAt.toISOString(),
  };
}

function settlementView(row: SettlementRow): Settlement {
  return {
    programId: row.programId,
    cohort: row.cohort,
    period: row.period,
    reportHash: row.reportHash,
    totalUstx: row.totalUstx.toString(),
    settledBy: row.settledBy,
    txid: row.txid,
    blockHeight: row.blockHeight,
  };
}
