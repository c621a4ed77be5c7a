// The knobs of `npm run bench:load`, read once from the environment. The defaults make a
// run of about 3-5 minutes on a shared 2-core machine; the full measurement sets
// them higher (see docs/benchmarks.md for the command of the last full run).

export interface BenchOptions {
  /** Facilities that take one-off requests (approved, capacity initialised, three shares). */
  facilities: number;
  /** One-off requests sent through create -> accept -> fulfil -> payout. */
  requests: number;
  /** Requests in their HTTP steps at once. */
  concurrency: number;
  /** Stops starting new requests after this many seconds of load (0: send them all). */
  durationS: number;
  /** Fulfilments of the in-process ceiling (the same four contract calls each). */
  ceilingFulfilments: number;
  /** Facilities enrolled in the program run (0 skips it). */
  programFacilities: number;
  programPeriods: number;
  /** Length of a program period in blocks. */
  programPeriodBlocks: number;
  /** Devnet block interval. */
  blockIntervalMs: number;
  /** How long the started system is left alone before the idle memory is taken. */
  idleS: number;
  /** How long after the last payout memory is measured again ("a minute after"). */
  afterS: number;
  /** CHAIN_POLL_INTERVAL_MS of the services; unset keeps their default, as `npm start` does. */
  chainPollIntervalMs: number | undefined;
  /** Whether to write the section into docs/benchmarks.md (otherwise it is only printed). */
  writeDocs: boolean;
}

function integer(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min) {
    throw new Error(`${name} must be an integer of at least ${min}, got "${raw}"`);
  }
  return value;
}

export function benchOptionsFromEnv(): BenchOptions {
  const requests = integer("BENCH_LOAD_REQUESTS", 60, 1);
  const poll = process.env.BENCH_LOAD_CHAIN_POLL_MS;
  return {
    facilities: integer("BENCH_LOAD_FACILITIES", 10, 1),
    requests,
    concurrency: integer("BENCH_LOAD_CONCURRENCY", 20, 1),
    durationS: integer("BENCH_LOAD_DURATION_S", 0, 0),
    ceilingFulfilments: integer("BENCH_LOAD_CEILING_FULFILMENTS", Math.max(requests, 200), 1),
    programFacilities: integer("BENCH_LOAD_PROGRAM_FACILITIES", 120, 0),
    programPeriods: integer("BENCH_LOAD_PROGRAM_PERIODS", 3, 1),
    programPeriodBlocks: integer("BENCH_LOAD_PROGRAM_PERIOD_BLOCKS", 6, 1),
    blockIntervalMs: integer("BENCH_LOAD_BLOCK_MS", 1_000, 100),
    idleS: integer("BENCH_LOAD_IDLE_S", 20, 0),
    afterS: integer("BENCH_LOAD_AFTER_S", 60, 0),
    chainPollIntervalMs: poll === undefined || poll === "" ? undefined : integer("BENCH_LOAD_CHAIN_POLL_MS", 0, 10),
    writeDocs: process.env.BENCH_LOAD_WRITE !== "0",
  };
}

/** The variables a reader needs to repeat a run, as they were set for it. */
export function describeOptions(options: BenchOptions): string {
  return [
    `BENCH_LOAD_FACILITIES=${options.facilities}`,
    `BENCH_LOAD_REQUESTS=${options.requests}`,
    `BENCH_LOAD_CONCURRENCY=${options.concurrency}`,
    ...(options.durationS > 0 ? [`BENCH_LOAD_DURATION_S=${options.durationS}`] : []),
    `BENCH_LOAD_PROGRAM_FACILITIES=${options.programFacilities}`,
    `BENCH_LOAD_PROGRAM_PERIODS=${options.programPeriods}`,
    `BENCH_LOAD_PROGRAM_PERIOD_BLOCKS=${options.programPeriodBlocks}`,
    ...(options.blockIntervalMs !== 1_000 ? [`BENCH_LOAD_BLOCK_MS=${options.blockIntervalMs}`] : []),
    ...(options.chainPollIntervalMs !== undefined ? [`BENCH_LOAD_CHAIN_POLL_MS=${options.chainPollIntervalMs}`] : []),
  ].join(" ");
}
