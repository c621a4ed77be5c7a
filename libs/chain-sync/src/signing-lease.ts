import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { ChainError, type SigningPermit } from "@voltstack/chain";
import type { Pool } from "pg";

export interface SigningLeaseOptions {
  /**
   * The chain the leases exclude signers on (`signingLeaseScope`): one key may sign on
   * two different chains at once, never twice on one.
   */
  scope: string;
  /** How long a lease lasts without renewal, ms; it is renewed every third of that. */
  ttlMs?: number;
  /** Who holds the leases, as other processes see it; hostname:pid:random by default. */
  holderId?: string;
  /** The schema of the shared lease table, outside every service's own schema. */
  schema?: string;
  /** A monotonic clock, ms, for this process's own view of how long its leases last (tests pass their own). */
  now?: () => number;
}

/** Who holds a lease this process wanted, as the table says. */
export interface LeaseHolder {
  address: string;
  holder: string;
  expiresAt: Date;
}

export const DEFAULT_SIGNING_LEASE_TTL_MS = 30_000;
const DEFAULT_SCHEMA = "chain_signing";

/**
 * The lease scope for a network: the network's name, since a key's address names one
 * network; a devnet is a chain of its own per node, so its URL is part of it.
 */
export function signingLeaseScope(network: string, apiUrl: string): string {
  return network === "devnet" ? `devnet ${apiUrl}` : network;
}

/** Another process holds the signing lease of an address. */
export class SigningLeaseHeldError extends ChainError {
  constructor(readonly holder: LeaseHolder) {
    super(
      "SIGNING_LEASE_HELD",
      `Another process signs for ${holder.address}: ${holder.holder} holds its signing lease until ${holder.expiresAt.toISOString()}. This process takes over if that lease expires unrenewed.`,
      { address: holder.address, holder: holder.holder, expiresAt: holder.expiresAt.toISOString() },
    );
    this.name = "SigningLeaseHeldError";
  }
}

interface Held {
  /** Until when this process may sign, by `now`: a third of the lease short of its expiry. */
  signUntil: number;
  /** Bumped on each acquisition, so that a permit of a lost lease stays lapsed after a new one. */
  generation: number;
}

/**
 * Leases in PostgreSQL that make one process at a time the signer of an address: a row
 * (scope, address, holder, expires_at) in a table shared by every service of the
 * database, whatever its schema. A stacks-node replaces a pending transaction by another
 * with the same nonce and a higher fee, so two signers of one key would evict each
 * other's transactions rather than be refused.
 *
 * A row rather than an advisory lock: the holder and expiry are there to read (in the
 * error, the readiness check and by an operator), it works through a transaction-mode
 * connection pooler, and it fences by time: this process stops signing a third of the
 * lease before the database would let another take over, even when it cannot reach the
 * database to learn that. The database's clock alone decides expiry.
 *
 * A process holds all its addresses' leases or none (taken in address order, given back
 * when one is held elsewhere), so two replicas never each end up with half the keys.
 */
