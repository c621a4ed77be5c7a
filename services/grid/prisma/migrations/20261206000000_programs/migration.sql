-- CreateTable
CREATE TABLE "programs" (
    "id" INTEGER NOT NULL,
    "product" TEXT NOT NULL,
    "operator" TEXT NOT NULL,
    "start_height" INTEGER NOT NULL,
    "period_blocks" INTEGER NOT NULL,
    "period_count" INTEGER NOT NULL,
    "capacity_price_ustx" BIGINT NOT NULL,
    "energy_price_ustx" BIGINT NOT NULL,
    "budget_ustx" BIGINT NOT NULL,
    "settle_window" INTEGER NOT NULL,
    "end_height" INTEGER NOT NULL,
    "status" TEXT NOT NULL,
    "settled_ustx" BIGINT NOT NULL DEFAULT 0,
    "distributed_ustx" BIGINT NOT NULL DEFAULT 0,
    "refund_ustx" BIGINT NOT NULL DEFAULT 0,
    "created_txid" TEXT NOT NULL,
    "created_height" INTEGER NOT NULL,
    "last_txid" TEXT NOT NULL,
    "last_height" INTEGER NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "programs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "program_enrolments" (
    "program_id" INTEGER NOT NULL,
    "cohort" INTEGER NOT NULL,
    "slot" INTEGER NOT NULL,
    "facility_id" INTEGER NOT NULL,
    "committed_kw" BIGINT NOT NULL,
    "reserved_kwh" BIGINT NOT NULL,
    "from_period" INTEGER NOT NULL,
    "until_period" INTEGER,
    "enrolled_by" TEXT NOT NULL,
    "released" BOOLEAN NOT NULL DEFAULT false,
    "created_txid" TEXT NOT NULL,
    "created_height" INTEGER NOT NULL,
    "last_txid" TEXT NOT NULL,
    "last_height" INTEGER NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "program_enrolments_pkey" PRIMARY KEY ("program_id","cohort","slot")
);

-- CreateTable
CREATE TABLE "program_settlements" (
    "program_id" INTEGER NOT NULL,
    "cohort" INTEGER NOT NULL,
    "period" INTEGER NOT NULL,
    "report_hash" TEXT NOT NULL,
    "total_ustx" BIGINT NOT NULL,
    "settled_by" TEXT NOT NULL,
    "txid" TEXT NOT NULL,
    "block_height" INTEGER NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "program_settlements_pkey" PRIMARY KEY ("program_id","cohort","period")
);

-- CreateTable
CREATE TABLE "program_settlement_lines" (
    "program_id" INTEGER NOT NULL,
    "cohort" INTEGER NOT NULL,
    "period" INTEGER NOT NULL,
    "slot" INTEGER NOT NULL,
    "facility_id" INTEGER NOT NULL,
    "committed_kw" BIGINT NOT NULL,
    "performance_bps" INTEGER NOT NULL,
    "delivered_kwh" BIGINT NOT NULL,
    "amount_ustx" BIGINT NOT NULL,
    "block_height" INTEGER NOT NULL,

    CONSTRAINT "program_settlement_lines_pkey" PRIMARY KEY ("program_id","cohort","period","slot")
);

-- CreateTable
CREATE TABLE "program_distributions" (
    "txid" TEXT NOT NULL,
    "event_index" INTEGER NOT NULL,
    "program_id" INTEGER NOT NULL,
    "cohort" INTEGER NOT NULL,
    "total_ustx" BIGINT NOT NULL,
    "amounts_ustx" BIGINT[],
    "block_height" INTEGER NOT NULL,

    CONSTRAINT "program_distributions_pkey" PRIMARY KEY ("txid","event_index")
);

-- CreateTable
CREATE TABLE "program_performances" (
    "program_id" INTEGER NOT NULL,
    "period" INTEGER NOT NULL,
    "facility_id" INTEGER NOT NULL,
    "performance_bps" INTEGER NOT NULL,
    "delivered_kwh" BIGINT NOT NULL,
    "posted_by" TEXT NOT NULL,
    "posted_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "program_performances_pkey" PRIMARY KEY ("program_id","period","facility_id")
);

-- CreateTable
CREATE TABLE "program_reports" (
    "program_id" INTEGER NOT NULL,
    "cohort" INTEGER NOT NULL,
    "period" INTEGER NOT NULL,
    "report_hash" TEXT NOT NULL,
    "report" JSONB NOT NULL,
    "built_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "program_reports_pkey" PRIMARY KEY ("program_id","cohort","period","report_hash")
);

-- CreateIndex
CREATE INDEX "programs_status_id_idx" ON "programs"("status", "id");

-- CreateIndex
CREATE INDEX "program_enrolments_program_id_facility_id_idx" ON "program_enrolments"("program_id", "facility_id");

-- CreateIndex
CREATE INDEX "program_enrolments_facility_id_idx" ON "program_enrolments"("facility_id");

-- CreateIndex
CREATE INDEX "program_settlements_program_id_period_idx" ON "program_settlements"("program_id", "period");

-- CreateIndex
CREATE INDEX "program_settlement_lines_facility_id_program_id_idx" ON "program_settlement_lines"("facility_id", "program_id");

-- CreateIndex
CREATE INDEX "program_settlement_lines_block_height_idx" ON "program_settlement_lines"("block_height");

-- CreateIndex
CREATE INDEX "program_distributions_program_id_cohort_idx" ON "program_distributions"("program_id", "cohort");

-- CreateIndex
CREATE INDEX "program_distributions_block_height_idx" ON "program_distributions"("block_height");
