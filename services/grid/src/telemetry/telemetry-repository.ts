import { Inject, Injectable } from "@nestjs/common";
import type { Pool } from "pg";
import { TELEMETRY_POOL } from "./telemetry-pool.js";
import {
  alignToStep,
  type MinuteSlots,
  NOMINAL_FREQUENCY_MILLIHZ,
  SLOTS_PER_MINUTE,
  seriesFromMinutes,
  STEP_SECONDS,
} from "./telemetry-slots.js";

/** Channels of a telemetry minute, in the order MinuteSlots.channels holds them. */
export const TELEMETRY_CHANNELS = 3;

/** A facility's 2-second series over [from, to): power, stored energy and frequency, null in gaps. */
export interface TelemetrySeries {
  from: Date;
  stepSeconds: typeof STEP_SECONDS;
  powerW: (number | null)[];
  storedWh: (number | null)[];
  frequencyMilliHz: (number | null)[];
}

/** A program's regulation signal over [from, to) in basis points of committed power, null in gaps. */
export interface RegulationSignalSeries {
  from: Date;
  stepSeconds: typeof STEP_SECONDS;
  valueBps: (number | null)[];
}

/** Columns of the arrays of a batch of minutes, flattened: slot i of row r at r * 30 + i. */
function flatten(rows: readonly MinuteSlots[], channel: number): (number | null)[] {
  return rows.flatMap((row) => row.channels[channel]!);
}

/**
 * The merge of a slot array column: the incoming value wins in every slot where it has one, the
 * stored value stays in the others. (Inline, it runs about 2.5 times faster than the same merge
 * in an SQL function.)
 */
function mergedSlots(column: string): string {
  return `${column} = ARRAY(SELECT coalesce(EXCLUDED.${column}[s], t.${column}[s]) FROM generate_series(1, ${SLOTS_PER_MINUTE}) AS s)`;
}

function sliceOf(parameter: string, type: string): string {
  return `($${parameter}::${type}[])[(r.o - 1) * ${SLOTS_PER_MINUTE} + 1 : r.o * ${SLOTS_PER_MINUTE}]`;
}

/**
 * Telemetry minutes (per facility) and regulation signal minutes (per program), merged slot by
 * slot in one INSERT ... ON CONFLICT per batch, and read back as 2-second series for scoring.
 */
@Injectable()
export class TelemetryRepository {
  constructor(@Inject(TELEMETRY_POOL) private readonly pool: Pool) {}

  /**
   * Merges facilities' minutes (channels: power W, stored Wh, frequency mHz) into what is
   * stored: a slot with a new value takes it, the others keep theirs. Rows must be in
   * (facility, minute) order, as MinuteSlotBuffer.rows() gives them, so that concurrent
   * batches lock rows in the same order and cannot deadlock.
   */
  async mergeTelemetry(rows: readonly MinuteSlots[]): Promise<void> {
    if (rows.length === 0) return;
    const deviations = flatten(rows, 2).map((value) => (value === null ? null : value - NOMINAL_FREQUENCY_MILLIHZ));
    await this.pool.query(
      `INSERT INTO telemetry_minutes AS t (facility_id, minute, power_w, stored_wh, frequency_dev_mhz)
       SELECT r.facility_id, r.minute, ${sliceOf("3", "int4")}, ${sliceOf("4", "int4")}, ${sliceOf("5", "int2")}
         FROM unnest($1::int4[], $2::timestamptz[]) WITH ORDINALITY AS r(facility_id, minute, o)
       ON CONFLICT (facility_id, minute) DO UPDATE SET
         ${mergedSlots("power_w")}, ${mergedSlots("stored_wh")}, ${mergedSlots("frequency_dev_mhz")}`,
      [rows.map((row) => row.sourceId), rows.map((row) => row.minute), flatten(rows, 0), flatten(rows, 1), deviations],
    );
  }

