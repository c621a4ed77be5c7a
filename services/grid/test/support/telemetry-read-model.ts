import type pg from "pg";

/** A program and its enrolled facilities in the read model, as the follower would have written them. */
export async function seedProgramWithFacilities(db: pg.Pool, programId: number, facilityIds: number[]): Promise<void> {
  const txid = `0x${"cd".repeat(32)}`;
  await db.query(
    `INSERT INTO programs (id, product, operator, start_height, period_blocks, period_count, capacity_price_ustx,
       energy_price_ustx, budget_ustx, settle_window, end_height, status, created_txid, created_height, last_txid,
       last_height, updated_at)
     VALUES ($1, 'regulation', 'ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM', 10, 100, 4, 1, 1, 1000, 10, 410, 'active',
       $2, 10, $2, 10, now())`,
    [programId, txid],
  );
  for (const [slot, facilityId] of facilityIds.entries()) {
    await db.query(
      `INSERT INTO program_enrolments (program_id, cohort, slot, facility_id, committed_kw, reserved_kwh, from_period,
         enrolled_by, created_txid, created_height, last_txid, last_height, updated_at)
       VALUES ($1, 0, $2, $3, 100, 100, 0, 'ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM', $4, 11, $4, 11, now())`,
      [programId, slot, facilityId, txid],
    );
  }
}
