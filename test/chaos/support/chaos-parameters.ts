/** How big the experiments are: the CI's bounded defaults, or larger ones from the environment (`npm run chaos`). */
export interface ChaosParameters {
  /** Seeds every random choice (which moment, which order); printed so a failure can be replayed. */
  seed: number;
  /** How many times each service is killed. */
  killRounds: number;
  natsOutageMs: number;
  postgresRestarts: number;
  devnetRestarts: number;
  /** Fulfilments completed before the fault strikes, at most (at least one). */
  fulfilmentsBeforeFault: number;
  /** The stated bound: every service ready and the backlog drained this long after a fault ended. */
  recoveryWithinMs: number;
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${name} must be a whole number >= 0, not ${raw}`);
  return value;
}

export function chaosParameters(env: NodeJS.ProcessEnv = process.env): ChaosParameters {
  return {
    seed: integer(env, "CHAOS_SEED", Math.floor(Math.random() * 2 ** 31)),
    killRounds: integer(env, "CHAOS_KILL_ROUNDS", 1),
    natsOutageMs: integer(env, "CHAOS_NATS_OUTAGE_S", 60) * 1_000,
    postgresRestarts: integer(env, "CHAOS_POSTGRES_RESTARTS", 1),
    devnetRestarts: integer(env, "CHAOS_DEVNET_RESTARTS", 1),
    fulfilmentsBeforeFault: Math.max(1, integer(env, "CHAOS_FULFILMENTS_BEFORE_FAULT", 1)),
    // Generous, so that a busy machine cannot fail it: after a kill the service starts again
    // (up to 30 s under load), a retried write waits until the dead holder's Idempotency-Key
    // may be taken over (20 s without a renewal), and the backlog drains after that.
    recoveryWithinMs: integer(env, "CHAOS_RECOVERY_WITHIN_S", 180) * 1_000,
  };
}

/** mulberry32: a small seeded generator, the same sequence for the same seed. */
export function seededRandom(seed: number): (low: number, high: number) => number {
  let state = seed >>> 0;
  return (low, high) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const unit = ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
    return low + Math.floor(unit * (high - low + 1));
  };
}
