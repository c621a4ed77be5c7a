import { Inject, Injectable } from "@nestjs/common";
import type { Prisma, PrismaClient } from "../generated/prisma/client.js";
import type { ScoredProgram } from "@voltstack/api";
import { PRISMA } from "@voltstack/chain-sync";
import type { ContainmentProfileName } from "@voltstack/api";
import type { PeriodScore } from "./period-score.js";

/** An enrolment earning in a period: what its score is computed against. */
export interface EarningEnrolment {
  facilityId: number;
  cohort: number;
  committedKw: bigint;
  reservedKwh: bigint;
}

export type StoredScore = PeriodScore & {
  programId: number;
  period: number;
  facilityId: number;
  committedKw: bigint;
  windowFrom: Date;
  windowTo: Date;
  scoredAt: Date;
};

/** Programs scored from telemetry, their enrolments per period, and the scores kept. */
@Injectable()
export class ScoringRepository {
  constructor(@Inject(PRISMA) private readonly prisma: PrismaClient) {}

  async enable(
    programId: number,
    containmentProfile: ContainmentProfileName,
    enabledBy: string,
  ): Promise<ScoredProgram> {
    const row = await this.prisma.programScoring.upsert({
      where: { programId },
      create: { programId, containmentProfile, enabledBy, enabledAt: new Date() },
      update: { containmentProfile, enabledBy, enabledAt: new Date() },
    });
    return scoredProgram(row);
  }

  async find(programId: number): Promise<ScoredProgram | undefined> {
    const row = await this.prisma.programScoring.findUnique({ where: { programId } });
    return row ? scoredProgram(row) : undefined;
  }

  /** Scored programs that are still active, oldest first. */
  async activeScoredPrograms(): Promise<ScoredProgram[]> {
    const active = await this.prisma.program.findMany({ where: { status: "active" }, select: { id: true } });
    const rows = await this.prisma.programScoring.findMany({
      where: { programId: { in: active.map((program) => program.id) } },
      orderBy: { programId: "asc" },
    });
    return rows.map(scoredProgram);
  }

  async advance(programId: number, nextPeriod: number): Promise<void> {
    await this.prisma.programScoring.updateMany({
      where: { programId, nextPeriod: { lt: nextPeriod } },
      data: { nextPeriod },
    });
  }

  /** The enrolments earning in `period`, in slot order. */
  async earning(programId: number, period: number): Promise<EarningEnrolment[]> {
    const rows = await this.prisma.programEnrolment.findMany({
      where: {
        programId,
        fromPeriod: { lte: period },
        OR: [{ untilPeriod: null }, { untilPeriod: { gt: period } }],
      },
      orderBy: [{ cohort: "asc" }, { slot: "asc" }],
    });
    return rows.map((row) => ({
      facilityId: row.facilityId,
      cohort: row.cohort,
      committedKw: row.committedKw,
      reservedKwh: row.reservedKwh,
    }));
  }

  /** Scores kept for a period, by facility. */
  async scores(programId: number, period: number): Promise<Map<number, StoredScore>> {
    const rows = await this.prisma.performanceScore.findMany({ where: { programId, period } });
    return new Map(rows.map((row) => [row.facilityId, storedScore(row)]));
  }

  async score(programId: number, period: number, facilityId: number): Promise<StoredScore | undefined> {
    const row = await this.prisma.performanceScore.findUnique({
      where: { programId_period_facilityId: { programId, period, facilityId } },
    });
    return row ? storedScore(row) : undefined;
  }

  /** Keeps scores; a score once kept is what its performance is posted from, so a second write changes nothing. */
  async keep(scores: readonly StoredScore[]): Promise<void> {
    await this.prisma.performanceScore.createMany({
      data: scores.map((score) => ({
        programId: score.programId,
        period: score.period,
        facilityId: score.facilityId,
        method: score.method,
        performanceBps: score.performanceBps,
        deliveredKwh: BigInt(score.deliveredKwh),
        committedKw: score.committedKw,
        windowFrom: score.windowFrom,
        windowTo: score.windowTo,
        breakdown: score.breakdown as Prisma.InputJsonValue,
        series: score.series as Prisma.InputJsonValue,
        scoredAt: score.scoredAt,
      })),
      skipDuplicates: true,
    });
  }
}

function scoredProgram(row: { programId: number; containmentProfile: string; nextPeriod: number }): ScoredProgram {
  return {
    programId: row.programId,
    containmentProfile: row.containmentProfile as ContainmentProfileName,
    nextPeriod: row.nextPeriod,
  };
}

type ScoreRow = NonNullable<Awaited<ReturnType<PrismaClient["performanceScore"]["findUnique"]>>>;

function storedScore(row: ScoreRow): StoredScore {
  return {
    programId: row.programId,
    period: row.period,
    facilityId: row.facilityId,
    method: row.method as StoredScore["method"],
    performanceBps: row.performanceBps,
    deliveredKwh: Number(row.deliveredKwh),
    committedKw: row.committedKw,
    windowFrom: row.windowFrom,
    windowTo: row.windowTo,
    breakdown: row.breakdown as Record<string, unknown>,
    series: row.series as unknown[],
    scoredAt: row.scoredAt,
  };
}
