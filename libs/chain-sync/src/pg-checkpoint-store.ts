import type { SqlExecutor } from "@voltstack/messaging";

/**
 * Follower checkpoints in the service's `chain_checkpoints` table: how far each follower
 * has read the chain (the height and hash of the API's tip it last read up to), for
 * operators and after a restart. Written inside the caller's transaction where it must
 * commit with the read model.
 */
export const PgCheckpointStore = {
  /** The checkpoint with the hash of its block, when there is one. */
  async loadWith(sql: SqlExecutor, followerId: string): Promise<{ height: number; hash: string | null } | undefined> {
    const rows = await sql.query<{ height: number; block_hash: string | null }>(
      "SELECT height, block_hash FROM chain_checkpoints WHERE follower_id = $1",
      [followerId],
    );
    return rows[0] && { height: rows[0].height, hash: rows[0].block_hash };
  },

  /**
   * Moves the checkpoint forward only: a slower replica never takes it back. False when
   * the stored checkpoint is above `height` and stayed there.
   */
  async saveWith(sql: SqlExecutor, followerId: string, height: number, blockHash?: string): Promise<boolean> {
    const written = await sql.execute(
      `INSERT INTO chain_checkpoints (follower_id, height, block_hash) VALUES ($1, $2, $3)
       ON CONFLICT (follower_id) DO UPDATE
         SET height = EXCLUDED.height, block_hash = EXCLUDED.block_hash, updated_at = CURRENT_TIMESTAMP
         WHERE chain_checkpoints.height <= EXCLUDED.height`,
      [followerId, height, blockHash ?? null],
    );
    return written > 0;
  },

  /**
   * Sets the checkpoint to exactly `height` (a re-sync or a rewind moves it back, a
   * repair moves it down to the tip). Callers check `height` against the chain's tip:
   * a checkpoint above it would claim blocks that do not exist.
   */
  async resetWith(sql: SqlExecutor, followerId: string, height: number, blockHash?: string): Promise<void> {
    await sql.execute(
      `INSERT INTO chain_checkpoints (follower_id, height, block_hash) VALUES ($1, $2, $3)
       ON CONFLICT (follower_id) DO UPDATE SET height = EXCLUDED.height, block_hash = EXCLUDED.block_hash, updated_at = CURRENT_TIMESTAMP`,
      [followerId, height, blockHash ?? null],
    );
  },
};
