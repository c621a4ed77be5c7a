-- CreateTable
CREATE TABLE "grid_demand" (
    "id" INTEGER NOT NULL,
    "demand_level_percent" INTEGER NOT NULL,
    "low_threshold_percent" INTEGER NOT NULL,
    "high_threshold_percent" INTEGER NOT NULL,
    "last_txid" TEXT NOT NULL,
    "last_height" INTEGER NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "grid_demand_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "flow_records" (
    "record_id" INTEGER NOT NULL,
    "facility_id" INTEGER NOT NULL,
    "action" TEXT NOT NULL,
    "energy_kwh" BIGINT NOT NULL,
    "demand_level_percent" INTEGER NOT NULL,
    "stored_after_kwh" BIGINT NOT NULL,
    "recorded_by" TEXT NOT NULL,
    "txid" TEXT NOT NULL,
    "block_height" INTEGER NOT NULL,
    "recorded_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "flow_records_pkey" PRIMARY KEY ("record_id")
);

-- CreateTable
CREATE TABLE "facility_energy" (
    "facility_id" INTEGER NOT NULL,
    "total_kwh" BIGINT NOT NULL,
    "stored_kwh" BIGINT NOT NULL,
    "reserved_kwh" BIGINT NOT NULL,
    "available_kwh" BIGINT NOT NULL,
    "max_power_kw" BIGINT NOT NULL,
    "status" TEXT NOT NULL,
    "capacity_height" INTEGER NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "facility_energy_pkey" PRIMARY KEY ("facility_id")
);

-- CreateTable
CREATE TABLE "flow_schedules" (
    "facility_id" INTEGER NOT NULL,
    "version" INTEGER NOT NULL,
    "demand_level_percent" INTEGER NOT NULL,
    "step_minutes" INTEGER NOT NULL,
    "steps" JSONB NOT NULL,
    "computed_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "flow_schedules_pkey" PRIMARY KEY ("facility_id")
);

-- CreateIndex
CREATE INDEX "flow_records_facility_id_record_id_idx" ON "flow_records"("facility_id", "record_id");

-- CreateIndex
CREATE INDEX "flow_records_recorded_by_record_id_idx" ON "flow_records"("recorded_by", "record_id");
