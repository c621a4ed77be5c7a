/** Telemetry and regulation signals are kept in 2-second slots, 30 to a minute. */
export const STEP_SECONDS = 2;
export const SLOTS_PER_MINUTE = 30;
const STEP_MS = STEP_SECONDS * 1_000;
const MINUTE_MS = 60_000;
/** Frequencies are stored as their deviation from this, so that they fit a SMALLINT. */
export const NOMINAL_FREQUENCY_MILLIHZ = 50_000;

/** The start of the 2-second slot an instant falls in. */
export function alignToStep(at: Date): Date {
  return new Date(Math.floor(at.getTime() / STEP_MS) * STEP_MS);
}

/** One source's (a facility's, a program's) slots of one minute, one array of 30 per channel. */
export interface MinuteSlots {
  sourceId: number;
  minute: Date;
  channels: (number | null)[][];
}

/**
 * Gathers samples into the minutes and slots they fall in, one array per channel. Samples at
 * 1 s resolution share a slot: the later one wins, as it would if it were sent again later.
 * A channel the sample does not carry stays null in its slot (the merge keeps what is stored).
 */
export class MinuteSlotBuffer {
  private readonly minutes = new Map<string, MinuteSlots>();
  private slotsWritten = 0;

  constructor(private readonly channelCount: number) {}

  /** Adds samples in their time order (a later instant of the same slot overwrites an earlier one). */
  add(sourceId: number, samples: readonly { atMs: number; values: readonly (number | null)[] }[]): void {
    const ordered = [...samples].sort((a, b) => a.atMs - b.atMs);
    for (const { atMs, values } of ordered) {
      const minuteMs = Math.floor(atMs / MINUTE_MS) * MINUTE_MS;
      const key = `${sourceId}:${minuteMs}`;
      let minute = this.minutes.get(key);
      if (!minute) {
        minute = {
          sourceId,
          minute: new Date(minuteMs),
          channels: Array.from({ length: this.channelCount }, () =>
            new Array<number | null>(SLOTS_PER_MINUTE).fill(null),
          ),
        };
        this.minutes.set(key, minute);
      }
      const slot = Math.floor((atMs - minuteMs) / STEP_MS);
      let written = false;
      values.forEach((value, channel) => {
        if (value === null) return;
        const slots = minute.channels[channel]!;
        if (slots[slot] === null) written = true;
        slots[slot] = value;
      });
      if (written) this.slotsWritten += 1;
    }
  }

  /** The minutes, ordered by source and time so that concurrent writers lock rows in one order. */
  rows(): MinuteSlots[] {
    return [...this.minutes.values()].sort(
      (a, b) => a.sourceId - b.sourceId || a.minute.getTime() - b.minute.getTime(),
    );
  }

  /** Distinct (source, slot) pairs that received a value. */
  slotCount(): number {
    return this.slotsWritten;
  }
}

/**
 * Lays stored minutes out as one plot-ready series per channel over [from, to), one entry
 * per 2-second step, null where nothing was stored.
 */
export function seriesFromMinutes(
  minutes: readonly { minute: Date; channels: readonly (readonly (number | null)[])[] }[],
  from: Date,
  to: Date,
  channelCount: number,
): (number | null)[][] {
  const length = Math.max(0, Math.round((to.getTime() - from.getTime()) / STEP_MS));
  const series = Array.from({ length: channelCount }, () => new Array<number | null>(length).fill(null));
  for (const { minute, channels } of minutes) {
    const firstStep = (minute.getTime() - from.getTime()) / STEP_MS;
    for (let slot = 0; slot < SLOTS_PER_MINUTE; slot += 1) {
      const step = firstStep + slot;
      if (step < 0 || step >= length) continue;
      channels.forEach((values, channel) => {
        series[channel]![step] = values[slot] ?? null;
      });
    }
  }
  return series;
}
