-- Telemetry and regulation signals, one row per source per minute: 30 slots of 2 seconds in
-- fixed-length arrays, NULL where no sample arrived. A row holds 30 samples in about 430 bytes,
-- where one row per sample would take about 5 times as much (see docs/benchmarks.md).

-- Element-wise merge of two slot arrays: the incoming value wins where it has one, so a late,
-- repeated or out-of-order sample overwrites only its own slot and concurrent writers of the
-- same minute keep each other's samples.
CREATE FUNCTION "telemetry_merge_slots"("stored" anyarray, "incoming" anyarray) RETURNS anyarray
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT array_agg(coalesce(u.incoming_value, u.stored_value) ORDER BY u.slot)
    FROM unnest("stored", "incoming") WITH ORDINALITY AS u(stored_value, incoming_value, slot)
$$;

-- A facility's metered minute. frequency_dev_mhz is the deviation from 50,000 mHz, which the
-- telemetry input's range (40,000 to 70,000 mHz) keeps within SMALLINT.
CREATE TABLE "telemetry_minutes" (
    "facility_id" INTEGER NOT NULL,
    "minute" TIMESTAMPTZ(0) NOT NULL,
    "power_w" INTEGER[] NOT NULL,
    "stored_wh" INTEGER[] NOT NULL,
    "frequency_dev_mhz" SMALLINT[] NOT NULL,

    CONSTRAINT "telemetry_minutes_pkey" PRIMARY KEY ("facility_id","minute")
) WITH (fillfactor = 70);

-- A program's regulation signal, in basis points of committed power (-10,000 to 10,000).
CREATE TABLE "regulation_signal_minutes" (
    "program_id" INTEGER NOT NULL,
    "minute" TIMESTAMPTZ(0) NOT NULL,
    "value_bps" SMALLINT[] NOT NULL,

    CONSTRAINT "regulation_signal_minutes_pkey" PRIMARY KEY ("program_id","minute")
) WITH (fillfactor = 70);

-- The retention delete finds old minutes by these; rows arrive in roughly minute order, so a
-- block-range index stays a few pages where a B-tree would add a fifth to the table.
CREATE INDEX "telemetry_minutes_minute_brin" ON "telemetry_minutes" USING brin ("minute");
CREATE INDEX "regulation_signal_minutes_minute_brin" ON "regulation_signal_minutes" USING brin ("minute");
