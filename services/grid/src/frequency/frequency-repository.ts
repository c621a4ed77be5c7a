import { Inject, Injectable } from "@nestjs/common";
import type { PrismaClient } from "../generated/prisma/client.js";
import { DEFAULT_DEADBAND_MHZ, DEFAULT_TARGET_MHZ } from "../chain-sync/grid-projection.js";
import type {
  FrequencyOracle,
  FrequencyReading,
  FrequencyReadingPage,
  FrequencyStatus,
  ReadingDecision,
} from "@voltstack/api";
import { PRISMA } from "@voltstack/chain-sync";

export interface ReadingsPage {
  /** Keyset paging, newest first: readings with a smaller id. */
  after?: number;
  limit: number;
}

export interface StoredReading {
  source: string;
  frequencyMhz: number;
  measuredAt: Date;
  deviating: boolean;
  decision: ReadingDecision;
  txid?: string;
  blockHeight?: number;
}

/** The frequency read model and oracles (written by the follower) and the ingested readings (written here). */
@Injectable()
export class FrequencyRepository {
  constructor(@Inject(PRISMA) private readonly prisma: PrismaClient) {}

  async status(): Promise<FrequencyStatus> {
    const [row, ingested] = await Promise.all([
      this.prisma.frequencyStatus.findUnique({ where: { id: 1 } }),
      this.prisma.frequencyReading.findFirst({ orderBy: { id: "desc" } }),
    ]);
    return {
      targetMhz: row?.targetMhz ?? DEFAULT_TARGET_MHZ,
      deadbandMhz: row?.deadbandMhz ?? DEFAULT_DEADBAND_MHZ,
      lastReadingMhz: row?.lastReadingMhz ?? null,
      lastReadingHeight: row?.lastReadingHeight ?? null,
      lastReporter: row?.lastReporter ?? null,
      deviating: row?.deviating ?? false,
      lastTxid: row?.lastTxid ?? null,
      lastHeight: row?.lastHeight ?? null,
      lastIngested: ingested
        ? {
            frequencyMhz: ingested.frequencyMhz,
            measuredAt: ingested.measuredAt.toISOString(),
            deviating: ingested.deviating,
            decision: ingested.decision,
          }
        : null,
    };
  }

  /** The newest reading this service wrote to the chain: when, and in which state. */
  async lastWritten(): Promise<{ measuredAt: Date; deviating: boolean } | undefined> {
    const row = await this.prisma.frequencyReading.findFirst({
      where: { txid: { not: null } },
      orderBy: { id: "desc" },
    });
    return row ? { measuredAt: row.measuredAt, deviating: row.deviating } : undefined;
  }

  async oracles(): Promise<FrequencyOracle[]> {
    const rows = await this.prisma.frequencyOracle.findMany({ orderBy: { oracle: "asc" } });
    return rows.map((row) => ({
      oracle: row.oracle,
      enabled: row.enabled,
      lastTxid: row.lastTxid,
      lastHeight: row.lastHeight,
      updatedAt: row.updatedAt.toISOString(),
    }));
  }

  /** The ingested readings, newest first. */
  async readings(page: ReadingsPage): Promise<FrequencyReadingPage> {
    const rows = await this.prisma.frequencyReading.findMany({
      where: page.after !== undefined ? { id: { lt: page.after } } : {},
      orderBy: { id: "desc" },
      take: page.limit + 1,
    });
    const items = rows.slice(0, page.limit).map((row): FrequencyReading => ({
      id: Number(row.id),
      source: row.source,
      frequencyMhz: row.frequencyMhz,
      measuredAt: row.measuredAt.toISOString(),
      receivedAt: row.receivedAt.toISOString(),
      deviating: row.deviating,
      decision: row.decision as ReadingDecision,
      written: row.txid !== null,
      txid: row.txid,
      blockHeight: row.blockHeight,
    }));
    return { items, nextAfter: rows.length > page.limit ? items[items.length - 1]!.id : null };
  }

  async store(reading: StoredReading): Promise<void> {
    await this.prisma.frequencyReading.create({ data: reading });
  }
}
