import { randomUUID } from "node:crypto";
import { Inject, Injectable } from "@nestjs/common";
import type { PrismaClient } from "../generated/prisma/client.js";
import type { ReadingOutcome } from "@voltstack/api";
import { PRISMA } from "@voltstack/chain-sync";

/** A reading as received and what became of it. */
export interface RecordedReading {
  facilityId: number;
  storedKwh: bigint;
  measuredAt: Date;
  receivedAt: Date;
  requestedBy: string;
  outcome: ReadingOutcome;
  /** The skip reason or the error code. */
  detail?: string;
  txid?: string;
  blockHeight?: number;
}

/** The readings log: every reading received, written to the chain or not. */
@Injectable()
export class ReadingRepository {
  constructor(@Inject(PRISMA) private readonly prisma: PrismaClient) {}

  async record(readings: RecordedReading[]): Promise<string[]> {
    const rows = readings.map((reading) => ({
      id: randomUUID(),
      facilityId: reading.facilityId,
      storedKwh: reading.storedKwh,
      measuredAt: reading.measuredAt,
      receivedAt: reading.receivedAt,
      requestedBy: reading.requestedBy,
      outcome: reading.outcome,
      detail: reading.detail ?? null,
      txid: reading.txid ?? null,
      blockHeight: reading.blockHeight ?? null,
    }));
    await this.prisma.reading.createMany({ data: rows });
    return rows.map((row) => row.id);
  }

  /** When this service last wrote a reading of the facility to the chain. */
  async lastWrittenAt(facilityId: number): Promise<Date | undefined> {
    const row = await this.prisma.reading.findFirst({
      where: { facilityId, outcome: "written" },
      orderBy: { receivedAt: "desc" },
      select: { receivedAt: true },
    });
    return row?.receivedAt;
  }
}
