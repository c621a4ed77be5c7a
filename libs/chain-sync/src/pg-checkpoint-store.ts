import type { CheckpointStore } from "@voltstack/chain";
import type { SqlExecutor } from "@voltstack/messaging";

/**
 * Follower checkpoints in the service's `chain_checkpoints` table. `saveWith` writes
 * inside the caller's transaction, so a block's effects and its checkpoint commit together.
 */
export class PgCheckpointStore implements CheckpointStore {
  constructor(private readonly sql: SqlExecutor) {}

  async load(followerId: string): Promise<number | undefined> {
    const rows = await this.sql.query<{ height: number }>(
      "SELECT height FROM chain_checkpoints WHERE follower_id = $1",
      [followerId],
    );
    return rows[0]?.height;
  }

  save(followerId: string, height: number): Promise<void> {
    return PgCheckpointStore.saveWith(this.sql, followerId, height);
  }

  /** The checkpoint with the hash of its block, when it was saved with one. */
  async loadBlock(followerId: string): Promise<{ height: number; hash: string | null } | undefined> {
    const rows = await this.sql.query<{ height: number; block_hash: string | null }>(
      "SELECT height, block_hash FROM chain_checkpoints WHERE follower_id = $1",
      [followerId],
    );
    return rows[0] && { height: rows[0].height, hash: rows[0].block_hash };
  }

  /** Moves the checkpoint forward only: a slower replica never takes it back. */
  static async saveWith(sql: SqlExecutor, followerId: string, height: number, blockHash?: string): Promise<void> {
    await sql.execute(
      `INSERT INTO chain_checkpoints (follower_id, height, block_hash) VALUES ($1, $2, $3)
       ON CONFLICT (follower_id) DO UPDATE
         SET height = EXCLUDED.height, block_hash = EXCLUDED.block_hash, updated_at = CURRENT_TIMESTAMP
         WHERE chain_checkpoints.height <= EXCLUDED.height`,
      [followerId, height, blockHash ?? null],
    );
  }

  /** Sets the checkpoint to exactly `height` (a re-sync moves it back). */
  static async resetWith(sql: SqlExecutor, followerId: string, height: number): Promise<void> {
    await sql.execute(
      `INSERT INTO chain_checkpoints (follower_id, height, block_hash) VALUES ($1, $2, NULL)
       ON CONFLICT (follower_id) DO UPDATE SET height = EXCLUDED.height, block_hash = NULL, updated_at = CURRENT_TIMESTAMP`,
      [followerId, height],
    );
  }
}