  /** Merges programs' regulation signal minutes (one channel: basis points), as mergeTelemetry does. */
  async mergeRegulationSignal(rows: readonly MinuteSlots[]): Promise<void> {
    if (rows.length === 0) return;
    await this.pool.query(
      `INSERT INTO regulation_signal_minutes AS t (program_id, minute, value_bps)
       SELECT r.program_id, r.minute, ${sliceOf("3", "int2")}
         FROM unnest($1::int4[], $2::timestamptz[]) WITH ORDINALITY AS r(program_id, minute, o)
       ON CONFLICT (program_id, minute) DO UPDATE SET ${mergedSlots("value_bps")}`,
      [rows.map((row) => row.sourceId), rows.map((row) => row.minute), flatten(rows, 0)],
    );
  }

  /** The facility's series over [from, to), both aligned down to 2 s. */
  async series(facilityId: number, from: Date, to: Date): Promise<TelemetrySeries> {
    const start = alignToStep(from);
    const end = alignToStep(to);
    const { rows } = await this.pool.query<{
      minute: Date;
      power_w: (number | null)[];
      stored_wh: (number | null)[];
      frequency_dev_mhz: (number | null)[];
    }>(
      `SELECT minute, power_w, stored_wh, frequency_dev_mhz FROM telemetry_minutes
        WHERE facility_id = $1 AND minute > $2::timestamptz - interval '1 minute' AND minute < $3
        ORDER BY minute`,
      [facilityId, start, end],
    );
    const [powerW, storedWh, frequencyMilliHz] = seriesFromMinutes(
      rows.map((row) => ({
        minute: row.minute,
        channels: [
          row.power_w,
          row.stored_wh,
          row.frequency_dev_mhz.map((value) => (value === null ? null : value + NOMINAL_FREQUENCY_MILLIHZ)),
        ],
      })),
      start,
      end,
      TELEMETRY_CHANNELS,
    ) as [(number | null)[], (number | null)[], (number | null)[]];
    return { from: start, stepSeconds: STEP_SECONDS, powerW, storedWh, frequencyMilliHz };
  }

  /** The program's regulation signal over [from, to), both aligned down to 2 s. */
  async regulationSignal(programId: number, from: Date, to: Date): Promise<RegulationSignalSeries> {
    const start = alignToStep(from);
    const end = alignToStep(to);
    const { rows } = await this.pool.query<{ minute: Date; value_bps: (number | null)[] }>(
      `SELECT minute, value_bps FROM regulation_signal_minutes
        WHERE program_id = $1 AND minute > $2::timestamptz - interval '1 minute' AND minute < $3
        ORDER BY minute`,
      [programId, start, end],
    );
    const [valueBps] = seriesFromMinutes(
      rows.map((row) => ({ minute: row.minute, channels: [row.value_bps] })),
      start,
      end,
      1,
    ) as [(number | null)[]];
    return { from: start, stepSeconds: STEP_SECONDS, valueBps };
  }

  /** Those of the facilities the read model knows: enrolled in a program or accepted a service request, now or before. */
  async knownFacilities(facilityIds: readonly number[]): Promise<Set<number>> {
    if (facilityIds.length === 0) return new Set();
    const { rows } = await this.pool.query<{ facility_id: number }>(
      `SELECT facility_id FROM program_enrolments WHERE facility_id = ANY($1::int4[])
       UNION SELECT facility_id FROM service_requests WHERE facility_id = ANY($1::int4[])`,
      [facilityIds],
    );
    return new Set(rows.map((row) => row.facility_id));
  }

  async programExists(programId: number): Promise<boolean> {
    const { rowCount } = await this.pool.query(`SELECT 1 FROM programs WHERE id = $1`, [programId]);
    return (rowCount ?? 0) > 0;
  }

  /** Deletes telemetry and regulation signal minutes that started before `cutoff`; returns the rows deleted. */
  async deleteBefore(cutoff: Date): Promise<number> {
    const telemetry = await this.pool.query(`DELETE FROM telemetry_minutes WHERE minute < $1`, [cutoff]);
    const signal = await this.pool.query(`DELETE FROM regulation_signal_minutes WHERE minute < $1`, [cutoff]);
    return (telemetry.rowCount ?? 0) + (signal.rowCount ?? 0);
  }
}
