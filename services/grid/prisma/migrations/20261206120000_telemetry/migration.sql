-- Telemetry and regulation signals, one row per source per minute: 30 slots of 2 seconds in
-- fixed-length arrays, NULL where no sample arrived (a NULL element takes no space but its bit).
-- Writers merge slot by slot (TelemetryRepository): a late, repeated or out-of-order sample
-- overwrites only its own slot, and concurrent writers of one minute keep each other's samples.
-- Sizes against one row per sample: docs/benchmarks.md. Each minute row is rewritten at every
-- report while its minute is current, so pages keep room for HOT updates (fillfactor).

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