export class SigningLeases {
  readonly holderId: string;
  readonly ttlMs: number;
  readonly #scope: string;
  readonly #table: string;
  readonly #now: () => number;
  readonly #held = new Map<string, Held>();
  #generation = 0;
  #addresses: string[] = [];
  #blockedBy: LeaseHolder | undefined;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(
    private readonly pool: Pick<Pool, "query" | "connect">,
    private readonly options: SigningLeaseOptions,
  ) {
    this.holderId = options.holderId ?? `${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;
    this.ttlMs = options.ttlMs ?? DEFAULT_SIGNING_LEASE_TTL_MS;
    this.#scope = options.scope;
    const schema = options.schema ?? DEFAULT_SCHEMA;
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new RangeError(`${schema} is not a plain schema name.`);
    this.#table = `"${schema}"."signing_leases"`;
    this.#now = options.now ?? (() => performance.now());
  }

  /**
   * Creates the lease table (and its schema) when missing. Operators whose service users
   * may not create schemas create it once beforehand; then nothing is created here.
   */
  async prepare(): Promise<void> {
    const schema = this.options.schema ?? DEFAULT_SCHEMA;
    const { rows } = await this.pool.query<{ table: string | null }>("SELECT to_regclass($1) AS table", [this.#table]);
    if (rows[0]?.table) return;
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      // Replicas starting together would otherwise race on the catalog.
      await client.query("SELECT pg_advisory_xact_lock(hashtext('voltstack signing_leases'))");
      const exists = await client.query("SELECT 1 FROM information_schema.schemata WHERE schema_name = $1", [schema]);
      if (exists.rowCount === 0) await client.query(`CREATE SCHEMA "${schema}"`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${this.#table} (
          scope TEXT NOT NULL,
          address TEXT NOT NULL,
          holder TEXT NOT NULL,
          acquired_at TIMESTAMPTZ(3) NOT NULL,
          renewed_at TIMESTAMPTZ(3) NOT NULL,
          expires_at TIMESTAMPTZ(3) NOT NULL,
          PRIMARY KEY (scope, address))`);
      await client.query("COMMIT");
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /**
   * Takes the leases of `addresses` (all or none), then keeps them: renewed every third
   * of the lease, and taken again when they were held elsewhere and expired.
   */
  async start(addresses: readonly string[]): Promise<void> {
    this.#addresses = [...new Set(addresses)].sort();
    await this.tick().catch(() => undefined);
    this.#timer ??= setInterval(() => void this.tick().catch(() => undefined), Math.max(1, Math.floor(this.ttlMs / 3)));
    this.#timer.unref();
  }

  /** One round of the timer: renew what is held, try to take what is not. */
  async tick(): Promise<void> {
    if (this.#stopped) return;
    await this.renew();
    if (!this.holdsAll()) await this.acquireAll(this.#addresses).catch(() => undefined);
  }

  holdsAll(addresses: readonly string[] = this.#addresses): boolean {
    return addresses.every((address) => this.#validHeld(address) !== undefined);
  }

  /** Takes every lease of `addresses`, in address order; gives back those taken if one is held elsewhere, and throws SigningLeaseHeldError. */
  async acquireAll(addresses: readonly string[]): Promise<void> {
    const taken: string[] = [];
    for (const address of [...new Set(addresses)].sort()) {
      try {
        await this.#acquire(address);
        taken.push(address);
      } catch (error) {
        for (const address of taken) await this.#release(address).catch(() => undefined);
        throw error;
      }
    }
    this.#blockedBy = undefined;
  }

  /** Renews every held lease; a lease found taken over is dropped, and its permits lapse. */
  async renew(): Promise<void> {
    for (const address of [...this.#held.keys()]) {
      const startedAt = this.#now();
      const { rows } = await this.pool.query(
        `UPDATE ${this.#table}
            SET renewed_at = now(), expires_at = now() + $4::int * interval '1 millisecond'
          WHERE scope = $1 AND address = $2 AND holder = $3
          RETURNING holder`,
        [this.#scope, address, this.holderId, this.ttlMs],
      );
      const held = this.#held.get(address);
      if (!held) continue;
      if (rows.length === 1) held.signUntil = this.#signUntil(startedAt);
      else this.#held.delete(address);
    }
  }

  /**
   * The permit a sender checks before each signature: valid while this acquisition of
   * the lease is held and a third of it is left.
   */
  permit(address: string): SigningPermit {
    const generation = this.#held.get(address)?.generation;
    return {
      assertHeld: () => {
        const held = this.#validHeld(address);
        if (held && held.generation === generation) return;
        throw new ChainError(
          "SIGNING_LEASE_LOST",
          `This process no longer holds the signing lease of ${address} (it lapsed or was taken over), so it signs nothing for it.`,
          { address, holder: this.holderId },
        );
      },
    };
  }

  /** Readiness: fails, naming the holder and expiry, while another process holds a lease this one needs. */
  async assertReady(): Promise<void> {
    if (this.#blockedBy) throw new SigningLeaseHeldError(this.#blockedBy);
    if (this.holdsAll()) return;
    throw new ChainError("SIGNING_LEASE_NOT_HELD", "The signing leases of this service's keys are not held yet.", {
      addresses: this.#addresses.filter((address) => this.#validHeld(address) === undefined),
    });
  }

  /** Stops renewing and gives every lease back: the permits lapse at once, before the rows go. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    const addresses = [...this.#held.keys()];
    this.#held.clear();
    for (const address of addresses) await this.#release(address);
  }

  async #acquire(address: string): Promise<void> {
    const startedAt = this.#now();
    // Insert, or take over a row that is ours or expired by the database's clock; a live row of another holder is left alone.
    const { rows } = await this.pool.query<{ fresh: boolean }>(
      `INSERT INTO ${this.#table} AS lease (scope, address, holder, acquired_at, renewed_at, expires_at)
       VALUES ($1, $2, $3, now(), now(), now() + $4::int * interval '1 millisecond')
       ON CONFLICT (scope, address) DO UPDATE
          SET holder = EXCLUDED.holder, renewed_at = now(), expires_at = EXCLUDED.expires_at,
              acquired_at = CASE WHEN lease.holder = EXCLUDED.holder THEN lease.acquired_at ELSE now() END
        WHERE lease.holder = EXCLUDED.holder OR lease.expires_at <= now()
       RETURNING true AS fresh`,
      [this.#scope, address, this.holderId, this.ttlMs],
    );
    if (rows.length === 1) {
      const held = this.#held.get(address);
      if (held) held.signUntil = this.#signUntil(startedAt);
      else this.#held.set(address, { signUntil: this.#signUntil(startedAt), generation: ++this.#generation });
      return;
    }
    const current = await this.pool.query<{ holder: string; expires_at: Date }>(
      `SELECT holder, expires_at FROM ${this.#table} WHERE scope = $1 AND address = $2`,
      [this.#scope, address],
    );
    const row = current.rows[0];
    // Given back between the two statements: the next round takes it.
    this.#blockedBy = {
      address,
      holder: row?.holder ?? "(released just now)",
      expiresAt: row?.expires_at ?? new Date(),
    };
    throw new SigningLeaseHeldError(this.#blockedBy);
  }

  async #release(address: string): Promise<void> {
    this.#held.delete(address);
    await this.pool.query(`DELETE FROM ${this.#table} WHERE scope = $1 AND address = $2 AND holder = $3`, [
      this.#scope,
      address,
      this.holderId,
    ]);
  }

  #validHeld(address: string): Held | undefined {
    const held = this.#held.get(address);
    return held && this.#now() < held.signUntil ? held : undefined;
  }

  // Counted from before the request, so this process's deadline is never later than the row's.
  #signUntil(startedAt: number): number {
    return startedAt + this.ttlMs - Math.floor(this.ttlMs / 3);
  }
}
