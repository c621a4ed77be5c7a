import { readFileSync } from "node:fs";

/** Resident set size of a process in bytes (VmRSS of /proc/<pid>/status); undefined once it is gone. */
export function residentBytes(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

export interface MemorySample {
  atMs: number;
  phase: string;
  /** Bytes by process name. */
  rss: Record<string, number>;
}

/**
 * Samples the resident memory of named processes at a fixed interval, each sample tagged
 * with the phase of the run it fell in, so idle, peak and after can be told apart.
 */
export class MemorySampler {
  readonly samples: MemorySample[] = [];
  #phase = "idle";
  readonly #timer: NodeJS.Timeout;

  constructor(
    private readonly pids: Record<string, number>,
    intervalMs = 1_000,
  ) {
    this.sample();
    this.#timer = setInterval(() => this.sample(), intervalMs);
    this.#timer.unref();
  }

  set phase(phase: string) {
    this.#phase = phase;
    this.sample();
  }

  sample(): MemorySample {
    const rss: Record<string, number> = {};
    for (const [name, pid] of Object.entries(this.pids)) {
      const bytes = residentBytes(pid);
      if (bytes !== undefined) rss[name] = bytes;
    }
    const taken = { atMs: Date.now(), phase: this.#phase, rss };
    this.samples.push(taken);
    return taken;
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** The last sample of `phase` (its end), or undefined. */
  lastOf(phase: string): MemorySample | undefined {
    return this.samples.filter((sample) => sample.phase === phase).at(-1);
  }

  /** The largest value of `name` over the given phases. */
  peakOf(name: string, phases: readonly string[]): number | undefined {
    const values = this.samples
      .filter((sample) => phases.includes(sample.phase))
      .flatMap((sample) => (sample.rss[name] === undefined ? [] : [sample.rss[name]!]));
    return values.length === 0 ? undefined : Math.max(...values);
  }
}
