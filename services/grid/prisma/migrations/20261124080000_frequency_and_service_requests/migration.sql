-- CreateTable
CREATE TABLE "frequency_status" (
    "id" INTEGER NOT NULL,
    "target_mhz" INTEGER NOT NULL,
    "deadband_mhz" INTEGER NOT NULL,
    "last_reading_mhz" INTEGER,
    "last_reading_height" INTEGER,
    "last_reporter" TEXT,
    "deviating" BOOLEAN NOT NULL,
    "last_txid" TEXT NOT NULL,
    "last_height" INTEGER NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "frequency_status_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "frequency_readings" (
    "id" BIGSERIAL NOT NULL,
    "source" TEXT NOT NULL,
    "frequency_mhz" INTEGER NOT NULL,
    "measured_at" TIMESTAMPTZ(3) NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deviating" BOOLEAN NOT NULL,
    "decision" TEXT NOT NULL,
    "txid" TEXT,
    "block_height" INTEGER,

    CONSTRAINT "frequency_readings_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "service_requests" (
    "id" INTEGER NOT NULL,
    "service_type" TEXT NOT NULL,
    "power_kw" BIGINT NOT NULL,
    "energy_kwh" BIGINT NOT NULL,
    "payment_ustx" BIGINT NOT NULL,
    "requester" TEXT NOT NULL,
    "expires_at" INTEGER NOT NULL,
    "status" TEXT NOT NULL,
    "facility_id" INTEGER,
    "accepted_by" TEXT,
    "performance_bps" INTEGER,
    "payout_ustx" BIGINT NOT NULL DEFAULT 0,
    "refund_ustx" BIGINT NOT NULL DEFAULT 0,
    "expired" BOOLEAN,
    "created_txid" TEXT NOT NULL,
    "created_height" INTEGER NOT NULL,
    "last_txid" TEXT NOT NULL,
    "last_height" INTEGER NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "service_requests_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "frequency_readings_txid_measured_at_idx" ON "frequency_readings"("txid", "measured_at");

-- CreateIndex
CREATE INDEX "frequency_readings_measured_at_idx" ON "frequency_readings"("measured_at");

-- CreateIndex
CREATE INDEX "service_requests_status_id_idx" ON "service_requests"("status", "id");

-- CreateIndex
CREATE INDEX "service_requests_facility_id_id_idx" ON "service_requests"("facility_id", "id");

-- CreateIndex
CREATE INDEX "service_requests_status_expires_at_idx" ON "service_requests"("status", "expires_at");
